/** `exercise score` from a case's custody log and exercise log, built through the real store: points, mistakes, hints and the rows behind each. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readScoreInput } from '../../src/adapters/exercise/score-input.js';
import { loadScenario } from '../../src/adapters/exercise/scenario-files.js';
import { scoreExercise, type ScoreCard } from '../../src/core/exercise/score.js';
import { makeTempDir, runKustody } from '../helpers/cli.js';
import { exerciseCase, minute, NS } from './score-fixture.js';

function fresh(t: TestContext) {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const c = exerciseCase(dir);
  t.after(() => c.close());
  return c;
}

const item = (card: ScoreCard, id: string) => {
  const found = card.items.find((i) => i.id === id);
  assert.ok(found !== undefined, `no item ${id} in ${card.items.map((i) => i.id).join(', ')}`);
  return found;
};

test('a good response (capture, isolate in time, TokenReview proof, the attacker pod captured, export) meets every objective and scores the maximum, each item naming its custody row', (t) => {
  const c = fresh(t);
  const capture = c.captured(minute(1), 'web');
  const isolate = c.isolated(minute(2), 'web');
  const proof = c.tokens(minute(5), 'web', 'revoked');
  const found = c.captured(minute(6), 'web-debug');
  const exported = c.exported(minute(8));
  c.stop(minute(9));
  const card = scoreExercise(readScoreInput(c.path));
  assert.equal(card.max, 90);
  assert.equal(card.total, 90);
  assert.deepEqual([card.objectivesMet, card.objectives], [5, 5]);
  assert.equal(card.provisional, false);
  assert.deepEqual(item(card, 'capture-first').evidence, [{ table: 'actions', rowid: capture }, { table: 'actions', rowid: isolate }]);
  assert.deepEqual(item(card, 'isolate').evidence, [{ table: 'actions', rowid: isolate }]);
  assert.match(item(card, 'isolate').why, /isolated 2\.0 scenario minutes after the start \(limit 10\)/);
  assert.deepEqual(item(card, 'revoke').evidence, [{ table: 'actions', rowid: proof }]);
  assert.deepEqual(item(card, 'find-pod').evidence, [{ table: 'actions', rowid: found }]);
  assert.deepEqual(item(card, 'export').evidence, [{ table: 'actions', rowid: exported }]);
  assert.ok(card.items.filter((i) => i.kind === 'mistake').every((i) => !i.met && i.points === 0));
  assert.deepEqual(card.metrics.map((m) => [m.id, m.value]), [['time-to-first-capture', 60], ['time-to-isolation', 120], ['volatile-before-containment', 1], ['attacker-identity-revoked', 1]]);
});

test('deleting the web pod outside kustody before any capture, and never finding the attacker pod, scores lower with each mistake named and its exercise log row', (t) => {
  const c = fresh(t);
  c.exported(minute(3));
  const gone = c.event(minute(9), 'deleted-object', `Pod ${NS}/web`, { apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'web', uid: 'u1', by: 'facilitator' }, 'gone');
  c.event(minute(9), 'deleted-object', `Pod ${NS}/web-debug`, { apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'web-debug', uid: 'u2', by: 'attacker' }, 'deleted');
  c.stop(minute(9));
  const card = scoreExercise(readScoreInput(c.path));
  const deleted = item(card, 'deleted-before-capture');
  assert.deepEqual([deleted.met, deleted.points], [true, -20]);
  assert.match(deleted.why, /deleted outside kustody \(gone at exercise stop\) and never captured/);
  assert.deepEqual(deleted.evidence, [{ table: 'exercise_events', rowid: gone }]);
  assert.deepEqual([item(card, 'missed-pod').met, item(card, 'missed-pod').points], [true, -10]);
  const unrecorded = item(card, 'unrecorded-change:Pod/web');
  assert.deepEqual([unrecorded.met, unrecorded.points], [true, -10]);
  assert.equal(card.items.some((i) => i.id === 'unrecorded-change:Pod/web-debug'), false, 'an object exercise stop deleted itself is not a team change');
  assert.deepEqual([item(card, 'capture-first').met, item(card, 'find-pod').met], [false, false]);
  assert.equal(card.total, 10 - 20 - 10 - 10);
  assert.deepEqual([card.objectivesMet, card.objectives], [1, 5]);
});

test('isolation after the time limit, a release before the tokens were proven dead, and a token found valid again each cost what they should', (t) => {
  const c = fresh(t);
  c.captured(minute(1), 'web');
  c.isolated(minute(12), 'web');
  const release = c.released(minute(12.5), 'web');
  c.tokens(minute(13), 'web', 'revoked');
  c.tokens(minute(14), 'web', 'still-valid');
  const card = scoreExercise(readScoreInput(c.path));
  assert.equal(item(card, 'isolate').met, false);
  assert.match(item(card, 'isolate').why, /isolated 12\.0 scenario minutes after the start \(limit 10\)/);
  assert.equal(item(card, 'revoke').met, false);
  assert.match(item(card, 'revoke').why, /a later TokenReview \(row \d+\) found a token of system:serviceaccount:kx-score:web still valid/);
  const released = item(card, 'released-before-revoke:web');
  assert.deepEqual([released.met, released.points, released.evidence], [true, -15, [{ table: 'actions', rowid: release }]]);
  assert.equal(card.provisional, true);
});

test('a planted object is found by a note naming it as a word, not by a longer name that contains it; hints cost once each however often given', (t) => {
  const c = fresh(t);
  c.note(minute(2), 'checked web-debugger: nothing');
  assert.equal(item(scoreExercise(readScoreInput(c.path)), 'find-pod').met, false);
  const note = c.note(minute(3), 'Found pod web-debug started by the stolen token.');
  c.event(minute(4), 'hint', 'who', { text: 'x', cost: 5, repeat: false }, 'given');
  c.event(minute(5), 'hint', 'who', { text: 'x', cost: 5, repeat: true }, 'given');
  const second = c.event(minute(6), 'hint', 'second-pod', { text: 'y', cost: 15, repeat: false }, 'given');
  const card = scoreExercise(readScoreInput(c.path));
  assert.deepEqual(item(card, 'find-pod').evidence, [{ table: 'actions', rowid: note }]);
  assert.deepEqual(card.items.filter((i) => i.kind === 'hint').map((i) => [i.id, i.points]), [['hint:who', -5], ['hint:second-pod', -15]]);
  assert.deepEqual(item(card, 'hint:second-pod').evidence, [{ table: 'exercise_events', rowid: second }]);
});

test('a planted object listed by a persistence sweep counts as found, with the sweep row as evidence', (t) => {
  const c = fresh(t);
  const sweep = c.swept(minute(4), 'Pod', 'web-debug');
  const card = scoreExercise(readScoreInput(c.path));
  assert.deepEqual([item(card, 'find-pod').met, item(card, 'find-pod').evidence], [true, [{ table: 'actions', rowid: sweep }]]);
  assert.deepEqual([item(card, 'missed-pod').met, item(card, 'missed-pod').points], [false, 0]);
});

test('the same case and exercise log always give the same score: twice in process, and byte for byte from the CLI', async (t) => {
  const c = fresh(t);
  c.captured(minute(1), 'web');
  c.isolated(minute(3), 'web');
  c.event(minute(4), 'hint', 'who', { cost: 5 }, 'given');
  c.stop(minute(10));
  assert.deepEqual(scoreExercise(readScoreInput(c.path)), scoreExercise(readScoreInput(c.path)));
  const first = await runKustody(['exercise', 'score', c.path, '--json']);
  const second = await runKustody(['exercise', 'score', c.path, '--json']);
  assert.equal(first.exitCode, 0, first.stderr);
  assert.equal(first.stdout, second.stdout);
  assert.equal((JSON.parse(first.stdout) as ScoreCard).total, 20 + 15 - 10 - 5, 'capture-first and isolate met, the attacker pod missed, one hint');
  const text = await runKustody(['exercise', 'score', c.path]);
  assert.match(text.stdout, /^Score 20 of 90 · token-theft · exercise 1$/m);
  assert.match(text.stdout, /✓ +\+20 {2}capture-first: Capture the web pod's volatile state before containing it\. .*\[custody \d+, custody \d+\]/);
});

test('identity-revoked is met by kustody deleting the ServiceAccount (revoke --delete-sa, --rotate-sa or a sweep) with no token to review, but not by an unverified deletion, and a later TokenReview finding a token valid undoes it', (t) => {
  const c = fresh(t);
  c.deletedAccount(minute(2), 'web', 'delete-sa', 'unverified');
  const first = scoreExercise(readScoreInput(c.path));
  assert.equal(item(first, 'revoke').met, false, 'a deletion not read back gone proves nothing');
  const gone = c.deletedAccount(minute(3), 'web', 'rotate-sa-delete');
  const second = scoreExercise(readScoreInput(c.path));
  assert.equal(item(second, 'revoke').met, true);
  assert.match(item(second, 'revoke').why, /ServiceAccount kx-score\/web deleted through kustody at .* read back gone: every token bound to its uid is rejected/);
  assert.deepEqual(item(second, 'revoke').evidence, [{ table: 'actions', rowid: gone }]);
  const valid = c.tokens(minute(4), 'web', 'still-valid');
  const third = scoreExercise(readScoreInput(c.path));
  assert.equal(item(third, 'revoke').met, false);
  assert.deepEqual(item(third, 'revoke').evidence, [{ table: 'actions', rowid: gone }, { table: 'actions', rowid: valid }]);
  c.deletedAccount(minute(5), 'other', 'sweep-ServiceAccount-kx-score-other');
  assert.equal(item(scoreExercise(readScoreInput(c.path)), 'revoke').met, false, 'another account\'s deletion does not count');
});

test('a pod the attacker starts with an inject (cryptominer\'s metrics-agent-2) is charged like its other pods: deleted outside kustody before any capture costs the default 20 points and a change outside kustody 10', () => {
  const loaded = loadScenario('cryptominer');
  assert.ok(loaded.scenario !== null, JSON.stringify(loaded.problems));
  const detail = { apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'metrics-agent-2', uid: 'u2', by: 'attacker' };
  const card = scoreExercise({
    scenario: loaded.scenario,
    exercise: { id: 1, namespace: NS, startedAt: minute(0), stoppedAt: minute(10), minuteSeconds: 60 },
    custody: [],
    events: [{ seq: 7, at: minute(10), kind: 'deleted-object', name: `Pod ${NS}/metrics-agent-2`, outcome: 'gone', detail }],
  });
  const deleted = item(card, 'pod-deleted-before-capture:metrics-agent-2');
  assert.deepEqual([deleted.met, deleted.points, deleted.evidence], [true, -20, [{ table: 'exercise_events', rowid: 7 }]]);
  assert.deepEqual([item(card, 'unrecorded-change:Pod/metrics-agent-2').met, item(card, 'released-before-revoke:metrics-agent-2').met], [true, false]);
});

test('identity-revoked is not met by a token TokenReview already rejected before any change (a forged token, or one dead already): its rejection afterwards proves no revocation', (t) => {
  const c = fresh(t);
  c.tokens(minute(3), 'web', 'revoked', false);
  assert.equal(item(scoreExercise(readScoreInput(c.path)), 'revoke').met, false);
  c.tokens(minute(4), 'web', 'revoked', true);
  assert.equal(item(scoreExercise(readScoreInput(c.path)), 'revoke').met, true);
});
