/** `kustody collector image build -o FILE.tar` and `kustody collector image --print-digest`: the shipped collector image, built reproducibly. */
import { display, escapeUntrusted, toSafeJson, trusted } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { buildCollectorImage, DEFAULT_BUSYBOX, writeArchive } from '../adapters/collector-image/oci-archive.js';
import type { Command } from './command.js';

/** `kustody collector image`: builds the collector image as an OCI layout tar, or prints its digest. */
export const collectorImageCommand: Command = {
  path: ['collector', 'image'],
  usage: 'kustody collector image (build -o FILE.tar | --print-digest) [--busybox PATH] [--json]',
  summary: 'build kustody\'s collector image (static BusyBox + the collector script) as an OCI archive; print its digest to pin it',
  help: [
    'build -o FILE.tar   writes the image as an OCI image layout in one tar; no Docker, no registry, no network.',
    '                    The same BusyBox always gives the same bytes and the same digest (fixed order, owners, mtimes).',
    '--print-digest      prints only the manifest digest (sha256:…); with build it writes the file too, without it writes nothing.',
    `--busybox PATH      the static BusyBox to put in the image (default ${DEFAULT_BUSYBOX}, from Debian's busybox-static).`,
    '',
    'Push it to a registry of yours, then pin it by digest (see docs/collector-image.md):',
    '  skopeo copy oci-archive:collector.oci.tar docker://REGISTRY/kustody-collector:TAG',
    '  crane push collector.oci.tar REGISTRY/kustody-collector:TAG',
    '  kustody capture pod NS/POD --via debug --collector-image REGISTRY/kustody-collector@sha256:… --yes',
  ].join('\n'),
  options: { output: { type: 'string', short: 'o' }, 'print-digest': { type: 'boolean' }, busybox: { type: 'string' } },
  positionals: { min: 0, max: 1 },
  async run(args, context) {
    const action = args.positionals[0];
    const printDigest = args.values['print-digest'] === true;
    const output = typeof args.values.output === 'string' ? args.values.output : undefined;
    if (action !== undefined && action !== 'build') throw new UsageError(`\`kustody collector image\` knows only \`build\`, not \`${action}\`.`, `Usage: ${collectorImageCommand.usage}`);
    if (action === 'build' && output === undefined) throw new UsageError('collector image build needs -o FILE.tar (where to write the image).', `Usage: ${collectorImageCommand.usage}`);
    if (action === undefined && !printDigest) throw new UsageError('collector image needs `build -o FILE.tar` or `--print-digest`.', `Usage: ${collectorImageCommand.usage}`);
    if (action === undefined && output !== undefined) throw new UsageError('-o is for `collector image build -o FILE.tar`.', `Usage: ${collectorImageCommand.usage}`);
    const image = await buildCollectorImage({ busyboxPath: typeof args.values.busybox === 'string' ? args.values.busybox : undefined });
    if (output !== undefined) writeArchive(output, image.archive);
    if (context.json) {
      context.io.out(toSafeJson({ digest: image.digest, architecture: image.architecture, busybox_sha256: image.busyboxSha256, path: output ?? null, size: output === undefined ? null : image.archive.length }));
      return 0;
    }
    if (printDigest) {
      context.io.out(escapeUntrusted(image.digest));
      return 0;
    }
    context.io.out(display`wrote ${escapeUntrusted(output ?? '')} (${image.archive.length} bytes, linux/${escapeUntrusted(image.architecture)}, BusyBox ${escapeUntrusted(image.busyboxSha256)})`);
    context.io.out(display`digest ${escapeUntrusted(image.digest)}`);
    context.io.out(trusted('next: push it to your registry (skopeo copy oci-archive:FILE docker://REGISTRY/kustody-collector:TAG) and pin it:'));
    context.io.out(display`  --collector-image REGISTRY/kustody-collector@${escapeUntrusted(image.digest)}`);
    return 0;
  },
};
