/**
 * What kustody's collector image holds and how its OCI documents read: static BusyBox, one symlink
 * per applet the collector script calls, the script itself, and an empty /tmp. Pure: the same
 * BusyBox and script bytes always give the same entries and the same JSON bytes, so the same digest.
 */
import { createHash } from 'node:crypto';
import { KustodyError } from '../errors.js';

/** The applets kustody's collector and its pods run (collector/kustody-collector.sh, `sleep` for the pod's command). */
export const COLLECTOR_APPLETS = [
  'base64', 'cat', 'dirname', 'grep', 'head', 'ln', 'ls', 'mkdir', 'mktemp', 'readlink', 'rm', 'sh', 'sha256sum', 'sleep', 'stat', 'tar', 'tr', 'wc',
] as const;

/** Where the image keeps the collector script (kustody passes the script as an argument; this copy is for people reading the image). */
export const SCRIPT_PATH_IN_IMAGE = 'usr/share/kustody/kustody-collector.sh';

/** The name the image is published under by default. */
export const IMAGE_TITLE = 'kustody-collector';

/** One entry of the image's only layer. */
export type LayerEntry =
  | { readonly type: 'directory'; readonly name: string; readonly mode: number }
  | { readonly type: 'file'; readonly name: string; readonly mode: number; readonly content: Uint8Array }
  | { readonly type: 'symlink'; readonly name: string; readonly linkname: string };

/** What an ELF header says about a binary: its OCI architecture, and whether it needs a dynamic loader. */
export interface ElfFacts {
  readonly architecture: string;
  readonly isStatic: boolean;
}

const ELF_MACHINES: Readonly<Record<number, string>> = { 62: 'amd64', 183: 'arm64', 3: '386', 40: 'arm', 243: 'riscv64', 21: 'ppc64le', 22: 's390x' };

/**
 * Reads a 64- or 32-bit little-endian ELF executable's machine and program headers; refuses anything else.
 *
 * @example elfFacts(readFileSync('/bin/busybox')) // { architecture: 'amd64', isStatic: true }
 */
export function elfFacts(bytes: Uint8Array, what = 'the BusyBox binary'): ElfFacts {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const refuse = (why: string): never => {
    throw new KustodyError('NOT_STATIC_BUSYBOX', `${what} is not usable: ${why}.`, { kind: 'usage', nextStep: 'Give a statically linked BusyBox with --busybox (Debian/Ubuntu: apt-get install busybox-static, then --busybox /bin/busybox).' });
  };
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) return refuse('it is not an ELF file');
  const is64 = buf[4] === 2;
  if (buf[5] !== 1) return refuse('it is not little-endian');
  const machine = buf.readUInt16LE(18);
  const architecture = ELF_MACHINES[machine] ?? refuse(`unknown machine ${machine}`);
  const phoff = is64 ? Number(buf.readBigUInt64LE(32)) : buf.readUInt32LE(28);
  const phentsize = buf.readUInt16LE(is64 ? 54 : 42);
  const phnum = buf.readUInt16LE(is64 ? 56 : 44);
  if (phentsize < (is64 ? 56 : 32) || phoff + phnum * phentsize > buf.length) return refuse('its program headers are truncated');
  let isStatic = true;
  for (let i = 0; i < phnum; i++) if (buf.readUInt32LE(phoff + i * phentsize) === 3) isStatic = false; // PT_INTERP
  return { architecture, isStatic };
}

/** The image's layer, in the order it is written (sorted by name, directories before what they hold). */
export function collectorLayerEntries(busybox: Uint8Array, script: Uint8Array): LayerEntry[] {
  const entries: LayerEntry[] = [
    { type: 'directory', name: 'bin/', mode: 0o755 },
    { type: 'file', name: 'bin/busybox', mode: 0o755, content: busybox },
    ...COLLECTOR_APPLETS.map((applet): LayerEntry => ({ type: 'symlink', name: `bin/${applet}`, linkname: 'busybox' })),
    { type: 'directory', name: 'tmp/', mode: 0o1777 },
    { type: 'directory', name: 'usr/', mode: 0o755 },
    { type: 'directory', name: 'usr/share/', mode: 0o755 },
    { type: 'directory', name: 'usr/share/kustody/', mode: 0o755 },
    { type: 'file', name: SCRIPT_PATH_IN_IMAGE, mode: 0o644, content: script },
  ];
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A content descriptor (OCI image spec). */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function describe(mediaType: string, bytes: Uint8Array): Descriptor {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.byteLength };
}

/** The image's documents, each as the exact bytes written into the layout, given the layer tar. */
export interface ImageDocuments {
  readonly config: Uint8Array;
  readonly manifest: Uint8Array;
  readonly index: Uint8Array;
  readonly layer: Descriptor;
  readonly manifestDescriptor: Descriptor;
  readonly configDescriptor: Descriptor;
}

/** Writes the config, manifest and index for one uncompressed layer (JSON with a fixed key order and no timestamps but the epoch). */
export function imageDocuments(layerTar: Uint8Array, facts: { architecture: string; version: string; scriptSha256: string }): ImageDocuments {
  const layer = describe('application/vnd.oci.image.layer.v1.tar', layerTar);
  const labels = {
    'org.opencontainers.image.title': IMAGE_TITLE,
    'org.opencontainers.image.version': facts.version,
    'org.opencontainers.image.description': 'kustody\'s collector: static BusyBox and the collector script, nothing else',
    'io.kustody.collector-script.sha256': facts.scriptSha256,
  };
  const config = Buffer.from(JSON.stringify({
    created: '1970-01-01T00:00:00Z', architecture: facts.architecture, os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: ['sh'], WorkingDir: '/', Labels: labels },
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  }));
  const configDescriptor = describe('application/vnd.oci.image.config.v1+json', config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDescriptor, layers: [layer],
    annotations: { 'org.opencontainers.image.title': IMAGE_TITLE, 'org.opencontainers.image.version': facts.version },
  }));
  const manifestDescriptor = describe('application/vnd.oci.image.manifest.v1+json', manifest);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ ...manifestDescriptor, platform: { architecture: facts.architecture, os: 'linux' }, annotations: { 'org.opencontainers.image.ref.name': facts.version } }],
  }));
  return { config, manifest, index, layer, manifestDescriptor, configDescriptor };
}
