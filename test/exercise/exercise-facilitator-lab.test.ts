import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, requireLab } from '../helpers/lab.js';
import { KUSTODY_BIN } from '../helpers/cli.js';
import { exerciseCli, startLabExercise } from '../helpers/lab-exercise.js';
import { lacks, needsTmux } from '../helpers/prerequisites.js';
import { startTmux } from '../ui/tmux.js';
import { exerciseEvents, waitForEvent } from './exercise-helpers.js';

test('reverse-shell-exfil on the lab: the reverse shell really exfiltrates the mounted password to the C2 pod; on the watch screen the facilitator fires an inject (run as the attacker) and a hint, each after a y/n question, and both land in the exercise log and on the screen', { timeout: 300_000 }, async (t) => {
  if (lacks(t, needsTmux())) return;
  const lab = await requireLab(t);
  if (lab === null) return;
  const ex = await startLabExercise(t, lab, 'reverse-shell-exfil', 'rs', 30);
  const { namespace, casePath } = ex;
  await waitForEvent(casePath, (r) => r.kind === 'attacker-action' && r.name === 'steal-token');

  const deadline = Date.now() + 60_000;
  let loot = '';
  while (!loot.includes('lab-only-not-a-real-password') && Date.now() < deadline) {
    loot = (await kubectl(lab, 'admin', ['exec', '-n', namespace, 'c2', '--', 'cat', '/tmp/loot'])).stdout;
    if (!loot.includes('lab-only-not-a-real-password')) await new Promise((r) => setTimeout(r, 1000));
  }
  assert.match(loot, /uid=0\(root\)[\s\S]*lab-only-not-a-real-password/, 'the shell ran id and cat on the shop pod and the output reached the C2 pod');

  const watch = startTmux([process.execPath, KUSTODY_BIN, 'exercise', 'watch', casePath], { columns: 160, rows: 60 });
  t.after(() => watch.close());
  await watch.waitFor((s) => /2\. shell-back +on pod-isolated +waiting/.test(s) && s.includes('steal-token'), 'the watch screen with the attacker at work');
  await watch.waitForRawMode();
  watch.send(['2'], true);
  await watch.waitFor((s) => s.includes('Fire inject 2 (shell-back) now, with its attacker action?'), 'the question before firing');
  assert.ok(!exerciseEvents(casePath).some((r) => r.kind === 'inject' && r.name === 'shell-back'), 'nothing is recorded before the answer');
  watch.send(['y'], true);
  const fired = await waitForEvent(casePath, (r) => r.kind === 'inject' && r.name === 'shell-back' && r.outcome === 'fired');
  assert.deepEqual(fired.detail.trigger, { by: 'facilitator' });
  assert.ok(exerciseEvents(casePath).some((r) => r.kind === 'inject' && r.name === 'shell-back' && r.outcome === 'requested' && r.detail.by === 'facilitator'), 'recorded as exercise inject records it');
  const created = await waitForEvent(casePath, (r) => r.kind === 'attacker-action' && r.name === 'inject:shell-back');
  assert.equal(created.outcome, 'ok');
  assert.equal(created.detail.identity, `system:serviceaccount:${namespace}:shop`);
  await watch.waitFor((s) => /2\. shell-back +on pod-isolated +fired \d\d:\d\d:\d\d by the facilitator/.test(s) && / ok +inject:shell-back /.test(s), 'the inject fired and its action on the screen');
  watch.send(['h'], true);
  await watch.waitFor((s) => s.includes('Give hint connections now (-5 points)?'), 'the question before the hint');
  watch.send(['y'], true);
  const hint = await waitForEvent(casePath, (r) => r.kind === 'hint' && r.name === 'connections');
  assert.equal(hint.detail.cost, 5);
  await watch.waitFor((s) => s.includes('Hints (1 of 3 given, -5 points)') && /connections +-5 +given \d\d:\d\d:\d\d/.test(s), 'the hint on the screen');
  watch.send(['q'], true);
  await watch.waitFor((s) => s.includes('EXIT=0'), 'watch to quit');

  const again = await exerciseCli(lab, ['inject', casePath, 'shell-back', '--json']);
  assert.equal((JSON.parse(again.stdout) as { outcome: string }).outcome, 'already-fired', 'an inject fires once');
  const unknown = await exerciseCli(lab, ['inject', casePath, 'no-such-inject']);
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /has no inject "no-such-inject"; it has dlp-alert, shell-back/);

  const second = JSON.parse((await exerciseCli(lab, ['hint', casePath, '--json'])).stdout) as { hint: { id: string; cost: number } };
  assert.equal(second.hint.id, 'child-of-nc', 'the command line gives the hint after the one the screen gave');
  assert.deepEqual(exerciseEvents(casePath).filter((r) => r.kind === 'hint').map((r) => r.detail.cost), [5, 10]);

  const snapshot = await exerciseCli(lab, ['watch', casePath, '--json']);
  assert.equal(snapshot.exitCode, 0, snapshot.stderr);
  const view = (JSON.parse(snapshot.stdout) as { view: { injects: Array<{ id: string; firedAt: string | null; trigger: string | null }>; hintCost: number; attackerRunning: boolean; attacker: Array<{ name: string }> } }).view;
  assert.equal(view.hintCost, 15);
  assert.equal(view.attackerRunning, true);
  assert.equal(view.injects.find((i) => i.id === 'shell-back')?.trigger, 'by the facilitator');
  assert.ok(view.attacker.some((a) => a.name === 'inject:shell-back'));
  const text = await exerciseCli(lab, ['watch', casePath, '--once']);
  assert.match(text.stdout, /2\. shell-back +on pod-isolated +fired \d\d:\d\d:\d\d by the facilitator/);

  const stop = await exerciseCli(lab, ['stop', casePath, '--yes', '--json']);
  assert.equal(stop.exitCode, 0, stop.stdout + stop.stderr);
  const after = await exerciseCli(lab, ['watch', casePath, '--json']);
  assert.equal((JSON.parse(after.stdout) as { view: { attackerRunning: boolean } }).view.attackerRunning, false);
});
