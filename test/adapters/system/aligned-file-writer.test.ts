// The aligned writer behind export's tar: every byte given arrives in order across its two staging
// buffers (the observer sees the same bytes), and where a file system takes O_DIRECT at open but
// refuses a write (a real ext4 with 4 KiB sectors given a 512-byte tail), it finishes with ordinary
// writes and the file is the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, open, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlignedFileWriter, STAGE_BYTES } from '../../../src/adapters/system/aligned-file-writer.js';
import { BackgroundHash } from '../../../src/adapters/system/background-hash.js';
import { makeTempDir, REPO_ROOT } from '../../helpers/cli.js';
import { lacks, needsRoot } from '../../helpers/prerequisites.js';
import { mountFourKSectorFs } from '../../helpers/sector-loop-fs.js';

/** Writes `content` through the writer in uneven pieces, half by append and half into space(). */
async function writeThrough(path: string, content: Buffer) {
  const observed = createHash('sha256');
  const writer = AlignedFileWriter.create(path, (bytes) => {
    observed.update(bytes);
  });
  const directAtStart = writer.usesDirectIo;
  try {
    let done = 0;
    for (let piece = 1; done < content.length; piece += 1) {
      const length = Math.min(content.length - done, (piece * 7919 * 512) % (STAGE_BYTES + 4096) + 512);
      if (piece % 2 === 0) {
        await writer.append(content.subarray(done, done + length));
        done += length;
      } else {
        const space = writer.space();
        const fits = Math.min(space.length, length);
        content.copy(space, 0, done, done + fits);
        await writer.commit(fits);
        done += fits;
      }
    }
    const size = await writer.finish();
    return { size, observed: observed.digest('hex'), directAtStart, directAtEnd: writer.usesDirectIo };
  } finally {
    await writer.close();
  }
}

test('every byte given reaches the file in order across several staging buffers, and the observer sees the same bytes', async (t) => {
  const { dir, cleanup } = makeTempDir('kustody-aligned-');
  t.after(cleanup);
  const content = randomBytes(2 * STAGE_BYTES + 3 * 512 + 5);
  const out = join(dir, 'out.bin');
  const written = await writeThrough(out, content);
  assert.equal(written.size, content.length);
  assert.ok(readFileSync(out).equals(content));
  assert.equal(written.observed, createHash('sha256').update(content).digest('hex'));
});

test('on an ext4 with 4 KiB sectors, the 512-byte tail O_DIRECT refuses is written without it and the file is the same', async (t) => {
  if (lacks(t, needsRoot('to set up a loop device with 4 KiB sectors'))) return;
  const fs = mountFourKSectorFs(64);
  t.after(fs.cleanup);
  const content = randomBytes(STAGE_BYTES + 4096 + 512);
  const out = join(fs.dir, 'out.bin');
  const written = await writeThrough(out, content);
  assert.equal(written.directAtStart, true, 'the file system refused O_DIRECT at open: the fallback under test was not reached');
  assert.equal(written.directAtEnd, false, 'the refused write did not switch to ordinary writes');
  assert.ok(readFileSync(out).equals(content));
  assert.equal(written.observed, createHash('sha256').update(content).digest('hex'));
});

test('where the file system refuses O_DIRECT at open (ramfs; tmpfs before Linux 6.6), the file is created once and written with ordinary writes', async (t) => {
  if (lacks(t, needsRoot('to mount a ramfs'))) return;
  const { dir, cleanup } = makeTempDir('kustody-ramfs-');
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'ramfs', 'ramfs', mnt]);
  t.after(() => {
    execFileSync('umount', [mnt]);
    cleanup();
  });
  const content = randomBytes(STAGE_BYTES + 4096 + 517);
  const out = join(mnt, 'out.bin');
  const written = await writeThrough(out, content);
  assert.equal(written.directAtStart, false, 'this ramfs took O_DIRECT: the refusal at open under test was not reached');
  assert.ok(readFileSync(out).equals(content));
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.equal(written.observed, createHash('sha256').update(content).digest('hex'));
});

test('when the observer fails before the write in flight ends, close() still waits for that write: a file opened after close() receives none of its bytes', async (t) => {
  const { dir, cleanup } = makeTempDir('kustody-aligned-');
  t.after(cleanup);
  // Every thread of libuv's pool waits in open(2) on a FIFO, so the writer's write stays queued
  // until the FIFO gets a writer; more waiters than threads only queue behind them.
  const fifo = join(dir, 'gate');
  execFileSync('mkfifo', [fifo]);
  const waiters = Array.from({ length: 64 }, () => new Promise<void>((resolve) => open(fifo, 'r', (error, fd) => (error === null ? closeSync(fd) : undefined, resolve()))));
  // A hashing thread that has ended: its update fails at once, as after the worker died.
  const hash = new BackgroundHash();
  await hash.close();
  const writer = AlignedFileWriter.create(join(dir, 'out.bin'), (bytes) => hash.update(bytes));
  await writer.append(Buffer.alloc(STAGE_BYTES, 0x41));
  const closed = writer.finish().then(
    () => assert.fail('finish() succeeded although the observer failed'),
    async () => writer.close(),
  );
  // Runs after every promise callback queued so far: a close() that did not wait has closed the descriptor.
  const later = join(dir, 'later.bin');
  const laterFd = await new Promise<number>((resolve) => setImmediate(() => resolve(openSync(later, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600))));
  const gate = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  await Promise.all(waiters);
  closeSync(gate);
  await closed;
  closeSync(laterFd);
  assert.equal(statSync(later).size, 0, "the writer's bytes went into a file opened after it was closed");
  assert.ok(readFileSync(join(dir, 'out.bin')).equals(Buffer.alloc(STAGE_BYTES, 0x41)));
});

test('without /proc mounted (a minimal container), the file is written with ordinary writes instead of failing', async (t) => {
  if (lacks(t, needsRoot('to unmount /proc in a private mount namespace'))) return;
  const { dir, cleanup } = makeTempDir('kustody-aligned-');
  t.after(cleanup);
  const script = join(dir, 'write.mts');
  writeFileSync(script, `
import { AlignedFileWriter } from ${JSON.stringify(join(REPO_ROOT, 'src/adapters/system/aligned-file-writer.ts'))};
const writer = AlignedFileWriter.create(process.argv[2]!);
try {
  await writer.append(Buffer.alloc(5000, 0x42));
  console.log(await writer.finish(), writer.usesDirectIo);
} finally {
  await writer.close();
}
`);
  const out = join(dir, 'out.bin');
  const run = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'umount -l /proc && exec "$@"', 'sh', process.execPath, '--import', 'tsx', script, out], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), '5000 false');
  assert.ok(readFileSync(out).equals(Buffer.alloc(5000, 0x42)));
});
