// RBAC evaluation and danger classification, table-driven over fixture Roles (test/identities/fixtures/roles.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { accessChecks, accessProbes, disagrees } from '../../src/core/identities/access-checks.js';
import { classifyRule, effectiveRules } from '../../src/core/identities/danger.js';
import {
  grantOf, grantsAllowing, matchingSubject, normalizeRule, ruleAllows, type BindingLike, type PolicyRuleLike,
} from '../../src/core/identities/rbac-rules.js';

interface RoleFixture {
  name: string;
  rules: PolicyRuleLike[];
  dangers: string[][];
}

const ROLES = (JSON.parse(readFileSync(new URL('./fixtures/roles.json', import.meta.url), 'utf8')) as { roles: RoleFixture[] }).roles;

test('classifyRule finds exactly the dangerous kinds of every fixture rule', () => {
  assert.ok(ROLES.length >= 10);
  for (const role of ROLES) {
    assert.equal(role.rules.length, role.dangers.length, role.name);
    role.rules.forEach((rule, index) => {
      assert.deepEqual(classifyRule(normalizeRule(rule)).map((d) => d.kind), role.dangers[index], `${role.name}, rule ${index}`);
    });
  }
});

const rule = (r: PolicyRuleLike) => normalizeRule(r);

test('ruleAllows follows RBAC: wildcards, core versus named groups, */subresource, and resourceNames only for named requests', () => {
  const secrets = rule({ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] });
  assert.equal(ruleAllows(secrets, { verb: 'get', group: '', resource: 'secrets', namespace: 'shop' }), true);
  assert.equal(ruleAllows(secrets, { verb: 'delete', group: '', resource: 'secrets', namespace: 'shop' }), false);
  assert.equal(ruleAllows(secrets, { verb: 'get', group: 'apps', resource: 'secrets', namespace: 'shop' }), false);
  assert.equal(ruleAllows(secrets, { verb: 'get', group: '', resource: 'secrets/status', namespace: 'shop' }), false);

  const scale = rule({ apiGroups: ['*'], resources: ['*/scale'], verbs: ['patch'] });
  assert.equal(ruleAllows(scale, { verb: 'patch', group: 'apps', resource: 'deployments/scale', namespace: 'shop' }), true);
  assert.equal(ruleAllows(scale, { verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'shop' }), false);

  const named = rule({ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'], resourceNames: ['shop-db'] });
  assert.equal(ruleAllows(named, { verb: 'get', group: '', resource: 'secrets', name: 'shop-db', namespace: 'shop' }), true);
  assert.equal(ruleAllows(named, { verb: 'get', group: '', resource: 'secrets', name: 'other', namespace: 'shop' }), false);
  assert.equal(ruleAllows(named, { verb: 'list', group: '', resource: 'secrets', namespace: 'shop' }), false);

  // A request for verb "*" (kubectl auth can-i '*' '*') matches only a literal "*" in the rule.
  const everything = { verb: '*', group: '*', resource: '*', namespace: null };
  assert.equal(ruleAllows(rule({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }), everything), true);
  assert.equal(ruleAllows(rule({ apiGroups: ['*'], resources: ['*'], verbs: ['get'] }), everything), false);
});

test('matchingSubject finds the ServiceAccount directly, as a User, or through its groups, and nothing else', () => {
  const binding = (subjects: BindingLike['subjects'], namespace?: string): BindingLike => ({ metadata: { name: 'b', ...(namespace ? { namespace } : {}) }, subjects });
  assert.deepEqual(matchingSubject(binding([{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }]), 'shop', 'web'), { subject: 'ServiceAccount shop/web', direct: true });
  // A RoleBinding's ServiceAccount subject without a namespace means the binding's own namespace.
  assert.deepEqual(matchingSubject(binding([{ kind: 'ServiceAccount', name: 'web' }], 'shop'), 'shop', 'web')?.direct, true);
  assert.equal(matchingSubject(binding([{ kind: 'ServiceAccount', name: 'web' }], 'payments'), 'shop', 'web'), null);
  assert.equal(matchingSubject(binding([{ kind: 'ServiceAccount', name: 'web', namespace: 'payments' }]), 'shop', 'web'), null);
  assert.deepEqual(matchingSubject(binding([{ kind: 'User', name: 'system:serviceaccount:shop:web' }]), 'shop', 'web'), { subject: 'User system:serviceaccount:shop:web', direct: true });
  assert.deepEqual(matchingSubject(binding([{ kind: 'Group', name: 'system:serviceaccounts:shop' }]), 'shop', 'web'), { subject: 'Group system:serviceaccounts:shop', direct: false });
  assert.equal(matchingSubject(binding([{ kind: 'Group', name: 'system:serviceaccounts:payments' }, { kind: 'User', name: 'web' }]), 'shop', 'web'), null);
  // A direct subject wins over a group listed before it.
  assert.equal(matchingSubject(binding([{ kind: 'Group', name: 'system:authenticated' }, { kind: 'ServiceAccount', name: 'web', namespace: 'shop' }]), 'shop', 'web')?.direct, true);
});

const shopRole = { rules: ROLES[0]?.rules ?? [] };
const roleBinding: BindingLike = { metadata: { name: 'web', namespace: 'shop', uid: 'u1' }, roleRef: { kind: 'Role', name: 'web' }, subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }] };

test('a RoleBinding grants only in its namespace, a ClusterRoleBinding everywhere, and RoleBindings never grant non-resource URLs', () => {
  const inShop = grantOf('RoleBinding', roleBinding, { subject: 'ServiceAccount shop/web', direct: true }, shopRole);
  assert.equal(inShop.scope, 'shop');
  const get = (namespace: string | null) => ({ verb: 'get', group: '', resource: 'secrets', namespace });
  assert.equal(grantsAllowing([inShop], get('shop')).length, 1);
  assert.equal(grantsAllowing([inShop], get('kube-system')).length, 0);
  assert.equal(grantsAllowing([inShop], get(null)).length, 0);

  const clusterWide = grantOf('ClusterRoleBinding', { ...roleBinding, metadata: { name: 'web-all' }, roleRef: { kind: 'ClusterRole', name: 'web' } }, { subject: 'x', direct: true }, shopRole);
  assert.equal(clusterWide.scope, null);
  assert.equal(grantsAllowing([clusterWide], get('kube-system')).length, 1);
  assert.equal(grantsAllowing([clusterWide], get(null)).length, 1);

  const withUrls = { rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }, ...shopRole.rules] };
  assert.equal(grantOf('RoleBinding', roleBinding, { subject: 'x', direct: true }, withUrls).rules.length, 2);
  const missing = grantOf('RoleBinding', roleBinding, { subject: 'x', direct: true }, 'missing');
  assert.deepEqual([missing.role.status, missing.rules.length], ['missing', 0]);
});

test('effectiveRules merges a rule two bindings grant, lists both, and puts dangerous rules first', () => {
  const viaGroup = grantOf('RoleBinding', { ...roleBinding, metadata: { name: 'everyone', namespace: 'shop' } }, { subject: 'Group system:serviceaccounts:shop', direct: false }, shopRole);
  const direct = grantOf('RoleBinding', roleBinding, { subject: 'ServiceAccount shop/web', direct: true }, { rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }, ...shopRole.rules] });
  const rules = effectiveRules([direct, viaGroup]);
  assert.equal(rules.length, 3);
  assert.deepEqual(rules.map((r) => r.dangers.length > 0), [true, true, false]);
  assert.deepEqual(rules[0]?.grantedBy, ['RoleBinding shop/web -> Role web', 'RoleBinding shop/everyone -> Role web']);
});

test('access checks predict from the grants and flag an API answer that differs', () => {
  const grant = grantOf('RoleBinding', roleBinding, { subject: 'ServiceAccount shop/web', direct: true }, shopRole);
  const probes = accessProbes('shop');
  const questions = probes.map((p) => p.question);
  assert.ok(questions.includes('get secrets in shop') && questions.includes('get secrets in kube-system'));
  const answers = probes.map((p) => ({ allowed: p.question === 'get secrets in shop' || p.question === 'get nodes/proxy cluster-wide', denied: false, reason: '', error: null }));
  const checks = accessChecks([grant], probes, answers);
  const byQuestion = new Map(checks.map((c) => [c.probe.question, c]));
  assert.equal(byQuestion.get('get secrets in shop')?.predicted, true);
  assert.equal(byQuestion.get('create pods in shop')?.predicted, true);
  assert.equal(byQuestion.get('get secrets in kube-system')?.predicted, false);
  assert.deepEqual(checks.filter(disagrees).map((c) => c.probe.question).sort(), ['create pods in shop', 'get nodes/proxy cluster-wide', 'list secrets in shop']);
  assert.equal(accessProbes('kube-system').some((p) => p.namespace === 'default'), true);
});
