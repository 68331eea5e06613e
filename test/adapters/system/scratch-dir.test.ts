// Where verify's and export's private copies go, decided against real folders: a real tmpfs (mounted
// for the test) is used when TMPDIR is not set and it has room; a copy larger than half its free
// space, or than half the memory available, falls back to the OS temp folder; another file system is
// never taken for RAM; TMPDIR set by the user always wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseScratchParent, memAvailableBytes } from '../../../src/adapters/system/scratch-dir.js';
import { CAN_MOUNT, mountTinyTmpfs } from '../../helpers/tmpfs.js';
import { lacks, needsRoot } from '../../helpers/prerequisites.js';
import { makeTempDir } from '../../helpers/cli.js';

const missing = CAN_MOUNT ? false : needsRoot('to mount a tmpfs');
const MiB = 1024 * 1024;
const plenty = () => 64 * 1024 * MiB;

test('without TMPDIR a copy that fits in half of a tmpfs\'s free space goes there, held in RAM', (t) => {
  if (lacks(t, missing)) return;
  const fs = mountTinyTmpfs(16 * 1024);
  t.after(fs.cleanup);
  const choice = chooseScratchParent(7 * MiB, { env: {}, candidates: [fs.dir], memAvailableBytes: plenty });
  assert.deepEqual({ parent: choice.parent, inMemory: choice.inMemory }, { parent: fs.dir, inMemory: true });
});

test('a copy larger than half of the tmpfs\'s free space falls back to the OS temp folder, saying why', (t) => {
  if (lacks(t, missing)) return;
  const fs = mountTinyTmpfs(16 * 1024);
  t.after(fs.cleanup);
  const choice = chooseScratchParent(9 * MiB, { env: {}, candidates: [fs.dir], memAvailableBytes: plenty });
  assert.equal(choice.parent, tmpdir());
  assert.equal(choice.inMemory, false);
  assert.match(choice.reason, /more than half of its \d+ free bytes/);
});

test('a copy larger than half of the available memory falls back even when the tmpfs has room', (t) => {
  if (lacks(t, missing)) return;
  const fs = mountTinyTmpfs(16 * 1024);
  t.after(fs.cleanup);
  const choice = chooseScratchParent(3 * MiB, { env: {}, candidates: [fs.dir], memAvailableBytes: () => 5 * MiB });
  assert.equal(choice.parent, tmpdir());
  assert.match(choice.reason, /half of the \d+ bytes of available memory/);
  assert.equal(chooseScratchParent(3 * MiB, { env: {}, candidates: [fs.dir], memAvailableBytes: () => null }).parent, tmpdir());
});

test('TMPDIR set by the user is used even when a tmpfs has room', (t) => {
  if (lacks(t, missing)) return;
  const fs = mountTinyTmpfs(16 * 1024);
  t.after(fs.cleanup);
  const choice = chooseScratchParent(MiB, { env: { TMPDIR: tmpdir() }, candidates: [fs.dir], memAvailableBytes: plenty });
  assert.deepEqual({ parent: choice.parent, inMemory: choice.inMemory }, { parent: tmpdir(), inMemory: false });
});

test('a folder of another file system (/proc), a symlink to a tmpfs and a missing folder are never taken as RAM', (t) => {
  const { dir, cleanup } = makeTempDir('kustody-scratch-');
  t.after(cleanup);
  const link = join(dir, 'link');
  symlinkSync('/dev/shm', link);
  const choice = chooseScratchParent(MiB, { env: {}, candidates: ['/proc', link, join(dir, 'absent')], memAvailableBytes: plenty });
  assert.equal(choice.parent, tmpdir());
  assert.equal(choice.inMemory, false);
  assert.match(choice.reason, /\/proc: not a tmpfs/);
  assert.match(choice.reason, /link: not a folder/);
  assert.match(choice.reason, /absent: unusable \(ENOENT\)/);
});

test('the available memory is read from /proc/meminfo', () => {
  const available = memAvailableBytes();
  assert.ok(available !== null && available > 0, `MemAvailable read as ${String(available)}`);
});
