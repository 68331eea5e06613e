import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planIsolation } from '../../../src/core/contain/plan-isolation.js';
import { planRelease, type AppliedStep } from '../../../src/core/contain/plan-release.js';
import { describeRef } from '../../../src/core/changes/change.js';

const facts = {
  caseId: 'case-20261127T050000Z-abcdef',
  pod: { namespace: 'shop', name: 'web-1', uid: 'pod-uid', labels: { app: 'web' }, nodeName: 'n1', hostNetwork: false },
  node: null,
  controllerSelectorKeys: ['app'],
  services: [],
  policies: [],
  responderUser: 'kustody-responder',
};

function appliedSteps(): AppliedStep[] {
  const plan = planIsolation(facts, { detach: true, cordon: false, guard: true });
  return plan.changes.map((c, i) => ({ seq: 10 + i, changeId: c.id, change: c.change, undo: c.undo }));
}

test('release reverts patches in reverse order and deletes only the objects this case created', () => {
  const steps = appliedSteps();
  const current = new Map<string, Record<string, unknown> | null>();
  for (const s of steps) current.set(describeRef(s.change.target), { metadata: { uid: `${s.changeId}-uid`, annotations: { 'kustody.io/case': facts.caseId } } });
  current.set('Pod shop/web-1', { metadata: { uid: 'pod-uid' } });
  current.set('NetworkPolicy shop/kustody-quarantine-20261127t050000z-abcdef', { metadata: { uid: 'np-uid', annotations: { 'kustody.io/case': 'case-someone-else' } } });
  const plan = planRelease(facts.caseId, 'pod:shop/web-1', steps, current);
  assert.deepEqual(plan.changes.map((c) => c.id), ['undo-detach-labels', 'undo-quarantine-label', 'undo-guard-binding', 'undo-guard-policy']);
  assert.match(plan.report.join(' '), /NetworkPolicy shop\/kustody-quarantine-.* is no longer the object this case created; left alone/);
});

test('release after the pod was deleted skips its labels and still removes the policy and guard', () => {
  const steps = appliedSteps();
  const current = new Map<string, Record<string, unknown> | null>();
  for (const s of steps) current.set(describeRef(s.change.target), { metadata: { uid: `${s.changeId}-uid`, annotations: { 'kustody.io/case': facts.caseId } } });
  current.set('Pod shop/web-1', null);
  const plan = planRelease(facts.caseId, 'pod:shop/web-1', steps, current);
  assert.deepEqual(plan.changes.map((c) => c.id), ['undo-deny-all-policy', 'undo-guard-binding', 'undo-guard-policy']);
  assert.match(plan.report.join(' '), /Pod shop\/web-1 no longer exists/);
});

test('release with a new pod under the same name leaves that pod alone and still removes the policy and guard', () => {
  const steps = appliedSteps();
  const current = new Map<string, Record<string, unknown> | null>();
  for (const s of steps) current.set(describeRef(s.change.target), { metadata: { uid: `${s.changeId}-uid`, annotations: { 'kustody.io/case': facts.caseId } } });
  current.set('Pod shop/web-1', { metadata: { uid: 'new-pod-uid', labels: { app: 'web' } } });
  const plan = planRelease(facts.caseId, 'pod:shop/web-1', steps, current);
  assert.deepEqual(plan.changes.map((c) => c.id), ['undo-deny-all-policy', 'undo-guard-binding', 'undo-guard-policy']);
  assert.match(plan.report.join(' '), /Pod shop\/web-1 is a new object \(uid new-pod-uid\), not the one isolated; detach-labels is moot/);
});
