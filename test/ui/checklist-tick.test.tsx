/** Ticking a checklist step in the responder UI: the real runner and a real case behind the UI, keys x / n / Enter, ticks read back from the custody log. */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { podEntry } from '../../src/core/ui/pod-list.js';
import { parsePlaybook } from '../../src/core/playbook/parse-playbook.js';
import type { KubeClients } from '../../src/adapters/kube/kube-client.js';
import { createCase, readCaseKey } from '../../src/adapters/store/case-store.js';
import { readChecklists } from '../../src/runner/checklist-log.js';
import type { ChangeSession } from '../../src/runner/change-session.js';
import { runPlaybook } from '../../src/runner/run-playbook.js';
import { ResponderApp } from '../../src/ui/ResponderApp.js';
import type { ResponderPorts } from '../../src/ui/ports.js';
import { makeTempDir } from '../helpers/cli.js';
import { READY } from './fake-ports.js';
import { RAW_CONTROL } from './evidence-fixture.js';
import { KEYS, renderUi, unmountAll } from './render-helpers.js';

afterEach(() => unmountAll());

const PLAYBOOK_TEXT = `id: tick-drill
title: Tick drill
description: A checklist for the UI tick test.
steps:
  - id: wrap-up
    title: Wrap up
    why: The responder works through these outside kustody.
    action: checklist
    params: {items: [Tell the team., "Rotate the \\u001b]0;pwned\\u0007 secret.", Book the review.]}
    danger: observe
`;

test('on a checklist step x ticks the item under the cursor and n ticks it with a typed note; each tick is a custody row with who, when and the note; Enter moves on and the open item makes the step a warning', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = createCase({ parentDir: dir, title: 'ui tick', host: 'lab-host', osUser: 'player1', now: new Date().toISOString(), toolName: 'kustody', toolVersion: 'test' });
  const session: ChangeSession = { db: created.db, caseId: created.id, caseDir: created.path, caseKey: readCaseKey(created.path), actor: 'player1@lab-host as responder (lab)', kubeUser: 'responder', close: () => created.db.close() };
  t.after(() => session.close());
  const parsed = parsePlaybook(PLAYBOOK_TEXT, 'tick-drill.yaml');
  assert.ok(parsed.playbook !== null, JSON.stringify(parsed.problems));
  const playbook = parsed.playbook;
  let finished: string | null = null;
  const ports: ResponderPorts = {
    probeCluster: async () => READY,
    listPlaybooks: async () => [{ id: playbook.id, title: playbook.title, description: playbook.description, needsToken: false, steps: playbook.steps.map((s) => ({ id: s.id, title: s.title, action: s.action, danger: s.danger })) }],
    loadPods: async (onPage) => onPage([podEntry({ metadata: { name: 'suspect', namespace: 'shop' }, spec: { serviceAccountName: 'web' }, status: { phase: 'Running' } }, {})]),
    open: async () => { throw new Error('not opened in this test'); },
    startRun: async (input, run) => {
      // Checklist steps never reach the cluster, so no client is needed behind the real runner.
      const summary = await runPlaybook({ playbook, playbookSha256: 'test', target: { namespace: 'shop', pod: 'suspect' }, dryRun: false, resume: false, options: { allowFootprint: false, leakedTokens: [], commandEnv: {} } },
        { kube: {} as KubeClients, session, confirm: run.confirm, emit: run.emit, checklist: run.checklist, signal: run.signal });
      finished = summary.status;
    },
  };
  const app = renderUi(<ResponderApp ports={ports} readOnly={false} size={{ columns: 120, rows: 30 }} />);
  await app.waitFor((f) => f.includes('Permissions'));
  await app.press(KEYS.enter);
  await app.waitFor((f) => f.includes('shop/suspect'), 'the pod picker');
  await app.press(KEYS.enter);
  await app.waitFor((f) => f.includes('Enter'), 'the run intro');
  await app.press(KEYS.enter);
  await app.waitFor((f) => f.includes('Checklist (each tick'), 'the checklist');
  assert.match(app.frame(), /› \[ \] 1\. Tell the team\./);
  assert.match(app.frame(), /\[ \] 2\. Rotate the \\x1b\]0;pwned\\x07 secret\./);
  assert.doesNotMatch(app.rawFrame(), RAW_CONTROL);
  await app.press('x');
  await app.waitFor((f) => /\[x\] 1\. Tell the team\.  ✓ player1@lab-host as responder \(lab\) \d{4}-/.test(f), 'item 1 ticked');
  await app.press('j', 'n');
  await app.waitFor((f) => f.includes('Note for item 2'));
  await app.press('r', 'o', 't', 'a', 't', 'e', 'd', KEYS.enter);
  await app.waitFor((f) => /\[x\] 2\. .*: rotated/.test(f), 'item 2 ticked with its note');
  assert.doesNotMatch(app.rawFrame(), RAW_CONTROL);
  await app.press(KEYS.enter);
  await app.waitFor(() => finished !== null, 'the run to finish');
  assert.match(await app.waitFor((f) => f.includes('Run completed')), /Wrap up \(wrap-up\): warning/);
  const list = readChecklists(session.db)[0];
  assert.deepEqual(list?.items.map((i) => [i.index, i.tick?.by ?? null, i.tick?.note ?? null]), [
    [1, 'player1@lab-host as responder (lab)', null],
    [2, 'player1@lab-host as responder (lab)', 'rotated'],
    [3, null, null],
  ]);
  app.unmount();
});
