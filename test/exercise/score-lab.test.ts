/** A scripted headless team plays token-theft on the lab; `exercise score` and `exercise report` then read what it actually did. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScoreCard } from '../../src/core/exercise/score.js';
import { newCase, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab } from '../helpers/lab.js';
import { exerciseCli, scoreCard, startLabExercise, stopAndReadBack, type LabExercise } from '../helpers/lab-exercise.js';
import { waitForEvent } from './exercise-helpers.js';

/** The README's end of an exercise: stop, every created object read back gone, then the final score. */
async function stopAndScore(ex: LabExercise): Promise<ScoreCard> {
  await stopAndReadBack(ex);
  return scoreCard(ex);
}

test('a good headless response (capture, isolate, capture the planted pod, revoke with TokenReview proof, export) meets every objective, makes no mistake and scores the maximum', { timeout: 420_000 }, async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  // Twenty seconds a scenario minute: the attacker plants web-debug at minute 3 (60 s), isolation must come within
  // 10 scenario minutes (200 s of real time, about ten times what capture + isolate take on a loaded lab).
  const ex = await startLabExercise(t, lab, 'token-theft', 'sg', 20);
  const { dir, casePath, namespace, team } = ex;
  await team(['capture', 'pod', `${namespace}/web`, '--case', casePath]);
  await team(['isolate', `${namespace}/web`, '--case', casePath, '--yes']);
  await waitForEvent(casePath, (r) => r.kind === 'attacker-action' && r.name === 'start-pod' && r.outcome === 'ok');
  await team(['capture', 'pod', `${namespace}/web-debug`, '--case', casePath]);
  await team(['revoke', `${namespace}/web`, '--case', casePath, '--delete-pod', '--yes']);
  await team(['bundle', 'export', casePath, '-o', join(dir, 'case.tar')]);
  const card = await stopAndScore(ex);
  const missed = card.items.filter((i) => (i.kind === 'objective' && !i.met) || (i.kind === 'mistake' && i.met));
  assert.deepEqual(missed.map((i) => `${i.id}: ${i.why}`), []);
  assert.deepEqual([card.total, card.max, card.objectivesMet, card.objectives, card.provisional], [90, 90, 5, 5, false]);
  assert.ok(card.items.find((i) => i.id === 'revoke')?.why.includes(`system:serviceaccount:${namespace}:web`));
  const report = await exerciseCli(lab, ['report', casePath, '--format', 'md']);
  assert.equal(report.exitCode, 0, report.stderr);
  assert.match(report.stdout, /^\*\*Score 90 of 90\*\*, 5 of 5 objectives met\.$/m);
  assert.match(report.stdout, /\| Exercise \| ` attacker-action ` \| ` attacker start-pod: ok/);
});

test('deleting the pod with kubectl before any capture and never finding the planted pod scores lower, with both mistakes and the change made outside kustody named', { timeout: 420_000 }, async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  const ex = await startLabExercise(t, lab, 'token-theft', 'sb', 20);
  const { casePath, namespace } = ex;
  const deleted = await kubectl(lab, 'admin', ['delete', 'pod', 'web', '-n', namespace, '--wait=true']);
  assert.equal(deleted.exitCode, 0, deleted.stderr);
  await waitForEvent(casePath, (r) => r.kind === 'attacker-action' && r.name === 'start-pod');
  const card = await stopAndScore(ex);
  const made = card.items.filter((i) => i.kind === 'mistake' && i.met).map((i) => [i.id, i.points]);
  assert.deepEqual(made, [['deleted-before-capture', -20], ['missed-pod', -10], [`unrecorded-change:Pod/web`, -10]]);
  const deletedItem = card.items.find((i) => i.id === 'deleted-before-capture');
  assert.match(deletedItem?.why ?? '', /deleted outside kustody \(gone at exercise stop\) and never captured/);
  assert.equal(deletedItem?.evidence[0]?.table, 'exercise_events');
  assert.ok(card.total < 0, `score ${card.total}`);
  assert.equal(card.objectivesMet, 0);
});

test('a team that revokes the stolen deploy-bot token but never sweeps is charged for the missed CronJob and RoleBinding, named in score --json; its persistence sweep then lists them, revoke --service-account deletes the backdoor account, and every objective is met; recorded, that play replays with no cluster to every objective met', { timeout: 420_000 }, async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  // Five seconds a scenario minute: account at 10 s, binding at 15 s, CronJob at 20 s.
  const ex = await startLabExercise(t, lab, 'planted-persistence', 'sp', 5);
  const { dir, casePath, namespace, team } = ex;
  // The sweep window opens on the next whole second (creationTimestamp resolution): after the scenario's own objects, before the attacker's.
  const since = new Date(Math.ceil(Date.now() / 1000) * 1000).toISOString();
  await team(['capture', 'pod', `${namespace}/deploy-bot`, '--case', casePath]);
  await waitForEvent(casePath, (r) => r.kind === 'attacker-action' && r.name === 'cronjob' && r.outcome === 'ok');
  await team(['revoke', `${namespace}/deploy-bot`, '--case', casePath, '--delete-pod', '--yes']);
  const before = await scoreCard(ex);
  const byId = (card: ScoreCard, id: string) => card.items.find((i) => i.id === id);
  assert.deepEqual(before.items.filter((i) => i.kind === 'mistake' && i.met).map((i) => [i.id, i.points]), [['missed-cronjob', -20], ['missed-binding', -20]]);
  assert.match(byId(before, 'missed-cronjob')?.why ?? '', /CronJob log-rotate was never captured, swept, changed through kustody or named in a note/);
  assert.equal(byId(before, 'revoke-bot')?.met, true, byId(before, 'revoke-bot')?.why);

  const sweep = await team(['audit', 'sweep', casePath, '-n', namespace, '--since', since, '--yes', '--json']);
  const swept = (JSON.parse(sweep.stdout) as { items: Array<{ kind: string; name: string }> }).items.map((i) => `${i.kind}/${i.name}`);
  for (const planted of ['CronJob/log-rotate', 'RoleBinding/metrics-reader', 'ServiceAccount/metrics']) assert.ok(swept.includes(planted), `${planted} not swept: ${swept.join(', ')}`);
  assert.equal(byId(before, 'revoke-backdoor')?.met, false, 'the backdoor account is not revoked by revoking the bot');
  // The README's good response: the backdoor the sweep found is revoked by name, no pod runs as it.
  await team(['revoke', '--service-account', `${namespace}/metrics`, '--case', casePath, '--rbac', '--delete-sa', '--yes']);
  await team(['bundle', 'export', casePath, '-o', join(dir, 'case.tar')]);
  const after = await stopAndScore(ex);
  assert.deepEqual(after.items.filter((i) => i.kind === 'mistake' && i.met).map((i) => `${i.id}: ${i.why}`), []);
  for (const id of ['revoke-bot', 'find-cronjob', 'find-binding', 'find-account', 'revoke-backdoor', 'export']) assert.equal(byId(after, id)?.met, true, `${id}: ${byId(after, id)?.why}`);
  assert.match(byId(after, 'find-cronjob')?.why ?? '', /listed by a persistence sweep/);
  assert.deepEqual([after.total, after.max, after.objectivesMet, after.objectives, before.total], [90, 90, 6, 6, -25]);

  // Recorded (as scripts/make-exercise-recording.sh records the shipped file), this play replays with no cluster to every objective met:
  // the account revocation is a recorded `revoke-sa` move.
  const recording = join(dir, 'recording.json');
  const record = await exerciseCli(lab, ['record', casePath, '-o', recording]);
  assert.equal(record.exitCode, 0, record.stdout + record.stderr);
  assert.deepEqual((JSON.parse(readFileSync(recording, 'utf8')) as { response: Array<{ move: string; pod: string | null }> }).response.map((m) => `${m.move}:${m.pod ?? ''}`), ['capture:deploy-bot', 'revoke:deploy-bot', 'sweep:', 'revoke-sa:metrics']);
  const noCluster = { KUBECONFIG: join(dir, 'no-such-kubeconfig') };
  const replayCase = await newCase(dir, 'replay of the recorded play');
  const replayed = await runKustody(['exercise', 'replay', 'planted-persistence', '--case', replayCase.path, '--recording', recording, '--minute-seconds', '0.05', '--yes'], { env: noCluster });
  assert.equal(replayed.exitCode, 0, replayed.stdout + replayed.stderr);
  assert.equal((await runKustody(['bundle', 'export', replayCase.path, '-o', join(dir, 'replay.tar')], { env: noCluster })).exitCode, 0);
  const replayScore = await runKustody(['exercise', 'score', replayCase.path, '--json'], { env: noCluster });
  const card = JSON.parse(replayScore.stdout) as ScoreCard;
  assert.deepEqual(card.items.filter((i) => (i.kind === 'objective' && !i.met) || (i.kind === 'mistake' && i.met)).map((i) => `${i.id}: ${i.why}`), []);
  assert.match(byId(card, 'revoke-backdoor')?.why ?? '', /ServiceAccount \S+\/metrics deleted through kustody at .* \(simulated\)/);
  assert.deepEqual([card.total, card.max, card.replay], [90, 90, true]);
});
