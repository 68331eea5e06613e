/** Risk signals per pod, ServiceAccount reach and outbound counts, table-driven over test/ui/fixtures (k9s testdata style). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ServiceAccountLike } from '../../src/core/identities/types.js';
import { podEntry, pageOf, searchPods } from '../../src/core/ui/pod-list.js';
import { mountedSecrets, podRiskSignals, type RiskContext, type RiskPodLike } from '../../src/core/ui/risk-signals.js';
import { outboundByPod, serviceAccountReach, type BindingWithRules } from '../../src/core/ui/sa-reach.js';
import { RAW_CONTROL } from './evidence-fixture.js';

const pods = JSON.parse(readFileSync(new URL('./fixtures/pods.json', import.meta.url), 'utf8')) as Record<string, RiskPodLike>;
const rbac = JSON.parse(readFileSync(new URL('./fixtures/rbac.json', import.meta.url), 'utf8')) as { serviceAccounts: ServiceAccountLike[]; bindings: BindingWithRules[] };
const pod = (name: string): RiskPodLike => {
  const found = pods[name];
  if (found === undefined) throw new Error(`no fixture pod ${name}`);
  return found;
};

const saKey = (sa: ServiceAccountLike) => `${sa.metadata?.namespace}/${sa.metadata?.name}`;
const context: RiskContext = {
  serviceAccounts: new Map(rbac.serviceAccounts.map((sa) => [saKey(sa), sa])),
  reach: serviceAccountReach(rbac.serviceAccounts.map(saKey), rbac.bindings),
  outbound: new Map([['shop/suspect', 2]]),
};

const cases: [string, string[], RegExp[]][] = [
  ['privileged-hostpath', ['priv', 'hostNS', 'hostPath', 'SA-RBAC'], [/1 privileged container/, /shares the node's PID namespace/, /mounts node paths: \/, \/var\/run\/docker.sock/, /can nodes-proxy \(cluster-wide\)/]],
  ['host-network', ['hostNet'], [/shares the node's network namespace/]],
  ['sys-admin', ['priv'], [/adds SYS_ADMIN or ALL/]],
  ['shop-web', ['SA-RBAC', 'cloud', 'secrets:4'], [/can read-secrets, create-workloads \(in shop\)/, /aws-irsa arn:aws:iam::111122223333:role\/shop-web/, /reads Secrets: shop-api-key, shop-db, shop-env, tls/]],
  ['shop-suspect', ['SA-RBAC', 'cloud', 'out:2'], [/2 outbound connection/]],
  ['plain', [], []],
];

for (const [name, tags, details] of cases) {
  test(`risk signals of ${name}: ${tags.join(' ') || 'none'}`, () => {
    const signals = podRiskSignals(pod(name), context);
    assert.deepEqual(signals.map((s) => s.tag), tags);
    const text = signals.map((s) => s.detail).join('\n');
    for (const detail of details) assert.match(text, detail);
  });
}

test('a RoleBinding in another namespace counts there; a default ServiceAccount bound to admin elsewhere is flagged with where', () => {
  const reach = context.reach?.get('shop/default');
  assert.deepEqual(reach, { dangers: ['read-secrets', 'exec-into-pods', 'create-workloads', 'escalate', 'bind', 'impersonate', 'nodes-proxy', 'mint-tokens', 'wildcard'], clusterWide: false, namespaces: ['other'] });
  const signals = podRiskSignals({ metadata: { name: 'x', namespace: 'shop' }, spec: {} }, context);
  assert.match(signals[0]?.detail ?? '', /ServiceAccount default can .* \(in other\)/);
});

test('unknown reach (the responder could not read RBAC) gives no RBAC signal rather than a wrong one', () => {
  assert.deepEqual(podRiskSignals(pod('shop-suspect'), {}).map((s) => s.tag), []);
});

test('mounted secrets counts volumes, projected sources, secretKeyRef and envFrom once each', () => {
  assert.deepEqual(mountedSecrets(pod('shop-web')), ['shop-api-key', 'shop-db', 'shop-env', 'tls']);
});

test('outbound connections: established to a non-loopback peer, not to a port the pod listens on', () => {
  const base = { target: 'pod:shop/web', proto: 'tcp', localAddr: '10.0.0.5', remoteAddr: '10.0.0.9', pid: 1 };
  const counts = outboundByPod([
    { ...base, localPort: 8080, remotePort: null, state: 'LISTEN', remoteAddr: '0.0.0.0' },
    { ...base, localPort: 8080, remotePort: 51000, state: 'ESTABLISHED' },
    { ...base, localPort: 41000, remotePort: 443, state: 'ESTABLISHED' },
    { ...base, localPort: 41001, remotePort: 443, state: 'SYN_SENT' },
    { ...base, localPort: 41002, remotePort: 80, state: 'ESTABLISHED', remoteAddr: '127.0.0.1' },
    { ...base, localPort: 41003, remotePort: 80, state: 'TIME_WAIT' },
    { ...base, target: 'pid:42', localPort: 41004, remotePort: 80, state: 'ESTABLISHED' },
  ]);
  assert.deepEqual([...counts], [['shop/web', 2]]);
});

test('picker entries escape hostile names, and search and paging work over thousands of pods', () => {
  const hostile = podEntry(pod('hostile'), {});
  for (const text of [hostile.namespace, hostile.name, hostile.serviceAccount, hostile.node, hostile.phase]) assert.doesNotMatch(text, RAW_CONTROL);
  assert.equal(hostile.name, 'evil\\x1b]52;c;SGk=\\x07');
  assert.equal(hostile.ref, 'shop\u202e/evil\x1b]52;c;SGk=\x07', 'the ref stays raw: it is what a typed confirmation compares, never printed');
  const many = Array.from({ length: 5000 }, (_, i) => podEntry({ metadata: { name: `web-${i}`, namespace: `ns-${i % 50}` }, spec: { hostNetwork: i % 100 === 0 } }, {}));
  assert.equal(searchPods(many, 'ns-7/').length, 100);
  assert.equal(searchPods(many, 'hostnet').length, 50);
  assert.equal(searchPods(many, 'ns-7/ hostnet').length, 0);
  assert.deepEqual(pageOf(many, 3, 40).first, 120);
  assert.equal(pageOf(many, 999, 40).page, 124);
});
