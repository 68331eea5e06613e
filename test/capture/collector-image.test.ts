import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, REPO_ROOT, runKustody } from '../helpers/cli.js';
import { lacks } from '../helpers/prerequisites.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function needsStaticBusybox(): string | false {
  return existsSync('/bin/busybox') ? false : 'Debian\'s busybox-static (/bin/busybox) is not installed (.ci/run installs it)';
}

test('collector image build writes the same bytes twice and --print-digest prints the sha256 of the manifest the index names', { timeout: 120_000 }, async (t) => {
  if (lacks(t, needsStaticBusybox())) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const first = await runKustody(['collector', 'image', 'build', '-o', join(dir, 'a.tar')]);
  assert.equal(first.exitCode, 0, first.stderr);
  const second = await runKustody(['collector', 'image', 'build', '-o', join(dir, 'b.tar'), '--print-digest']);
  assert.equal(second.exitCode, 0, second.stderr);
  const a = readFileSync(join(dir, 'a.tar'));
  assert.ok(a.equals(readFileSync(join(dir, 'b.tar'))), 'two builds differ');
  const digest = second.stdout.trim();
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);
  assert.match(first.stdout, new RegExp(`digest ${digest}`));
  const alone = await runKustody(['collector', 'image', '--print-digest']);
  assert.equal(alone.stdout.trim(), digest, 'the digest without a build differs');

  // The judge is GNU tar and sha256 of the files it extracts, not kustody's own reader.
  const out = join(dir, 'x');
  mkdirSync(out);
  execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', out]);
  assert.equal(readFileSync(join(out, 'oci-layout'), 'utf8'), '{"imageLayoutVersion":"1.0.0"}');
  const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; size: number; platform: { architecture: string } }> };
  assert.equal(index.manifests.length, 1);
  assert.equal(index.manifests[0]?.digest, digest);
  const manifestBytes = readFileSync(join(out, 'blobs', 'sha256', digest.slice(7)));
  assert.equal(`sha256:${sha256(manifestBytes)}`, digest, 'the printed digest is not the manifest\'s sha256');
  assert.equal(manifestBytes.length, index.manifests[0]?.size);
  // Every blob is named by its own sha256.
  for (const name of readdirSync(join(out, 'blobs', 'sha256'))) assert.equal(sha256(readFileSync(join(out, 'blobs', 'sha256', name))), name);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string; mediaType: string }> };
  assert.equal(manifest.layers.length, 1);
  const config = JSON.parse(readFileSync(join(out, 'blobs', 'sha256', manifest.config.digest.slice(7)), 'utf8')) as { rootfs: { diff_ids: string[] }; config: { Env: string[] } };
  assert.deepEqual(config.rootfs.diff_ids, [manifest.layers[0]?.digest], 'uncompressed layer: diff id equals the layer digest');

  // The layer: BusyBox (the very bytes of /bin/busybox), applet links to it, the collector script, /tmp; all 0:0 at mtime 0.
  const layerFile = join(out, 'blobs', 'sha256', (manifest.layers[0]?.digest ?? '').slice(7));
  const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', layerFile], { encoding: 'utf8' }).trim().split('\n');
  for (const line of listing) assert.match(line, /^\S+ 0\/0 +\d+ 1970-01-01 00:00:00 /, line);
  const root = join(out, 'rootfs');
  mkdirSync(root);
  execFileSync('tar', ['-xf', layerFile, '-C', root]);
  assert.deepEqual(readdirSync(root).sort(), ['bin', 'tmp', 'usr']);
  assert.equal(statSync(join(root, 'tmp')).mode & 0o7777, 0o1777);
  assert.ok(readFileSync(join(root, 'bin', 'busybox')).equals(readFileSync('/bin/busybox')));
  for (const applet of readdirSync(join(root, 'bin')).filter((n) => n !== 'busybox')) assert.equal(readlinkSync(join(root, 'bin', applet)), 'busybox', applet);
  for (const needed of ['sh', 'sleep', 'base64', 'tar', 'stat', 'sha256sum', 'readlink', 'mktemp']) assert.ok(existsSync(join(root, 'bin', needed)), `no ${needed} applet`);
  assert.ok(readFileSync(join(root, 'usr', 'share', 'kustody', 'kustody-collector.sh')).equals(readFileSync(join(REPO_ROOT, 'collector', 'kustody-collector.sh'))));
  // Every applet the image links is one this BusyBox has.
  const applets = new Set(execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n'));
  for (const applet of readdirSync(join(root, 'bin')).filter((n) => n !== 'busybox')) assert.ok(applets.has(applet), `BusyBox has no ${applet}`);
});

test('collector image build refuses a dynamically linked binary, a 90 MB one, a folder, a non-ELF file and a missing file as BusyBox, and writes nothing', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const notElf = join(dir, 'script.sh');
  execFileSync('sh', ['-c', `printf '#!/bin/sh\\n' > "${notElf}"`]);
  const cases: Array<[string, RegExp]> = [
    ['/bin/ls', /dynamically linked/],
    [process.execPath, /more than 16777216/],
    [dir, /not a regular file/],
    [notElf, /not an ELF file/],
    [join(dir, 'missing'), /Cannot read the BusyBox binary .*ENOENT/],
  ];
  for (const [busybox, message] of cases) {
    const run = await runKustody(['collector', 'image', 'build', '-o', join(dir, 'out.tar'), '--busybox', busybox]);
    assert.equal(run.exitCode, 2, `${busybox}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.match(run.stderr, /next: .*busybox/i);
    assert.equal(existsSync(join(dir, 'out.tar')), false);
  }
  const usage = await runKustody(['collector', 'image', 'build']);
  assert.equal(usage.exitCode, 2);
  assert.match(usage.stderr, /needs -o FILE\.tar/);
});
