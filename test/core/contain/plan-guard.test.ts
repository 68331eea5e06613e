import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planIsolation, quarantineGuardSpec } from '../../../src/core/contain/plan-isolation.js';
import { celString, guardPolicyObject } from '../../../src/core/contain/plan-guard.js';
import { planQuarantineRemoval, quarantineRefs } from '../../../src/core/contain/plan-quarantine-removal.js';

const facts = {
  caseId: 'case-20261127T050000Z-abcdef',
  namespaceUid: 'ns-uid',
  pod: { namespace: 'shop', name: 'web-1', uid: 'pod-uid', labels: { app: 'web', tier: 'front' }, nodeName: 'n1', hostNetwork: false },
  node: null,
  controllerSelectorKeys: ['app'],
  services: [],
  policies: [],
  responderUser: 'kustody-responder',
};

test('the guard is planned before the label, the policy and the detach, so nobody can race them', () => {
  const plan = planIsolation(facts, { detach: true, cordon: false, guard: true });
  assert.deepEqual(plan.changes.map((c) => c.id), ['guard-policy', 'guard-binding', 'quarantine-label', 'deny-all-policy', 'detach-labels']);
});

test('the guard checks NetworkPolicy selectors against the labels the pod has once isolated (detached keys gone, case label on)', () => {
  assert.deepEqual(quarantineGuardSpec(facts, { detach: true, cordon: false, guard: true }).pod.labels, { tier: 'front', 'kustody.io/quarantine': facts.caseId });
  assert.deepEqual(quarantineGuardSpec(facts, { detach: false, cordon: false, guard: true }).pod.labels, { app: 'web', tier: 'front', 'kustody.io/quarantine': facts.caseId });
});

test('the guard policy pins the pod by uid, the namespace by uid, and covers every subresource a namespace editor could use', () => {
  const policy = guardPolicyObject(quarantineGuardSpec(facts, { detach: false, cordon: false, guard: true })) as { spec: { matchConstraints: { resourceRules: Array<{ operations: string[]; resources: string[] }> }; variables: Array<{ name: string; expression: string }>; validations: Array<{ expression: string }> } };
  const rules = policy.spec.matchConstraints.resourceRules.flatMap((r) => r.resources.flatMap((res) => r.operations.map((op) => `${op} ${res}`)));
  for (const needed of ['UPDATE pods', 'DELETE pods', 'UPDATE pods/status', 'UPDATE pods/ephemeralcontainers', 'UPDATE pods/resize', 'CREATE pods/eviction', 'CONNECT pods/exec', 'CONNECT pods/attach', 'CONNECT pods/portforward', 'CONNECT pods/proxy', 'CONNECT services/proxy', 'CREATE networkpolicies', 'UPDATE networkpolicies', 'DELETE networkpolicies']) {
    assert.ok(rules.includes(needed), `the guard does not match ${needed}`);
  }
  const vars = Object.fromEntries(policy.spec.variables.map((v) => [v.name, v.expression]));
  assert.match(vars.onPod ?? '', /oldObject\.metadata\.uid == "pod-uid"/);
  assert.match(vars.guardedNamespace ?? '', /dyn\(namespaceObject\)\.metadata\.uid == "ns-uid"/);
  assert.equal(vars.responder, 'request.userInfo.username == "kustody-responder"');
  assert.equal(policy.spec.validations.length, 4, 'pod, additive NetworkPolicies, Service proxy, the quarantine policy');
});

test('values reach CEL only as escaped string literals', () => {
  assert.equal(celString('a"b\\c\n'), '"a\\"b\\\\c\\n"');
  const hostile = { ...facts, responderUser: 'x" || true || "' };
  const policy = guardPolicyObject(quarantineGuardSpec(hostile, { detach: false, cordon: false, guard: true })) as { spec: { variables: Array<{ name: string; expression: string }> } };
  assert.equal(policy.spec.variables.find((v) => v.name === 'responder')?.expression, 'request.userInfo.username == "x\\" || true || \\""');
});

test('the isolation report says what the guard cannot stop', () => {
  const report = planIsolation(facts, { detach: false, cordon: false, guard: true }).report.join('\n');
  assert.match(report, /responder identity/);
  assert.match(report, /cannot protect itself/);
  assert.match(report, /node-level actors/);
  assert.match(planIsolation(facts, { detach: false, cordon: false, guard: false }).report.join('\n'), /Without --guard, anyone with write access/);
});

test('deleting the pod removes its guard and policy of this case only, and keeps the policy while another pod still needs it', () => {
  const refs = quarantineRefs(facts.caseId, 'shop', 'web-1');
  const found = refs.map((ref, i) => ({ ref, uid: `uid-${i}`, caseId: facts.caseId }));
  assert.deepEqual(planQuarantineRemoval(facts.caseId, { found, otherQuarantinedPods: [] }).changes.map((c) => [c.id, c.change.action, 'uid' in c.change ? c.change.uid : '']), [
    ['remove-guard-binding', 'delete', 'uid-0'], ['remove-guard-policy', 'delete', 'uid-1'], ['remove-quarantine-policy', 'delete', 'uid-2'],
  ]);
  const shared = planQuarantineRemoval(facts.caseId, { found, otherQuarantinedPods: ['web-2'] });
  assert.deepEqual(shared.changes.map((c) => c.id), ['remove-guard-binding', 'remove-guard-policy']);
  assert.match(shared.report.join(' '), /stays: it still quarantines web-2/);
  const foreign = planQuarantineRemoval(facts.caseId, { found: found.map((f) => ({ ...f, caseId: 'case-other' })), otherQuarantinedPods: [] });
  assert.equal(foreign.changes.length, 0);
});
