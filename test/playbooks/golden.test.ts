import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadPlaybook, shippedPlaybookFiles, SHIPPED_PLAYBOOK_DIR } from '../../src/adapters/playbook/playbook-files.js';
import { planPlaybook, type PlaybookFacts } from '../../src/core/playbook/plan-playbook.js';

// Regenerate after reviewing a deliberate change: KUSTODY_UPDATE_GOLDEN=1 node scripts/run-tests.mjs test/playbooks/golden
const UPDATE = process.env.KUSTODY_UPDATE_GOLDEN === '1';
const FACTS = JSON.parse(readFileSync(new URL('./fixtures/shop-suspect.facts.json', import.meta.url), 'utf8')) as PlaybookFacts;
const EXPECTED_DIR = join(SHIPPED_PLAYBOOK_DIR, 'expected');

test('kustody ships the four required playbooks', () => {
  const ids = shippedPlaybookFiles().map((f) => basename(f, '.yaml'));
  for (const id of ['compromised-pod', 'leaked-token', 'cryptominer', 'data-exfiltration']) assert.ok(ids.includes(id), `playbooks/${id}.yaml is missing`);
});

for (const file of shippedPlaybookFiles()) {
  const id = basename(file, '.yaml');
  test(`${id}: plans against the shop/suspect fixture facts exactly as playbooks/expected/${id}.plan.json`, () => {
    const loaded = loadPlaybook(id);
    assert.deepEqual(loaded.problems, []);
    assert.ok(loaded.playbook);
    const actual = `${JSON.stringify(planPlaybook(loaded.playbook, FACTS), null, 2)}\n`;
    const goldenPath = join(EXPECTED_DIR, `${id}.plan.json`);
    if (UPDATE) writeFileSync(goldenPath, actual);
    assert.ok(existsSync(goldenPath), `no golden plan: run with KUSTODY_UPDATE_GOLDEN=1 and review ${goldenPath}`);
    assert.equal(actual, readFileSync(goldenPath, 'utf8'), `the plan of ${id} changed: review the diff, then regenerate with KUSTODY_UPDATE_GOLDEN=1`);
  });
}

test('every contain and revoke step of a shipped playbook plans at least one change and asks for confirmation', () => {
  for (const file of shippedPlaybookFiles()) {
    const loaded = loadPlaybook(file);
    assert.ok(loaded.playbook, file);
    const plan = planPlaybook(loaded.playbook, FACTS);
    for (const step of plan.steps.filter((s) => s.danger !== 'observe')) {
      assert.equal(step.confirm, true, `${file} ${step.id}`);
      assert.ok(step.verify && step.undo, `${file} ${step.id} lacks verify or undo`);
      // A command's effect is its argv; a sweep's changes come from the cluster scan at run time (shown in its `does`).
      if (step.action !== 'command' && step.action !== 'sweep') assert.ok((step.changes?.changes.length ?? 0) > 0, `${file} ${step.id} plans no change`);
      if (step.action === 'sweep') assert.match(step.does.join(' '), /deletes those created in the window by an identity the audit log ties to the case \(uid preconditions\)/, `${file} ${step.id} does not say what it removes`);
    }
  }
});
