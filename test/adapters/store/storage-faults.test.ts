import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { newCase, runKustody } from '../../helpers/cli.js';
import { CAN_MOUNT, mountTinyTmpfs } from '../../helpers/tmpfs.js';
import { lacks, needsRoot } from '../../helpers/prerequisites.js';

const missing = CAN_MOUNT ? false : needsRoot('to mount a tmpfs');

function caseState(casePath: string): string {
  return execFileSync('sqlite3', [join(casePath, 'evidence.db'), 'PRAGMA integrity_check; SELECT count(*), max(hash) FROM actions;'], { encoding: 'utf8' });
}

function fillDisk(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
}

test('a note on a full disk fails with DISK_FULL and leaves the case as it was', async (t) => {
  if (lacks(t, missing)) return;
  const fs = mountTinyTmpfs(1024);
  t.after(fs.cleanup);
  const created = await newCase(fs.dir);
  await runKustody(['case', 'note', created.path, 'before the disk filled']);
  const before = caseState(created.path);
  fillDisk(fs.dir);
  const run = await runKustody(['case', 'note', created.path, 'x'.repeat(60000)]);
  assert.equal(run.exitCode, 1, run.stderr);
  assert.match(run.stderr, /disk holding .* is full/);
  assert.match(run.stderr, /next: Free space/);
  execFileSync('rm', [join(fs.dir, 'filler')]);
  assert.equal(caseState(created.path), before);
  const after = await runKustody(['case', 'note', created.path, 'after freeing space']);
  assert.equal(after.exitCode, 0, after.stderr);
});

test('a note on a read-only file system fails with CASE_READ_ONLY; show still reads the case', async (t) => {
  if (lacks(t, missing)) return;
  const fs = mountTinyTmpfs(4096);
  t.after(fs.cleanup);
  const created = await newCase(fs.dir);
  const before = caseState(created.path);
  fs.remount('ro');
  const run = await runKustody(['case', 'note', created.path, 'cannot land']);
  assert.equal(run.exitCode, 1, run.stderr);
  assert.match(run.stderr, /cannot be written/);
  const shown = await runKustody(['case', 'show', created.path, '--json']);
  assert.equal(shown.exitCode, 0, shown.stderr);
  fs.remount('rw');
  assert.equal(caseState(created.path), before);
});
