/**
 * A headless team plays the cryptominer pack on the lab exactly as exercises/README.md tells the
 * facilitator and the players, with one deliberate mistake (releasing the miner before the leaked
 * token is revoked); the score and the after-action report are then read from what it actually did.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { requireLab } from '../helpers/lab.js';
import { scoreCard, startLabExercise, stopAndReadBack, verdicts, waitPodReady } from '../helpers/lab-exercise.js';
import { exerciseEvents, waitForEvent } from './exercise-helpers.js';

test('cryptominer played headless on the lab: capture, isolate, capture the second miner and the builder, revoke the builder with TokenReview proof, export; releasing the miner before the revoke costs its 10 points and is named; stop removes every object it created', { timeout: 420_000 }, async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  // Twenty seconds a scenario minute: the miner starts at minute 2 (40 s); the isolation limit of
  // 10 scenario minutes leaves 160 s for a pod start, a capture and an isolation (10–15 s on an idle
  // lab), so a machine loaded ten times over still makes it.
  const ex = await startLabExercise(t, lab, 'cryptominer', 'cm', 20);
  const { namespace: ns, casePath: kase, team } = ex;
  await waitForEvent(kase, (r) => r.kind === 'attacker-action' && r.name === 'start-miner' && r.outcome === 'ok');
  await waitPodReady(ex, 'metrics-agent');
  await team(['capture', 'pod', `${ns}/metrics-agent`, '--case', kase]);
  await team(['isolate', `${ns}/metrics-agent`, '--case', kase, '--yes']);
  const second = await waitForEvent(kase, (r) => r.kind === 'attacker-action' && r.name === 'inject:second-miner');
  assert.equal(second.outcome, 'ok', 'isolating the first miner makes the attacker start a second one');
  // The mistake: the team lets the first miner go before the token that started it is dead.
  await team(['release', `${ns}/metrics-agent`, '--case', kase, '--yes']);
  await waitPodReady(ex, 'metrics-agent-2');
  await team(['capture', 'pod', `${ns}/metrics-agent-2`, '--case', kase]);
  await team(['capture', 'pod', `${ns}/builder`, '--case', kase]);
  await team(['revoke', `${ns}/builder`, '--case', kase, '--delete-pod', '--yes']);
  await team(['bundle', 'export', kase, '-o', join(ex.dir, 'case.tar')]);

  const provisional = await scoreCard(ex);
  assert.equal(provisional.provisional, true, 'the score is provisional while the exercise runs');
  const gone = await stopAndReadBack(ex);
  for (const object of [`Namespace ${ns}`, `Pod ${ns}/pool`, `Pod ${ns}/metrics-agent`, `Pod ${ns}/metrics-agent-2`, `ServiceAccount ${ns}/builder`]) assert.ok(gone.includes(object), `${object} created and read back gone: ${gone.join(', ')}`);

  const card = await scoreCard(ex);
  const byId = (id: string) => card.items.find((i) => i.id === id);
  assert.deepEqual(verdicts(card), {
    'capture-miner': 'met', 'isolate-miner': 'met', 'revoke-runner': 'met', 'find-second-miner': 'met', export: 'met',
    'deleted-before-capture': 'avoided', 'released-early': 'made',
    'pod-deleted-before-capture:pool': 'avoided', 'released-before-revoke:pool': 'avoided',
    'pod-deleted-before-capture:builder': 'avoided', 'released-before-revoke:builder': 'avoided',
    'pod-deleted-before-capture:metrics-agent-2': 'avoided', 'released-before-revoke:metrics-agent-2': 'avoided',
    'unrecorded-change:Pod/builder': 'avoided',
  }, JSON.stringify(card.items.map((i) => `${i.id}: ${i.why}`), null, 1));
  assert.deepEqual([card.total, card.max, card.objectivesMet, card.objectives, card.provisional], [80, 90, 5, 5, false]);
  assert.equal(byId('released-early')?.points, -10);
  assert.match(byId('released-early')?.why ?? '', /released at \S+ before any TokenReview proved its tokens dead/);
  assert.equal(byId('released-early')?.evidence[0]?.table, 'actions', 'the mistake points at the release row of the custody log');
  assert.match(byId('revoke-runner')?.why ?? '', new RegExp(`TokenReview rejected the tokens of system:serviceaccount:${ns}:builder`));
  assert.match(byId('capture-miner')?.why ?? '', /captured at \S+, before containment at/);
  assert.ok(exerciseEvents(kase).some((r) => r.kind === 'attacker-action' && r.name === 'try-nodes' && r.outcome === 'refused'), 'the cluster refused the attacker\'s all-namespaces list, and the exercise went on');

  const report = await ex.facilitator(['report', kase, '--format', 'md']);
  assert.equal(report.exitCode, 0, report.stderr);
  assert.match(report.stdout, /^\*\*Score 80 of 90\*\*, 5 of 5 objectives met\.$/m);
  assert.match(report.stdout, /## Areas for improvement\n\n- ` Mistake: pod metrics-agent released before its identity was revoked \(released at \S+ before any TokenReview proved its tokens dead; -10 points\)\. `\n\n## Improvement plan/);
});
