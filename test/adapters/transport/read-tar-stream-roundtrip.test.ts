import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTarStream } from '../../../src/adapters/transport/read-tar-stream.js';
import type { CapturedEntry } from '../../../src/adapters/transport/tar-stream-types.js';
import { chunks, gnuTar, sha256sums, tempTree } from './tar-fixtures.js';

const LONG = `proc/4242/${'very-long-directory-name/'.repeat(6)}environ`;

/** A tree shaped like a /proc capture: small text, binary, an empty file, a long path. */
function procLikeTree(dir: string): string[] {
  const files = ['proc/1/stat', 'proc/1/cmdline', 'proc/1/exe.bin', 'proc/net/tcp', 'proc/1/empty', LONG];
  for (const file of files) mkdirSync(join(dir, file, '..'), { recursive: true });
  writeFileSync(join(dir, files[0] ?? ''), '1 (init) S 0 1 1 0 -1 4194560\n');
  writeFileSync(join(dir, files[1] ?? ''), Buffer.from('/sbin/init\0--log\0'));
  writeFileSync(join(dir, files[2] ?? ''), randomBytes(300_001));
  writeFileSync(join(dir, files[3] ?? ''), '  sl  local_address rem_address   st\n   0: 00000000:0050 00000000:0000 0A\n');
  writeFileSync(join(dir, files[4] ?? ''), '');
  writeFileSync(join(dir, files[5] ?? ''), 'PATH=/bin\0');
  return files;
}

function byName(entries: CapturedEntry[]): Map<string, CapturedEntry> {
  return new Map(entries.map((entry) => [entry.name, entry]));
}

for (const format of ['gnu', 'pax', 'ustar'] as const) {
  test(`a GNU tar (${format} format) round-trips: every name, size, content and sha256 matches sha256sum of the originals`, async (t) => {
    const { dir, cleanup } = tempTree();
    t.after(cleanup);
    // The long path travels as a GNU `L` record, a PAX `path` record, or a ustar name prefix.
    const files = procLikeTree(dir);
    const tar = gnuTar([`--format=${format}`, '--sort=name', '-C', dir, ...files]);
    const result = await readTarStream(chunks(tar, 4096));
    assert.equal(result.stopped, null);
    assert.equal(result.bytesRead, tar.length);
    const sums = sha256sums(dir, files);
    const entries = byName(result.entries);
    assert.equal(result.entries.length, files.length, 'one entry per file, long-name and PAX records are not entries');
    for (const file of files) {
      const entry = entries.get(file);
      assert.ok(entry, `missing ${file}`);
      assert.equal(entry.type, 'file');
      assert.equal(entry.sha256, sums.get(file), `sha256 of ${file}`);
      assert.equal(entry.declaredSize, entry.receivedBytes);
      assert.equal(entry.content?.length, entry.declaredSize);
      assert.equal(entry.complete, true);
      assert.equal(entry.truncated, false);
      assert.equal(entry.nameSafe, true, `${file}: ${JSON.stringify(entry.nameProblem)}`);
    }
    assert.deepEqual(entries.get('proc/1/cmdline')?.content, Buffer.from('/sbin/init\0--log\0'));
  });
}

test('the same archive gives the same entries whether it arrives in 1-byte, 511-byte or one huge chunk', async (t) => {
  const { dir, cleanup } = tempTree();
  t.after(cleanup);
  const files = procLikeTree(dir);
  const tar = gnuTar(['--format=pax', '--sort=name', '-C', dir, ...files]);
  const summary = (entries: CapturedEntry[]) => entries.map((e) => `${e.name} ${e.type} ${e.declaredSize} ${e.sha256}`);
  const whole = await readTarStream(chunks(tar, tar.length));
  const small = await readTarStream(chunks(tar.subarray(0, 20_000), 1));
  const odd = await readTarStream(chunks(tar, 511));
  assert.equal(whole.stopped, null);
  assert.equal(odd.stopped, null);
  assert.deepEqual(summary(odd.entries), summary(whole.entries));
  // The 1-byte run is cut at 20,000 bytes, inside proc/1/exe.bin: what came before matches the whole run.
  assert.equal(small.stopped?.code, 'TAR_CORRUPT');
  assert.deepEqual(summary(small.entries.slice(0, 2)), summary(whole.entries).slice(0, 2));
  const partial = small.entries[2];
  assert.equal(partial?.name, 'proc/1/exe.bin');
  assert.equal(partial?.complete, false);
  assert.ok(partial !== undefined && partial.receivedBytes > 10_000);
  assert.deepEqual(partial?.content, whole.entries[2]?.content?.subarray(0, partial?.receivedBytes));
});

test('a file larger than maxEntryBytes keeps only the first bytes, is marked truncated, and still hashes to its full sha256', async (t) => {
  const { dir, cleanup } = tempTree();
  t.after(cleanup);
  const big = randomBytes(1_000_000);
  writeFileSync(join(dir, 'big'), big);
  writeFileSync(join(dir, 'after'), 'still read\n');
  const tar = gnuTar(['-C', dir, 'big', 'after']);
  const result = await readTarStream(chunks(tar, 65536), { maxEntryBytes: 4096 });
  assert.equal(result.stopped, null);
  const [first, second] = result.entries;
  assert.equal(first?.truncated, true);
  assert.equal(first?.complete, true);
  assert.deepEqual(first?.content, big.subarray(0, 4096));
  assert.equal(first?.receivedBytes, 1_000_000);
  assert.equal(first?.sha256, sha256sums(dir, ['big']).get('big'));
  assert.deepEqual(second?.content, Buffer.from('still read\n'), 'the member after the capped one is framed correctly');
});

test('the stdout of a real `tar -cf -` process is read to a clean end with every sha256 matching', async (t) => {
  const { dir, cleanup } = tempTree();
  t.after(cleanup);
  const files = procLikeTree(dir);
  const child = spawn('tar', ['-cf', '-', '-C', dir, ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const result = await readTarStream(child.stdout, { idleTimeMs: 5000, wallTimeMs: 10_000 });
  assert.equal(await exited, 0);
  assert.equal(result.stopped, null);
  const sums = sha256sums(dir, files);
  assert.deepEqual(new Map(result.entries.map((e) => [e.name, e.sha256])), sums);
});

test('a real process that sends one header and then stalls is cut off as STREAM_IDLE and its pipe is destroyed', async (t) => {
  const { dir, cleanup } = tempTree();
  t.after(cleanup);
  writeFileSync(join(dir, 'a'), 'x'.repeat(2000));
  const tar = gnuTar(['-C', dir, 'a']);
  writeFileSync(join(dir, 'head.tar'), tar.subarray(0, 1024));
  const child = spawn('sh', ['-c', 'cat "$1"; exec sleep 30', 'sh', join(dir, 'head.tar')], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  // Without the idle cut the read would last the writer's 30 s sleep; the test's timeout is below that.
  const result = await readTarStream(child.stdout, { idleTimeMs: 400 });
  assert.equal(result.stopped?.code, 'STREAM_IDLE');
  assert.equal(child.stdout.destroyed, true);
  assert.equal(result.entries.length, 1, 'the partly sent member is kept');
  assert.equal(result.entries[0]?.complete, false);
  assert.equal(result.entries[0]?.receivedBytes, 512);
  assert.deepEqual(result.entries[0]?.content?.subarray(0, 512), Buffer.from('x'.repeat(512)));
});
