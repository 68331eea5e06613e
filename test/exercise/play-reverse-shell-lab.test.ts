/**
 * A headless team plays the reverse-shell-exfil pack on the lab as exercises/README.md tells the
 * facilitator and the players, and gets three things wrong on purpose: it takes a hint, deletes the
 * C2 pod with kubectl (a change outside kustody, on a pod that was never captured), and never looks
 * at the shell pod the attacker starts once the shop pod is isolated. The score names each one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { kubectl, requireLab } from '../helpers/lab.js';
import { scoreCard, startLabExercise, stopAndReadBack, verdicts } from '../helpers/lab-exercise.js';
import { waitForEvent } from './exercise-helpers.js';

test('reverse-shell-exfil played headless on the lab: capture, isolate, revoke and export meet their objectives; the hint, the C2 pod deleted outside kustody and the never-found shop-worker each cost points and are named; stop removes every object it created', { timeout: 420_000 }, async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  // A real minute: the team needs none of the timed actions, so the isolation limit (10 minutes) is ten real minutes.
  const ex = await startLabExercise(t, lab, 'reverse-shell-exfil', 'rx', 60);
  const { namespace: ns, casePath: kase, team } = ex;
  const hint = await ex.facilitator(['hint', kase, '--json']);
  assert.equal(hint.exitCode, 0, hint.stderr);
  assert.equal((JSON.parse(hint.stdout) as { hint: { id: string } }).hint.id, 'connections');
  await team(['capture', 'pod', `${ns}/shop`, '--case', kase]);
  await team(['isolate', `${ns}/shop`, '--case', kase, '--yes']);
  const worker = await waitForEvent(kase, (r) => r.kind === 'attacker-action' && r.name === 'inject:shell-back');
  assert.equal(worker.outcome, 'ok', 'isolating the shop pod makes the attacker start shop-worker');
  await team(['revoke', `${ns}/shop`, '--case', kase, '--delete-pod', '--yes']);
  const deleted = await kubectl(lab, 'admin', ['delete', 'pod', 'c2', '-n', ns, '--wait=true']);
  assert.equal(deleted.exitCode, 0, deleted.stderr);
  await team(['bundle', 'export', kase, '-o', join(ex.dir, 'case.tar')]);

  const gone = await stopAndReadBack(ex);
  for (const object of [`Namespace ${ns}`, `Secret ${ns}/shop-db`, `Pod ${ns}/c2`, `Pod ${ns}/shop-worker`, `ServiceAccount ${ns}/shop`]) assert.ok(gone.includes(object), `${object} created and read back gone: ${gone.join(', ')}`);

  const card = await scoreCard(ex);
  const byId = (id: string) => card.items.find((i) => i.id === id);
  assert.deepEqual(verdicts(card), {
    'capture-shell': 'met', 'cut-egress': 'met', revoke: 'met', 'find-worker': 'missed', export: 'met',
    'deleted-before-capture': 'avoided', 'released-early': 'avoided',
    'pod-deleted-before-capture:c2': 'made', 'released-before-revoke:c2': 'avoided',
    'pod-deleted-before-capture:shop-worker': 'avoided', 'released-before-revoke:shop-worker': 'avoided',
    'unrecorded-change:Pod/shop': 'avoided', 'unrecorded-change:Pod/c2': 'made',
    'hint:connections': 'taken',
  }, JSON.stringify(card.items.map((i) => `${i.id}: ${i.why}`), null, 1));
  // 25 + 15 + 20 + 10 met, then -5 for the hint, -20 for deleting c2 uncaptured, -10 for doing it outside kustody.
  assert.deepEqual([card.total, card.max, card.objectivesMet, card.objectives, card.provisional], [35, 90, 4, 5, false]);
  assert.match(byId('find-worker')?.why ?? '', /Pod shop-worker was never captured, swept, changed through kustody or named in a note/);
  assert.match(byId('unrecorded-change:Pod/c2')?.why ?? '', /found .*c2 already gone, and no custody row records who removed it/);
  assert.equal(byId('unrecorded-change:Pod/c2')?.evidence[0]?.table, 'exercise_events', 'the change outside kustody is proven by exercise stop\'s own record');
  assert.match(byId('pod-deleted-before-capture:c2')?.why ?? '', /deleted outside kustody \(gone at exercise stop\) and never captured/);
  assert.match(byId('revoke')?.why ?? '', new RegExp(`TokenReview rejected the tokens of system:serviceaccount:${ns}:shop`));
  assert.equal(byId('hint:connections')?.points, -5);

  const report = await ex.facilitator(['report', kase, '--format', 'md']);
  assert.equal(report.exitCode, 0, report.stderr);
  assert.match(report.stdout, /^\*\*Score 35 of 90\*\*, 4 of 5 objectives met\.$/m);
  const areas = /## Areas for improvement\n\n([\s\S]*?)\n\n## /.exec(report.stdout)?.[1] ?? '';
  for (const area of [/Not met: Find the pod the attacker starts to get its shell back\./, /Mistake: pod c2 deleted before any capture of it \(.*; -20 points\)/, /Mistake: Pod \S+\/c2 was changed in the cluster without a record in the case \(.*; -10 points\)/, /Needed the hint "The capture's connection table/]) {
    assert.match(areas, area, 'the after-action report lists each shortfall under areas for improvement');
  }
});
