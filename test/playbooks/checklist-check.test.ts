/** Checklist steps are recorded with their items and ticked later with `kustody check` (who, when, note), each tick a chained custody row. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { caseConsistency, custodyRows } from './playbook-helpers.js';

// Checklist steps need no cluster: the kubeconfig points nowhere.
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: nobody, user: {token: not-a-real-token}}]
contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody}}]
current-context: nowhere
`;

const DRILL = `id: check-drill
title: Check drill
description: One checklist step for the tick tests.
steps:
  - id: wrap-up
    title: Wrap up
    why: Items the responder works through outside kustody.
    action: checklist
    params: {items: [Tell the team., "Rotate the \\u001b]0;pwned\\u0007 secret."]}
    danger: observe
`;

async function ranDrill(t: TestContext): Promise<{ casePath: string; env: Record<string, string>; stdout: string }> {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  writeFileSync(join(dir, 'drill.yaml'), DRILL);
  writeFileSync(join(dir, 'kubeconfig'), KUBECONFIG);
  const created = await newCase(dir);
  const env = { KUBECONFIG: join(dir, 'kubeconfig'), PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const run = await runKustody(['run', join(dir, 'drill.yaml'), '--target', 'drill/none', '--case', created.path], { env });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  return { casePath: created.path, env, stdout: run.stdout };
}

test('a headless checklist step records its items, ends as a warning naming the open items, and says how to tick them', { timeout: 60_000 }, async (t) => {
  const { casePath, stdout } = await ranDrill(t);
  assert.match(stdout, /\[1\/1\] wrap-up +warning .*checklist of 2 item\(s\): 0 ticked, 2 open/);
  assert.match(stdout, /tick the rest with: kustody check .* wrap-up ITEM/);
  const shown = custodyRows(casePath).filter((r) => r.kind === 'check');
  assert.equal(shown.length, 1);
  assert.equal(shown[0]?.outcome, 'shown');
  assert.deepEqual((shown[0]?.detail as { items: string[] }).items, ['Tell the team.', 'Rotate the \x1b]0;pwned\x07 secret.']);
});

test('kustody check ticks an item by number or exact text with who, when and a note; a second tick records nothing; the chain stays intact', { timeout: 60_000 }, async (t) => {
  const { casePath, env } = await ranDrill(t);
  const first = await runKustody(['check', casePath, 'wrap-up', '2', '--note', 'done by \x1b[31mops', '--json'], { env });
  assert.equal(first.exitCode, 0, first.stderr);
  const ticked = JSON.parse(first.stdout) as { recorded: boolean; item: number; seq: number; by: string; at: string; note: string };
  assert.equal(ticked.recorded, true);
  assert.equal(ticked.item, 2);
  assert.match(ticked.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const row = custodyRows(casePath).find((r) => r.seq === ticked.seq);
  assert.equal(row?.kind, 'check');
  assert.equal(row?.outcome, 'ticked');
  assert.match(row?.actor ?? '', /@/);
  assert.deepEqual({ ...(row?.detail as object) }, { run_id: (row?.detail as { run_id: string }).run_id, step_id: 'wrap-up', item: 2, text: 'Rotate the \x1b]0;pwned\x07 secret.', note: 'done by \x1b[31mops' });

  const again = await runKustody(['check', casePath, 'wrap-up', '2', '--note', 'second'], { env });
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, /already ticked by .* nothing recorded/);
  const byText = await runKustody(['check', casePath, 'wrap-up', 'Tell the team.'], { env });
  assert.equal(byText.exitCode, 0, byText.stderr);
  assert.match(byText.stdout, /Ticked item 1 of wrap-up/);
  assert.equal(custodyRows(casePath).filter((r) => r.kind === 'check' && r.outcome === 'ticked').length, 2);

  const list = await runKustody(['check', casePath], { env });
  assert.equal(list.exitCode, 0, list.stderr);
  assert.match(list.stdout, /wrap-up · Wrap up · drill\/none · run run-\S+ · 0 open/);
  assert.match(list.stdout, /\[x\] 2\. Rotate the \\x1b\]0;pwned\\x07 secret\.  ✓ \S+@\S+ \S+: done by \\x1b\[31mops/);
  assert.doesNotMatch(list.stdout, /\x1b/, 'a raw escape reached the terminal');
  assert.deepEqual(caseConsistency(casePath), { integrity: 'ok', chainBreaks: 0, rows: custodyRows(casePath).length });
});

test('kustody check refuses an unknown step, an unknown item and a missing item with usage errors and records nothing', { timeout: 60_000 }, async (t) => {
  const { casePath, env } = await ranDrill(t);
  const before = custodyRows(casePath).length;
  const noStep = await runKustody(['check', casePath, 'no-such-step', '1'], { env });
  assert.equal(noStep.exitCode, 2);
  assert.match(noStep.stderr, /No playbook run in this case showed a checklist step no-such-step/);
  const noItem = await runKustody(['check', casePath, 'wrap-up', '3'], { env });
  assert.equal(noItem.exitCode, 2);
  assert.match(noItem.stderr, /has no item 3 \(it has 2\)/);
  const missing = await runKustody(['check', casePath, 'wrap-up'], { env });
  assert.equal(missing.exitCode, 2);
  assert.equal(custodyRows(casePath).length, before);
});
