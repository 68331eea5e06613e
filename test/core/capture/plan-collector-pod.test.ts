import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COLLECTOR_NAMESPACE, imageIsPinned, planCollectorNamespace, planCollectorPod, planFootprintRemoval } from '../../../src/core/capture/plan-collector-pod.js';

const facts = {
  caseId: 'case-20261207-abc', target: 'pod:shop/suspect', namespace: COLLECTOR_NAMESPACE, name: 'kustody-collector-0011223344', nodeName: 'lab-node',
  image: { ref: 'lab.local/busybox:1.35', pullPolicy: 'Never' as const }, lifetimeSeconds: 210, responderUser: 'kustody-responder',
};

test('the collector pod is planned in kustody\'s namespace, after its guard, with a deadline and a command that ends by itself', () => {
  const plan = planCollectorPod(facts);
  assert.deepEqual(plan.changes.map((c) => c.id), ['collector-guard-policy', 'collector-guard-binding', 'collector-pod']);
  const pod = plan.changes[2]?.change;
  assert.ok(pod?.action === 'create');
  const spec = pod.object.spec as { activeDeadlineSeconds: number; containers: Array<{ command: string[] }>; hostPID: boolean };
  assert.equal((pod.object.metadata as { namespace: string }).namespace, 'kustody-system');
  assert.equal(pod.target.namespace, 'kustody-system');
  assert.equal(spec.activeDeadlineSeconds, 240);
  assert.deepEqual(spec.containers[0]?.command, ['sleep', '210']);
  assert.ok(plan.changes.every((c) => c.danger === 'footprint'));
});

test('the collector guard covers exec, attach, port-forward, proxy, ephemeral containers, update, resize, eviction and delete, and lets only the responder through', () => {
  const policy = planCollectorPod(facts).changes[0]?.change;
  assert.ok(policy?.action === 'create');
  const spec = policy.object.spec as { matchConstraints: { resourceRules: Array<{ operations: string[]; resources: string[] }> }; validations: Array<{ expression: string }> };
  const covered = spec.matchConstraints.resourceRules.flatMap((r) => r.resources.flatMap((res) => r.operations.map((op) => `${op} ${res}`))).sort();
  assert.deepEqual(covered, ['CONNECT pods/attach', 'CONNECT pods/exec', 'CONNECT pods/portforward', 'CONNECT pods/proxy', 'CREATE pods/eviction', 'DELETE pods', 'UPDATE pods', 'UPDATE pods/ephemeralcontainers', 'UPDATE pods/resize']);
  const expression = spec.validations[0]?.expression ?? '';
  assert.match(expression, /^request\.userInfo\.username == "kustody-responder" \|\| request\.namespace != "kustody-system" \|\| request\.name != "kustody-collector-0011223344"/);
});

test('an image without a digest is reported as unpinned; one with a digest is not', () => {
  assert.equal(imageIsPinned('lab.local/busybox:1.35'), false);
  assert.equal(imageIsPinned(`lab.local/busybox@sha256:${'a'.repeat(64)}`), true);
  assert.match(planCollectorPod(facts).report.join(' '), /not pinned by digest/);
  assert.deepEqual(planCollectorPod({ ...facts, image: { ref: `lab.local/busybox@sha256:${'b'.repeat(64)}`, pullPolicy: 'Never' } }).report, []);
});

test('the namespace is created labelled as kustody\'s and allowing privileged pods', () => {
  const change = planCollectorNamespace(facts.caseId, facts.target, 'kustody-system').changes[0]?.change;
  assert.ok(change?.action === 'create');
  assert.deepEqual((change.object.metadata as { labels: Record<string, string> }).labels, { 'app.kubernetes.io/managed-by': 'kustody', 'pod-security.kubernetes.io/enforce': 'privileged' });
});

test('footprint removal deletes pods before their guards, by uid', () => {
  const plan = planFootprintRemoval('cleanup', facts.caseId, 'case:x', [
    { ref: { kind: 'ValidatingAdmissionPolicy', name: 'g' }, uid: 'u1' },
    { ref: { kind: 'Pod', namespace: 'kustody-system', name: 'p' }, uid: 'u2' },
    { ref: { kind: 'ValidatingAdmissionPolicyBinding', name: 'g' }, uid: 'u3' },
  ]);
  assert.deepEqual(plan.changes.map((c) => [c.change.target.kind, c.change.action === 'delete' ? c.change.uid : '']), [['Pod', 'u2'], ['ValidatingAdmissionPolicyBinding', 'u3'], ['ValidatingAdmissionPolicy', 'u1']]);
  assert.deepEqual(planFootprintRemoval('cleanup', facts.caseId, 'case:x', []).report, ['No kustody footprint of this case is left on the cluster.']);
});
