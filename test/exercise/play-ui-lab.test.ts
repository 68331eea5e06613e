/**
 * The players drive kustody's terminal UI in tmux through the reverse-shell-exfil pack on the lab, as
 * exercises/README.md tells them: `kustody --case CASE -n NS` as the responder, the data-exfiltration
 * playbook on the shop pod, typed approvals, a ticked checklist item whose note names the shell pod
 * the attacker started, the bundle. The facilitator's score afterwards comes from what the UI recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireLab } from '../helpers/lab.js';
import { KUSTODY_BIN } from '../helpers/cli.js';
import { lacks, needsTmux } from '../helpers/prerequisites.js';
import { playerEnv, scoreCard, startLabExercise, stopAndReadBack, verdicts } from '../helpers/lab-exercise.js';
import { startTmux } from '../ui/tmux.js';
import { waitForEvent } from './exercise-helpers.js';

test('reverse-shell-exfil played through the terminal UI on the lab: the data-exfiltration run snapshots the shop pod before cutting its egress, revokes with TokenReview proof and exports; a checklist tick note names shop-worker; the score meets every objective', { timeout: 480_000 }, async (t) => {
  if (lacks(t, needsTmux())) return;
  const lab = await requireLab(t);
  if (lab === null) return;
  // A real minute: nothing the team does waits for a timed action, so the isolation limit is ten real minutes.
  const ex = await startLabExercise(t, lab, 'reverse-shell-exfil', 'ui', 60);
  const { namespace: ns, casePath } = ex;
  const target = `${ns}/shop`;
  // HOME is the test's folder: no settings file of the machine's user is read.
  const ui = startTmux([process.execPath, KUSTODY_BIN, '--case', casePath, '-n', ns], { env: { ...playerEnv(lab), HOME: ex.dir, KUSTODY_CASE_DIR: ex.dir }, columns: 140, rows: 48 });
  t.after(() => ui.close());
  await ui.waitFor((s) => s.includes('permissions this playbook needs'), 'the start screen with its permission check', 60_000);
  await ui.waitForRawMode();
  for (let i = 0; i < 5 && !/› Data exfiltration from a pod/.test(ui.screen()); i++) {
    const before = ui.screen();
    ui.send(['Down']);
    await ui.waitFor((s) => s !== before, 'the next playbook chosen');
  }
  assert.match(await ui.waitFor((s) => s.includes('permissions this playbook needs'), 'the permission check of data-exfiltration'), /› Data exfiltration from a pod[\s\S]*Permissions data-exfiltration needs/);
  ui.send(['Enter']);
  await ui.waitFor((s) => s.includes('NAMESPACE/NAME') && !s.includes('loading'), 'the pod list', 60_000);
  ui.send(['/']);
  ui.send([target], true);
  await ui.waitFor((s) => s.includes('of 1 matching'), 'the shop pod alone');
  ui.send(['Enter']);
  ui.send(['Enter']);
  await ui.waitFor((s) => s.includes('Enter start'), 'the plan');
  ui.send(['Enter']);

  await ui.waitFor((s) => s.includes(`type ${target} and press Enter`), 'the isolate approval (after the snapshot)', 120_000);
  assert.match(ui.history(), /✓ Quick volatile snapshot \(snapshot\): done/);
  ui.send([target], true);
  ui.send(['Enter']);
  const worker = await waitForEvent(casePath, (r) => r.kind === 'attacker-action' && r.name === 'inject:shell-back');
  assert.equal(worker.outcome, 'ok', 'cutting the shop pod\'s egress made the attacker start shop-worker');

  await ui.waitFor((s) => s.includes('Step 6 of 8') && s.includes(`type ${target}`), 'the revoke approval', 180_000);
  ui.send([target], true);
  ui.send(['Enter']);
  await ui.waitFor((s) => s.includes('Rotate every Secret'), 'the rotate checklist', 180_000);
  ui.send(['n']);
  await ui.waitFor((s) => s.includes('Note for item 1:'), 'the tick note field');
  ui.send(['rotated shop-db; the C2 got a new shell from pod shop-worker, not captured'], true);
  ui.send(['Enter']);
  await ui.waitFor((s) => /\[x\] 1\. Rotate every Secret/.test(s) && s.includes('shop-worker'), 'the first item ticked with its note');
  ui.send(['Enter']);
  const done = await ui.waitFor((s) => s.includes('Run completed'), 'the finished run', 180_000);
  assert.match(ui.history() + done, /✓ Export the evidence bundle \(export\): done/);
  ui.send(['q']);
  await ui.waitFor((s) => s.includes('EXIT=0'), 'the UI to quit');

  await stopAndReadBack(ex);
  const card = await scoreCard(ex);
  assert.deepEqual(verdicts(card), {
    'capture-shell': 'met', 'cut-egress': 'met', revoke: 'met', 'find-worker': 'met', export: 'met',
    'deleted-before-capture': 'avoided', 'released-early': 'avoided',
    'pod-deleted-before-capture:c2': 'avoided', 'released-before-revoke:c2': 'avoided',
    'pod-deleted-before-capture:shop-worker': 'avoided', 'released-before-revoke:shop-worker': 'avoided',
    'unrecorded-change:Pod/shop': 'avoided', 'unrecorded-change:RoleBinding/shop': 'avoided',
  }, JSON.stringify(card.items.map((i) => `${i.id}: ${i.why}`), null, 1));
  assert.deepEqual([card.total, card.max, card.objectivesMet, card.provisional], [90, 90, 5, false]);
  assert.match(card.items.find((i) => i.id === 'find-worker')?.why ?? '', /named in a responder note/);
  assert.match(card.items.find((i) => i.id === 'unrecorded-change:RoleBinding/shop')?.why ?? '', /removed by kustody/, 'the playbook\'s rbac revoke removed the attacker\'s RoleBinding on the record');
  assert.match(card.items.find((i) => i.id === 'capture-shell')?.why ?? '', /captured at \S+, before containment at/);
});
