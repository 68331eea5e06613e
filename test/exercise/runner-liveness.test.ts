/**
 * A dead exercise runner is found from real processes (/proc): a process started here and SIGKILLed,
 * a recorded PID now held by another process (pid reuse: the start time differs), and a stop under way.
 * Found once, recorded once; a replay is closed, a live exercise stays open for `exercise stop`.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { insertExercise, openExerciseLog, recordEvent, setAttackerProcess, type ExerciseLog } from '../../src/adapters/exercise/exercise-log.js';
import { processStartTicks } from '../../src/adapters/exercise/attacker-process.js';
import { blockingExercise, noticeDeadRunner, runnerDead } from '../../src/adapters/exercise/runner-liveness.js';
import { makeTempDir } from '../helpers/cli.js';

const BASE = { scenario_id: 'token-theft', scenario_sha256: 'a'.repeat(64), namespace: 'kx-1', started_at: '2026-12-07T06:00:00.000Z', server: 'https://127.0.0.1:6443', minute_seconds: 60, scenario_json: '{}' };
const NOW = '2026-12-07T06:30:00.000Z';

function freshLog(t: TestContext): ExerciseLog {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const log = openExerciseLog(dir, { create: true });
  t.after(() => log.close());
  return log;
}

/** A real process that lives until killed. */
async function sleeper(t: TestContext): Promise<{ pid: number; ticks: string; kill: () => Promise<void> }> {
  const child = spawn('sleep', ['120'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const pid = child.pid ?? 0;
  let ticks = processStartTicks(pid);
  for (let i = 0; ticks === null && i < 50; i += 1) {
    await new Promise((r) => setTimeout(r, 20));
    ticks = processStartTicks(pid);
  }
  assert.ok(ticks !== null, 'the sleeper has no /proc entry');
  return { pid, ticks, kill: async () => { child.kill('SIGKILL'); await exited; } };
}

const row = (log: ExerciseLog, id: number) => log.db.prepare('SELECT * FROM exercise WHERE id = ?').get(id) as Parameters<typeof runnerDead>[0];
const died = (log: ExerciseLog, id: number) => log.db.prepare("SELECT COUNT(*) AS n FROM exercise_events WHERE exercise_id = ? AND kind = 'error' AND name = 'runner-died'").get(id) as { n: number };

test('a live exercise whose attacker process is SIGKILLed is found dead once, recorded once as runner-died, and stays open for exercise stop; while it ran it blocked a new exercise', async (t) => {
  const log = freshLog(t);
  const proc = await sleeper(t);
  const id = insertExercise(log, { ...BASE, context: 'admin@kustody-lab' });
  setAttackerProcess(log, id, proc.pid, proc.ticks);
  assert.equal(runnerDead(row(log, id)), false);
  assert.equal(noticeDeadRunner(log, row(log, id), NOW, 'test'), null);
  assert.equal(blockingExercise(log, NOW, 'test').blocking?.id, id, 'a running exercise must block a new one');
  await proc.kill();
  const found = noticeDeadRunner(log, row(log, id), NOW, 'test');
  assert.ok(found !== null);
  assert.match(found.message, new RegExp(`attacker process \\(pid ${proc.pid}\\) died at or before ${NOW}`));
  assert.equal(found.closed, false);
  assert.equal(row(log, id).stopped_at, null, 'a live exercise must stay open: its objects are still on the cluster');
  assert.deepEqual(noticeDeadRunner(log, row(log, id), '2026-12-07T07:00:00.000Z', 'again'), found);
  assert.equal(died(log, id).n, 1);
  const after = blockingExercise(log, NOW, 'test');
  assert.deepEqual([after.blocking, after.interrupted?.exerciseId], [null, id]);
});

test('a recorded PID now held by another process (a different start time) is a dead runner, never the recorded one; a replay found dead is closed', async (t) => {
  const log = freshLog(t);
  const other = await sleeper(t);
  const id = insertExercise(log, { ...BASE, context: 'replay' });
  // The PID is alive, but its start time is not the one recorded: PID reuse.
  setAttackerProcess(log, id, other.pid, String(Number(other.ticks) + 1));
  assert.equal(runnerDead(row(log, id)), true);
  const found = noticeDeadRunner(log, row(log, id), NOW, 'test');
  assert.match(found?.message ?? '', /replay process/);
  assert.equal(found?.closed, true);
  assert.equal(row(log, id).stopped_at, NOW);
});

test('an attacker stopped by exercise stop (attacker-stopped recorded, objects still being deleted) is not an interruption', async (t) => {
  const log = freshLog(t);
  const proc = await sleeper(t);
  const id = insertExercise(log, { ...BASE, context: 'admin@kustody-lab' });
  setAttackerProcess(log, id, proc.pid, proc.ticks);
  recordEvent(log, id, { at: NOW, kind: 'facilitator', name: 'attacker-stopped', detail: { pid: proc.pid }, outcome: 'stopped' });
  await proc.kill();
  assert.equal(noticeDeadRunner(log, row(log, id), NOW, 'test'), null);
  assert.equal(died(log, id).n, 0);
});
