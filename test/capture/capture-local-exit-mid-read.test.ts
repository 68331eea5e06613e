// Processes that exit after kustody listed them and before it read them: killed at that exact point
// (a hook between listing and reading), so the outcome never depends on timing. Real processes, real
// /proc, a real case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLocalProcesses } from '../../src/adapters/collect/local-proc-reader.js';
import { buildCapture } from '../../src/core/capture/build-capture.js';
import { makeTempDir } from '../helpers/cli.js';

// A parent that lets the kernel reap its children (SIGCHLD ignored) and starts six sleepers.
const TREE = String.raw`
import os, signal, time
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
pids = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        time.sleep(600)
        os._exit(0)
    pids.append(pid)
with open('pids.tmp', 'w') as f:
    f.write(' '.join(map(str, pids)))
os.rename('pids.tmp', 'pids')
time.sleep(600)
`;

/** Blocks until /proc/<pid> is gone (the kernel reaped it); a SIGKILLed child of a SIG_IGN parent goes at once. */
function waitGone(pid: number): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 10_000 && existsSync(`/proc/${pid}`); i += 1) Atomics.wait(pause, 0, 0, 1);
  assert.ok(!existsSync(`/proc/${pid}`), `process ${pid} still exists after SIGKILL`);
}

test('processes that exit between listing and reading become warnings on their own rows; the others are read whole', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const parent = spawn('python3', ['-c', TREE], { cwd: dir, stdio: 'ignore' });
  const parentPid = parent.pid;
  assert.ok(parentPid !== undefined);
  t.after(() => {
    for (const pid of children) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    process.kill(parentPid, 'SIGKILL');
  });
  let children: number[] = [];
  while (!existsSync(join(dir, 'pids'))) await new Promise((r) => setTimeout(r, 20));
  children = readFileSync(join(dir, 'pids'), 'utf8').split(' ').map(Number);
  const killed = children.filter((_, i) => i % 2 === 0);
  const living = children.filter((_, i) => i % 2 === 1);

  let listed: readonly number[] = [];
  const raw = readLocalProcesses({ pid: parentPid }, undefined, '/proc', (pids) => {
    listed = [...pids];
    for (const pid of killed) {
      process.kill(pid, 'SIGKILL');
      waitGone(pid);
    }
  });
  assert.deepEqual([...listed].sort((a, b) => a - b), [parentPid, ...children].sort((a, b) => a - b), 'every process was listed before any was killed');

  const built = buildCapture(raw, (value) => `fp:${value.length}`);
  const codesOf = (pid: number) => new Set(built.processes.warnings.filter((w) => w.pid === pid).map((w) => w.code));
  for (const pid of killed) {
    const codes = codesOf(pid);
    assert.ok(codes.has('PROCESS_EXITED'), `pid ${pid}: ${[...codes].join(', ')}`);
    assert.ok(codes.has('READ_FAILED'), `pid ${pid}: ${[...codes].join(', ')}`);
  }
  for (const pid of [parentPid, ...living]) {
    assert.deepEqual([...codesOf(pid)].filter((c) => c === 'PROCESS_EXITED' || c === 'READ_FAILED'), [], `pid ${pid} was read whole`);
    const row = built.processes.rows.find((r) => r.pid === pid);
    assert.ok(row, `pid ${pid} has a row`);
    assert.equal(row.comm, 'python3');
    assert.ok(row.exe !== null && row.exe_sha256 !== null, `pid ${pid}: exe and its hash were read`);
  }
  // The killed processes keep the row their first read (stat) allows, so the capture says who they were.
  for (const pid of killed) assert.ok(built.processes.rows.some((r) => r.pid === pid), `pid ${pid} keeps its row`);
});
