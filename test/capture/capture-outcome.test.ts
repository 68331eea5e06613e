import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { requireLab } from '../helpers/lab.js';

function query(db: string, sql: string): string {
  return execFileSync('sqlite3', ['-separator', '\t', db, sql], { encoding: 'utf8' }).trim();
}

/** A PID with no process behind it right now (the kernel's pid_max bounds what can exist). */
function absentPid(): number {
  const pidMax = Number(execFileSync('cat', ['/proc/sys/kernel/pid_max'], { encoding: 'utf8' }).trim());
  for (const candidate of [999_999, pidMax - 1, pidMax - 2]) if (!existsSync(`/proc/${candidate}`)) return candidate;
  throw new Error('every candidate pid exists');
}

test('capture local of a PID with no process is failed, exits 1, and the custody log and captures row say failed', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const pid = absentPid();
  const run = await runKustody(['capture', 'local', '--pid', String(pid), '--case', created.path, '--json']);
  assert.equal(run.exitCode, 1, run.stdout + run.stderr);
  const summary = JSON.parse(run.stdout) as { status: string; notes: string[]; captureId: string };
  assert.equal(summary.status, 'failed');
  assert.ok(summary.notes.some((n) => n.includes('no process was stored')), summary.notes.join('\n'));
  const db = join(created.path, 'evidence.db');
  assert.equal(query(db, `SELECT status FROM captures WHERE capture_id = '${summary.captureId}'`), 'failed');
  assert.equal(query(db, 'SELECT count(*) FROM processes'), '0');
  const end = query(db, "SELECT outcome, json_extract(detail, '$.status') FROM actions WHERE json_extract(detail, '$.step') = 'capture-end'");
  assert.equal(end, 'failed\tfailed');
  const text = await runKustody(['capture', 'local', '--pid', String(pid), '--case', created.path]);
  assert.equal(text.exitCode, 1);
  assert.match(text.stdout, /: failed/);
  assert.match(text.stdout, /No process was captured/);
});

test('capture local of a container id that no process carries is failed and exits 1', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const run = await runKustody(['capture', 'local', '--container-id', 'f'.repeat(64), '--case', created.path, '--json']);
  assert.equal(run.exitCode, 1, run.stdout + run.stderr);
  assert.equal((JSON.parse(run.stdout) as { status: string }).status, 'failed');
  assert.equal(query(join(created.path, 'evidence.db'), "SELECT outcome FROM actions WHERE json_extract(detail, '$.step') = 'capture-end'"), 'failed');
});

test('capture pod of a pod that does not exist is failed, exits 1, and is recorded as a failed capture with the reason', { timeout: 120_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  // A namespace nobody creates: the read is a 404, and nothing in the cluster is touched.
  const ns = `lcase-missing-${Math.random().toString(36).slice(2, 7)}`;
  const run = await runKustody(['capture', 'pod', `${ns}/ghost`, '--case', created.path, '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 1, run.stdout + run.stderr);
  const summary = JSON.parse(run.stdout) as { status: string; notes: string[]; captureId: string };
  assert.equal(summary.status, 'failed');
  assert.match(summary.notes.join('\n'), /Not found while trying to read pod/);
  const db = join(created.path, 'evidence.db');
  assert.equal(query(db, `SELECT target, status FROM captures WHERE capture_id = '${summary.captureId}'`), `pod:${ns}/ghost\tfailed`);
  const steps = query(db, "SELECT json_extract(detail, '$.step'), outcome FROM actions WHERE kind = 'observe' ORDER BY seq");
  assert.equal(steps, 'capture-start\tstarted\ncapture-end\tfailed');
});
