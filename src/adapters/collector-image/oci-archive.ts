/**
 * Builds kustody's collector image as an OCI image layout in one tar (what `skopeo copy oci-archive:…`,
 * `ctr images import` and `crane push` read), with no Docker and no registry. Every tar header has
 * owner 0:0, no user names, mtime 0 and a fixed order, so the same BusyBox gives the same bytes.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { collectorLayerEntries, elfFacts, imageDocuments, sha256Digest, type LayerEntry } from '../../core/collector-image/image-content.js';
import { KustodyError, UnreadableInputError } from '../../core/errors.js';
import { TOOL_VERSION } from '../../version.js';

/** Where a build takes its BusyBox by default: Debian's and Ubuntu's busybox-static package. */
export const DEFAULT_BUSYBOX = '/bin/busybox';
/** The collector script shipped with kustody. */
const SCRIPT_URL = new URL('../../../collector/kustody-collector.sh', import.meta.url);
/** Far above any BusyBox (Debian's static build is about 2 MB). */
const MAX_BUSYBOX_BYTES = 16 * 1024 * 1024;

/** A built image: the archive's bytes and what identifies it. */
export interface BuiltCollectorImage {
  readonly archive: Buffer;
  /** The manifest digest: pin the image as `REPOSITORY@<digest>`. */
  readonly digest: string;
  readonly architecture: string;
  readonly busyboxSha256: string;
  readonly layerBytes: number;
}

const EPOCH = new Date(0);

async function writeTar(entries: ReadonlyArray<{ header: Partial<Header>; content?: Uint8Array }>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (chunk: unknown) => void chunks.push(chunk as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  for (const { header, content } of entries) {
    const full = { uid: 0, gid: 0, uname: '', gname: '', mtime: EPOCH, name: '', ...header };
    if (content === undefined) pack.entry(full);
    else pack.entry(full, content);
  }
  pack.finalize();
  return done;
}

function layerHeader(entry: LayerEntry): { header: Partial<Header>; content?: Uint8Array } {
  if (entry.type === 'directory') return { header: { name: entry.name, type: 'directory', mode: entry.mode } };
  if (entry.type === 'symlink') return { header: { name: entry.name, type: 'symlink', linkname: entry.linkname, mode: 0o777 } };
  return { header: { name: entry.name, type: 'file', mode: entry.mode, size: entry.content.byteLength }, content: entry.content };
}

/** Reads a regular file of at most `max` bytes without following a FIFO or device. */
function readRegularFile(path: string, max: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UnreadableInputError('BUSYBOX_UNREADABLE', `Cannot read ${what} at ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, 'Install Debian\'s busybox-static (apt-get install busybox-static) or give --busybox PATH.');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UnreadableInputError('BUSYBOX_UNREADABLE', `${what} at ${path} is not a regular file.`, 'Give --busybox the path of a static BusyBox executable.');
    if (stat.size > max) throw new UnreadableInputError('BUSYBOX_UNREADABLE', `${what} at ${path} is ${stat.size} bytes, more than ${max}.`, 'Give --busybox the path of a static BusyBox executable.');
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Builds the image from a static BusyBox (default /bin/busybox) and kustody's collector script, in memory. */
export async function buildCollectorImage(options: { busyboxPath?: string } = {}): Promise<BuiltCollectorImage> {
  const busyboxPath = options.busyboxPath ?? DEFAULT_BUSYBOX;
  const busybox = readRegularFile(busyboxPath, MAX_BUSYBOX_BYTES, 'the BusyBox binary');
  const facts = elfFacts(busybox, `${busyboxPath}`);
  if (!facts.isStatic) throw new UnreadableInputError('NOT_STATIC_BUSYBOX', `${busyboxPath} is dynamically linked: it would not run in an image with no libraries.`, 'Install Debian\'s busybox-static (apt-get install busybox-static) or give --busybox the path of a static build.');
  const script = readFileSync(SCRIPT_URL);
  const layerTar = await writeTar(collectorLayerEntries(busybox, script).map(layerHeader));
  const docs = imageDocuments(layerTar, { architecture: facts.architecture, version: TOOL_VERSION, scriptSha256: sha256Digest(script).slice('sha256:'.length) });
  const blob = (digest: string) => `blobs/sha256/${digest.slice('sha256:'.length)}`;
  const blobs = [
    { name: blob(docs.layer.digest), content: layerTar },
    { name: blob(docs.configDescriptor.digest), content: docs.config },
    { name: blob(docs.manifestDescriptor.digest), content: docs.manifest },
  ].sort((a, b) => (a.name < b.name ? -1 : 1));
  const archive = await writeTar([
    { header: { name: 'blobs/', type: 'directory', mode: 0o755 } },
    { header: { name: 'blobs/sha256/', type: 'directory', mode: 0o755 } },
    ...blobs.map(({ name, content }) => ({ header: { name, type: 'file' as const, mode: 0o644, size: content.byteLength }, content })),
    { header: { name: 'index.json', type: 'file', mode: 0o644, size: docs.index.byteLength }, content: docs.index },
    { header: { name: 'oci-layout', type: 'file', mode: 0o644, size: 30 }, content: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
  ]);
  return { archive, digest: docs.manifestDescriptor.digest, architecture: facts.architecture, busyboxSha256: sha256Digest(busybox), layerBytes: layerTar.byteLength };
}

/** Writes the archive to `path` through a temporary file in the same folder, so a crash never leaves a partial image under the final name. */
export function writeArchive(path: string, archive: Buffer): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, archive, { flag: 'wx', mode: 0o644 });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new KustodyError('IMAGE_WRITE_FAILED', `Cannot write the image to ${path}: ${code}.`, { kind: 'usage', nextStep: 'Give -o a writable file path (not a folder).' });
  }
}
