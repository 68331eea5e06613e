/**
 * `kustody exercise replay` with no cluster at all (KUBECONFIG names a file that does not exist): the
 * shipped recordings of real lab runs are played, moves are simulated into the custody log, injects fire
 * on the scenario clock and on the team's events, and `exercise score`/`report` read the result as a
 * live exercise, saying what was simulated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import type { ScoreCard } from '../../src/core/exercise/score.js';
import { KUSTODY_BIN, makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { exerciseEvents } from './exercise-helpers.js';

const NO_CLUSTER = { KUBECONFIG: '/nonexistent/kubeconfig-for-replay' };
const kustody = (args: string[]) => runKustody(args, { env: NO_CLUSTER });

async function replay(scenario: string, extra: string[]): Promise<{ dir: string; casePath: string; card: () => Promise<ScoreCard>; cleanup: () => void }> {
  const { dir, cleanup } = makeTempDir();
  const kase = await newCase(dir);
  // 50 ms a scenario minute: the whole timeline plays in well under a second of waits.
  const run = await kustody(['exercise', 'replay', scenario, '--case', kase.path, '--minute-seconds', '0.05', '--yes', ...extra]);
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const card = async () => {
    const score = await kustody(['exercise', 'score', kase.path, '--json']);
    assert.equal(score.exitCode, 0, score.stderr);
    return JSON.parse(score.stdout) as ScoreCard;
  };
  return { dir, casePath: kase.path, card, cleanup };
}

function custodyRows(casePath: string): Array<{ seq: number; kind: string; target: string; outcome: string; detail: Record<string, unknown> }> {
  const db = new Database(join(casePath, 'evidence.db'), { readonly: true });
  try {
    return (db.prepare('SELECT seq, kind, target, outcome, detail FROM actions ORDER BY seq').all() as Array<{ seq: number; kind: string; target: string; outcome: string; detail: string }>)
      .map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

test('replaying token-theft with the recorded lab response and no cluster meets every objective with the maximum score, every change marked simulated, and the bundle verifies', { timeout: 120_000 }, async (t) => {
  const r = await replay('token-theft', []);
  t.after(r.cleanup);
  assert.equal((await kustody(['bundle', 'export', r.casePath, '-o', join(r.dir, 'case.tar')])).exitCode, 0);
  const card = await r.card();
  assert.deepEqual([card.total, card.max, card.objectivesMet, card.objectives, card.provisional, card.replay], [90, 90, 5, 5, false, true]);
  assert.deepEqual(card.items.filter((i) => i.kind === 'mistake' && i.met).map((i) => i.id), []);
  for (const id of ['capture-first', 'isolate', 'revoke', 'find-pod']) assert.match(card.items.find((i) => i.id === id)?.why ?? '', /\(simulated\)/, id);
  const rows = custodyRows(r.casePath).filter((row) => row.detail.simulated === true);
  assert.deepEqual(rows.map((row) => `${row.kind} ${row.outcome}`), ['observe simulated', 'contain simulated', 'observe simulated', 'revoke simulated', 'revoke simulated']);
  // The inject on pod-isolated fired after the simulated isolation's row was written, its action replayed with the lab's outcome.
  const events = exerciseEvents(r.casePath);
  const isolated = events.findIndex((e) => e.kind === 'inject' && e.name === 'still-reading');
  assert.ok(isolated > 0 && events[isolated + 1]?.name === 'inject:still-reading' && events[isolated + 1]?.outcome === 'ok', JSON.stringify(events.map((e) => e.name)));
  assert.equal(events.find((e) => e.name === 'probe-cluster')?.outcome, 'refused');
  assert.ok(events.some((e) => e.kind === 'inject' && e.name === 'gateway-alert'));
  const verify = await kustody(['bundle', 'verify', join(r.dir, 'case.tar')]);
  assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
  const watch = await kustody(['exercise', 'watch', r.casePath, '--once']);
  assert.match(watch.stdout, /score 90\/90, objectives 5\/5/, 'exercise watch reads the simulated captures and revocations as the score does');
  const report = await kustody(['exercise', 'report', r.casePath, '--format', 'md']);
  assert.equal(report.exitCode, 0, report.stderr);
  assert.match(report.stdout, /\*\*Replay without a cluster: .* was simulated, not done on a cluster\.\*\*/);
  assert.match(report.stdout, /isolated \(simulated\)/);
});

test('a replayed team that deletes the pod with kubectl before capturing it and never looks at the attacker\'s pod is charged for both and for the change made outside kustody; its late capture fails', { timeout: 120_000 }, async (t) => {
  const r = await replay('token-theft', ['--moves', 'delete:web@0.5,capture:web@1,isolate:web@2']);
  t.after(r.cleanup);
  const card = await r.card();
  assert.deepEqual(card.items.filter((i) => i.kind === 'mistake' && i.met).map((i) => [i.id, i.points]), [['deleted-before-capture', -20], ['missed-pod', -10], ['unrecorded-change:Pod/web', -10]]);
  assert.match(card.items.find((i) => i.id === 'deleted-before-capture')?.why ?? '', /deleted outside kustody/);
  assert.equal(card.objectivesMet, 0);
  assert.ok(card.total < 0);
  const rows = custodyRows(r.casePath).filter((row) => row.detail.simulated === true);
  assert.deepEqual(rows.map((row) => `${row.kind} ${row.outcome}`), ['observe failed', 'contain failed']);
  assert.match(String(rows[0]?.detail.error), /does not exist at this point of the replay/);
});

test('replaying planted-persistence: a sweep before the attacker plants anything finds nothing and the CronJob and RoleBinding stay missed; a sweep after finds all three (simulated)', { timeout: 120_000 }, async (t) => {
  const early = await replay('planted-persistence', ['--moves', 'capture:deploy-bot@0.5,revoke:deploy-bot@1,sweep@1.5']);
  t.after(early.cleanup);
  const missed = await early.card();
  assert.deepEqual(missed.items.filter((i) => i.kind === 'mistake' && i.met).map((i) => i.id), ['missed-cronjob', 'missed-binding']);
  assert.equal(missed.items.find((i) => i.id === 'revoke-bot')?.met, true);
  const late = await replay('planted-persistence', ['--moves', 'capture:deploy-bot@0.5,revoke:deploy-bot@1,sweep@5']);
  t.after(late.cleanup);
  const found = await late.card();
  for (const id of ['find-cronjob', 'find-binding', 'find-account']) assert.match(found.items.find((i) => i.id === id)?.why ?? '', /listed by a persistence sweep at .* \(simulated\)/, id);
  assert.deepEqual(found.items.filter((i) => i.kind === 'mistake' && i.met).map((i) => i.id), []);
  assert.equal(found.total - missed.total, 90);
  // The identity-revoked inject fired on the simulated TokenReview proof.
  assert.ok(exerciseEvents(late.casePath).some((e) => e.kind === 'inject' && e.name === 'still-here'));
});

test('replaying planted-persistence with revoke-sa:metrics after the sweep meets revoke-backdoor from the simulated deletion of the backdoor ServiceAccount; before the attacker creates it, the move fails and the objective stays unmet', { timeout: 120_000 }, async (t) => {
  const good = await replay('planted-persistence', ['--moves', 'capture:deploy-bot@0.5,revoke:deploy-bot@1,sweep@5,revoke-sa:metrics@6']);
  t.after(good.cleanup);
  const card = await good.card();
  const backdoor = card.items.find((i) => i.id === 'revoke-backdoor');
  assert.equal(backdoor?.met, true);
  assert.match(backdoor?.why ?? '', /ServiceAccount kx-rec-planted-persistence-\d+\/metrics deleted through kustody at .* \(simulated\)/);
  const row = custodyRows(good.casePath).find((r) => r.target.endsWith('/metrics') && r.kind === 'revoke');
  assert.deepEqual([row?.outcome, row?.detail.change_id, row?.detail.simulated], ['simulated', 'delete-sa', true]);
  const early = await replay('planted-persistence', ['--moves', 'revoke-sa:metrics@1']);
  t.after(early.cleanup);
  assert.equal((await early.card()).items.find((i) => i.id === 'revoke-backdoor')?.met, false);
  assert.match(String(custodyRows(early.casePath).find((r) => r.kind === 'revoke')?.detail.error), /does not exist at this point of the replay/);
});

test('without --yes a replay shows its plan and records nothing; a bad --moves is refused before anything is written', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const kase = await newCase(dir);
  const plan = await kustody(['exercise', 'replay', 'token-theft', '--case', kase.path]);
  assert.equal(plan.exitCode, 1);
  assert.match(plan.stdout, /moves: capture:web@[\d.]+,isolate:web@[\d.]+,capture:web-debug@[\d.]+,revoke:web@[\d.]+/);
  assert.match(plan.stdout, /Nothing was recorded/);
  const bad = await kustody(['exercise', 'replay', 'token-theft', '--case', kase.path, '--moves', 'capture:web@3,isolate:web@1', '--yes']);
  assert.equal(bad.exitCode, 2, bad.stdout + bad.stderr);
  assert.match(bad.stderr, /earlier than the move before it/);
  assert.deepEqual(exerciseEvents(kase.path), []);
  assert.deepEqual(custodyRows(kase.path).map((r) => r.kind), ['case-open']);
});

test('the shipped recordings hold no token and no Secret value of the lab run', () => {
  for (const id of ['token-theft', 'planted-persistence', 'cryptominer', 'reverse-shell-exfil']) {
    const text = readFileSync(new URL(`../../exercises/recordings/${id}.json`, import.meta.url), 'utf8');
    assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}/, `${id}: a JWT`);
    assert.doesNotMatch(text, /lab-only-not-a-real-password/, `${id}: the Secret's value`);
    assert.ok(text.length < 16_384, `${id}: ${text.length} bytes`);
  }
});

test('moves typed while the replay clock runs are played at the minute they arrive: the attacker\'s pod can be captured only once it has started, and the isolation inject answers the typed isolation', { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const kase = await newCase(dir);
  // Five seconds a scenario minute: the attacker starts web-debug 15 s in (the first typed capture of it must come
  // before, with room for a loaded machine); isolation counts within 10 minutes (50 s); moves are taken for 150 s.
  const child = execa(process.execPath, [KUSTODY_BIN, 'exercise', 'replay', 'token-theft', '--case', kase.path, '--minute-seconds', '5', '--moves', '-', '--yes'], { env: NO_CLUSTER, reject: false, stdin: 'pipe' });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
  const seen = async (pattern: RegExp) => {
    const deadline = Date.now() + 30_000;
    while (!pattern.test(out)) {
      if (Date.now() > deadline) throw new Error(`replay never printed ${pattern}:\n${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await seen(/moves: typed on standard input/);
  child.stdin?.write('capture:web-debug\ncapture:web\n');
  await seen(/capture web: row \d+ simulated/);
  child.stdin?.write('isolate:web\n');
  await seen(/INJECT still-reading/);
  await seen(/attacker start-pod: ok/);
  child.stdin?.write('capture:web-debug\nrevoke:web\nend\n');
  const done = await child;
  assert.equal(done.exitCode, 0, out + done.stderr);
  assert.match(out, /capture web-debug: row \d+ failed[\s\S]*capture web-debug: row \d+ simulated/);
  const score = await kustody(['exercise', 'score', kase.path, '--json']);
  const card = JSON.parse(score.stdout) as ScoreCard;
  for (const id of ['capture-first', 'isolate', 'revoke', 'find-pod']) assert.equal(card.items.find((i) => i.id === id)?.met, true, id);
  const rows = custodyRows(kase.path).filter((row) => row.detail.simulated === true);
  assert.equal(rows.length, 6);
});

/** Starts a replay taking typed moves, waits for its simulated capture of web, and SIGKILLs it. */
async function killedReplay(casePath: string): Promise<number> {
  const child = execa(process.execPath, [KUSTODY_BIN, 'exercise', 'replay', 'token-theft', '--case', casePath, '--minute-seconds', '1', '--moves', '-', '--yes'], { env: NO_CLUSTER, reject: false, stdin: 'pipe' });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
  child.stdin?.write('capture:web\n');
  const deadline = Date.now() + 30_000;
  while (!/capture web: row \d+ simulated/.test(out)) {
    if (Date.now() > deadline) throw new Error(`no capture printed:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await child;
  return child.pid ?? 0;
}

test('a replay whose process was SIGKILLed is found dead by exercise score and watch: recorded once as runner-died, closed as interrupted, scored from what it recorded', { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const kase = await newCase(dir);
  const pid = await killedReplay(kase.path);
  const score = await kustody(['exercise', 'score', kase.path, '--json']);
  assert.equal(score.exitCode, 0, score.stderr);
  const card = JSON.parse(score.stdout) as ScoreCard;
  assert.match(card.interrupted?.message ?? '', new RegExp(`the replay process \\(pid ${pid}\\) died at or before`));
  assert.deepEqual([card.provisional, card.replay, card.items.find((i) => i.id === 'capture-first')?.met], [false, true, true]);
  const watch = await kustody(['exercise', 'watch', kase.path, '--once']);
  assert.match(watch.stdout, /stopped .* \(interrupted\)/);
  assert.match(watch.stdout, /INTERRUPTED: the replay process/);
  assert.equal((await kustody(['exercise', 'score', kase.path])).stdout.match(/INTERRUPTED/g)?.length, 1);
  assert.deepEqual(exerciseEvents(kase.path).filter((e) => e.name === 'runner-died').map((e) => [e.kind, e.outcome, e.detail.noticed_by]), [['error', 'interrupted', 'exercise score']]);
  const stop = await kustody(['exercise', 'stop', kase.path, '--yes', '--json']);
  assert.deepEqual(JSON.parse(stop.stdout), { status: 'nothing-to-do' });
});

test('a new replay into a case whose last replay was SIGKILLed says the old one was interrupted and proceeds', { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const kase = await newCase(dir);
  await killedReplay(kase.path);
  const again = await kustody(['exercise', 'replay', 'token-theft', '--case', kase.path, '--minute-seconds', '0.05', '--moves', 'capture:web@1', '--yes']);
  assert.equal(again.exitCode, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /Exercise 1 \(token-theft\) was interrupted: the replay process \(pid \d+\) died at or before .* It is closed\./);
  assert.deepEqual(exerciseEvents(kase.path).filter((e) => e.name === 'runner-died').map((e) => e.detail.noticed_by), ['exercise replay']);
});

test('every shipped scenario replays from its recording: the recorded lab response meets every objective, with no mistake (planted-persistence\'s includes the recorded revoke-sa of the backdoor account)', { timeout: 240_000 }, async (t) => {
  for (const scenario of ['token-theft', 'cryptominer', 'reverse-shell-exfil', 'planted-persistence']) {
    const r = await replay(scenario, []);
    t.after(r.cleanup);
    assert.equal((await kustody(['bundle', 'export', r.casePath, '-o', join(r.dir, 'case.tar')])).exitCode, 0);
    const card = await r.card();
    assert.deepEqual(card.items.filter((i) => i.kind === 'objective' && !i.met).map((i) => `${i.id}: ${i.why}`), [], scenario);
    assert.deepEqual(card.items.filter((i) => i.kind === 'mistake' && i.met).map((i) => `${i.id}: ${i.why}`), [], scenario);
  }
});
