// The inventory of the fixture pod (test/fixtures/pods/shop-web.json): its identities, the tokens a
// capture stored (claims made by the real credential detector), validity windows, revoke flags, rendering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectCredentials } from '../../src/core/credentials/index.js';
import { accessChecks, accessProbes } from '../../src/core/identities/access-checks.js';
import { buildInventory, type Inventory } from '../../src/core/identities/inventory.js';
import { grantOf } from '../../src/core/identities/rbac-rules.js';
import { DANGER_MARK, renderInventory } from '../../src/core/identities/render-inventory.js';
import type { CapturedCredential, Identity, PodLike, ServiceAccountLike } from '../../src/core/identities/types.js';
import { CASE_KEY, fixturePod, ISSUED_AT, makeJwt, projectedTokenPayload, utf8 } from '../core/credentials/helpers.js';

const NOW = new Date((ISSUED_AT + 600) * 1000);
const POD_UID = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const SA_UID = '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d';

function fixture(): PodLike {
  const { metadata, spec } = fixturePod() as unknown as { metadata: PodLike['metadata']; spec: PodLike['spec'] };
  return { metadata: { ...metadata, uid: POD_UID }, spec };
}

const serviceAccount: ServiceAccountLike = {
  metadata: {
    name: 'web', namespace: 'shop', uid: SA_UID,
    annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/shop-web', 'iam.gke.io/gcp-service-account': 'shop-web@proj.iam.gserviceaccount.com' },
  },
  secrets: [{ name: 'web-token-old' }],
  imagePullSecrets: [{ name: 'regcred' }],
};

/** Credential rows as `capture pod` stores them, from real JWTs run through the real detector. */
function captured(tokens: Array<{ target: string; jwt: string }>): CapturedCredential[] {
  return tokens.flatMap(({ target, jwt }) => detectCredentials(
    { namespace: 'shop', files: [{ path: '/var/run/secrets/kubernetes.io/serviceaccount/token', content: utf8(jwt) }] },
    { caseKey: CASE_KEY, now: NOW },
  ).records.map((r) => ({ target, kind: r.kind, location: r.location, fingerprint: r.fingerprint, expiresAt: r.expiresAt, claimsJson: r.claimsJson })));
}

const legacyJwt = makeJwt({
  iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:shop:web', 'kubernetes.io/serviceaccount/namespace': 'shop',
  'kubernetes.io/serviceaccount/secret.name': 'web-token-x7k2q', 'kubernetes.io/serviceaccount/service-account.name': 'web',
  'kubernetes.io/serviceaccount/service-account.uid': SA_UID,
});
const boundJwt = makeJwt(projectedTokenPayload());
const foreignJwt = makeJwt(projectedTokenPayload({ sub: 'system:serviceaccount:payments:api', 'kubernetes.io': { namespace: 'payments', serviceaccount: { name: 'api', uid: 'x' } } }));

function inventory(overrides: Partial<Parameters<typeof buildInventory>[0]> = {}): Inventory {
  const grants = [grantOf('RoleBinding', { metadata: { name: 'web', namespace: 'shop' }, roleRef: { kind: 'Role', name: 'web' } }, { subject: 'ServiceAccount shop/web', direct: true },
    { rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }, { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] })];
  const probes = accessProbes('shop');
  const checks = accessChecks(grants, probes, probes.map((p) => ({ allowed: p.question.endsWith('secrets in shop'), denied: false, reason: '', error: null })));
  return buildInventory({
    namespace: 'shop', pod: fixture(), serviceAccount, grants, checks, notes: [], now: NOW,
    captured: captured([{ target: 'pod:shop/web-7d9f8b6c5-x2x7k', jwt: boundJwt }, { target: 'pod:shop/other', jwt: legacyJwt }, { target: 'pod:payments/api', jwt: foreignJwt }]),
    ...overrides,
  });
}

const byKind = (inv: Inventory, kind: Identity['kind']) => inv.identities.filter((i) => i.kind === kind);

test('the fixture pod: ServiceAccount, four projected tokens with their lifetimes, Secrets by use, pull Secrets', () => {
  const inv = inventory();
  const [sa] = byKind(inv, 'service-account');
  assert.deepEqual([sa?.name, sa?.facts.uid, sa?.facts.api_token_mounted], ['web', SA_UID, true]);
  const tokens = new Map(byKind(inv, 'projected-token').map((t) => [t.name, t]));
  assert.deepEqual([...tokens.keys()].sort(), ['aws-iam-token', 'azure-identity-token', 'kube-api-access-8xk2p', 'vault-token']);
  const api = tokens.get('kube-api-access-8xk2p');
  assert.deepEqual([api?.facts.expiration_seconds, api?.facts.copied_token_max_seconds, api?.validity.summary], [3607, 365 * 24 * 3600, 'until pod or ServiceAccount is deleted']);
  assert.deepEqual(api?.usedBy, ['container app at /var/run/secrets/kubernetes.io/serviceaccount', 'container token-refresher at /var/run/secrets/kubernetes.io/serviceaccount']);
  assert.deepEqual([tokens.get('vault-token')?.facts.audience, tokens.get('vault-token')?.facts.copied_token_max_seconds], ['vault', 600]);
  assert.deepEqual(byKind(inv, 'secret-volume').map((s) => s.name).sort(), ['refresher', 'shop-db', 'shop-gcp-sa', 'shop-tls']);
  const env = new Map(byKind(inv, 'secret-env').map((s) => [s.name, s]));
  assert.deepEqual(env.get('shop-db')?.facts.keys, ['password']);
  assert.deepEqual(env.get('shop-api-keys')?.usedBy, ['container app: envFrom (prefix API_)']);
  assert.ok(env.has('shop-payments'));
  assert.deepEqual(byKind(inv, 'image-pull-secret').map((s) => [s.name, s.usedBy]), [['regcred', ['ServiceAccount imagePullSecrets']]]);
  for (const secret of [...byKind(inv, 'secret-env'), ...byKind(inv, 'secret-volume')]) assert.deepEqual([secret.validity.kind, secret.revokeWith], ['rotate-at-source', []]);
});

test('cloud identities: IRSA from the annotation and the injected env, Azure from its token, GKE from the annotation', () => {
  const inv = inventory();
  const [irsa, ...moreIrsa] = byKind(inv, 'aws-irsa');
  assert.equal(moreIrsa.length, 0, 'the same role from annotation and env is one identity');
  assert.equal(irsa?.name, 'arn:aws:iam::123456789012:role/shop-web');
  assert.deepEqual(irsa?.usedBy, ['ServiceAccount annotation eks.amazonaws.com/role-arn', 'container app: env AWS_ROLE_ARN']);
  assert.deepEqual([irsa?.facts.injected_into_pod, irsa?.facts.token_volume, irsa?.facts.token_expiration_seconds], [true, 'aws-iam-token', 86400]);
  assert.equal(byKind(inv, 'gcp-workload-identity')[0]?.name, 'shop-web@proj.iam.gserviceaccount.com');
  assert.equal(byKind(inv, 'azure-workload-identity')[0]?.facts.token_volume, 'azure-identity-token');
  assert.equal(byKind(inv, 'aws-pod-identity').length, 0);
  for (const cloud of [irsa, ...byKind(inv, 'gcp-workload-identity')]) assert.equal(cloud?.validity.kind, 'cloud-session');
});

test('captured tokens: the pod-bound one valid until its exp, a legacy one that never expires, another namespace ignored', () => {
  const inv = inventory();
  const capturedTokens = byKind(inv, 'captured-token');
  assert.equal(capturedTokens.length, 2);
  const bound = capturedTokens.find((t) => t.facts.bound_pod !== null);
  assert.equal(bound?.validity.until, new Date((ISSUED_AT + 3607) * 1000).toISOString());
  assert.match(bound?.validity.summary ?? '', /^until .* or pod shop\/web-7d9f8b6c5-x2x7k deletion$/);
  assert.deepEqual([bound?.facts.pod_recreated, bound?.facts.service_account_recreated], [false, false]);
  const legacy = new Map(byKind(inv, 'legacy-token').map((t) => [t.name, t]));
  assert.deepEqual([...legacy.keys()].sort(), ['web-token-old', 'web-token-x7k2q']);
  assert.equal(legacy.get('web-token-x7k2q')?.validity.kind, 'never-expires');
  assert.deepEqual(legacy.get('web-token-x7k2q')?.usedBy, ['captured token file:/var/run/secrets/kubernetes.io/serviceaccount/token']);
  assert.deepEqual(inv.revokeFlags, ['--legacy-tokens', '--rbac', '--rotate-sa', '--delete-pod', '--cloud']);

  const later = inventory({ now: new Date((ISSUED_AT + 4000) * 1000), pod: { ...fixture(), metadata: { name: 'web-7d9f8b6c5-x2x7k', uid: 'new-uid' } } });
  const stale = byKind(later, 'captured-token').find((t) => t.facts.bound_pod !== null);
  assert.equal(stale?.facts.pod_recreated, true);
  assert.equal(stale?.validity.summary, 'no longer valid: pod shop/web-7d9f8b6c5-x2x7k was replaced (new uid)');
  const expired = byKind(inventory({ now: new Date((ISSUED_AT + 4000) * 1000) }), 'captured-token').find((t) => t.facts.bound_pod !== null);
  assert.match(expired?.validity.summary ?? '', /^expired at /);
});

test('revoke flags follow what was found: no --rbac for group-only grants, no --legacy-tokens without legacy tokens', () => {
  const groupOnly = grantOf('ClusterRoleBinding', { metadata: { name: 'system:basic-user' }, roleRef: { kind: 'ClusterRole', name: 'system:basic-user' } },
    { subject: 'Group system:authenticated', direct: false }, { rules: [] });
  const inv = inventory({ grants: [groupOnly], captured: [], serviceAccount: { metadata: { name: 'web', uid: SA_UID } } });
  assert.deepEqual(inv.revokeFlags, ['--rotate-sa', '--delete-pod', '--cloud']);
});

test('the rendering marks dangerous rules and allowed dangerous checks with !!, shows validity, and ends with the revoke command', () => {
  const lines = renderInventory(inventory(), 'case-1').map(String);
  const text = lines.join('\n');
  assert.match(text, new RegExp(`^  ${DANGER_MARK} in shop +get,list secrets$`, 'm'));
  assert.match(text, /^ {7}!! read Secrets$/m);
  assert.match(text, /^ {5}in shop +get configmaps$/m);
  assert.match(text, /^ {2}!! allowed +get secrets in shop$/m);
  assert.match(text, /^ {5}denied +get secrets in kube-system$/m);
  assert.match(text, /^ {4}valid until +until pod or ServiceAccount is deleted$/m);
  assert.match(text, /^ {4}valid until +never expires; until the Secret or ServiceAccount is deleted$/m);
  assert.equal(lines.at(-1), 'next: kustody revoke shop/web-7d9f8b6c5-x2x7k --case case-1 --dry-run --legacy-tokens --rbac --rotate-sa --delete-pod --cloud  (then again with --yes)');
});

test('names from the cluster reach the terminal escaped', () => {
  const hostile = '\u001b]0;owned\u0007evil\u202e';
  const pod = fixture();
  const inv = inventory({ pod: { ...pod, spec: { ...pod.spec, imagePullSecrets: [{ name: hostile }] } } });
  assert.ok(byKind(inv, 'image-pull-secret').some((s) => s.name === hostile), 'the inventory keeps the name as it is');
  const text = renderInventory(inv, 'case-1').join('\n');
  assert.doesNotMatch(text, /[\u001b\u0007\u202e]/);
  assert.match(text, /evil/);
});

test('the API token is mounted unless the pod, or failing that the ServiceAccount, turns automount off', () => {
  const mounted = (podSetting: boolean | undefined, saSetting: boolean | undefined) => {
    const pod = fixture();
    const inv = inventory({
      pod: { ...pod, spec: { ...pod.spec, ...(podSetting === undefined ? {} : { automountServiceAccountToken: podSetting }) } },
      serviceAccount: { ...serviceAccount, ...(saSetting === undefined ? {} : { automountServiceAccountToken: saSetting }) },
    });
    return byKind(inv, 'service-account')[0]?.facts.api_token_mounted;
  };
  assert.deepEqual([mounted(undefined, undefined), mounted(undefined, false), mounted(true, false), mounted(false, true)], [true, false, true, false]);
});
