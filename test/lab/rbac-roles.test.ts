/**
 * The shipped roles' effective permissions, measured on the lab: each role in deploy/rbac*.yaml is bound
 * alone to a fresh ServiceAccount, which then asks the API server (SelfSubjectAccessReview and
 * SelfSubjectRulesReview) whether it may do each thing on the dangerous list in docs/rbac.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { connectKube, type KubeClients } from '../../src/adapters/kube/kube-client.js';
import { REPO_ROOT, makeTempDir } from '../helpers/cli.js';
import { kubectl, requireLab } from '../helpers/lab.js';
import { boundIdentity } from '../helpers/lab-identity.js';

type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };
type RoleDoc = { kind: 'ClusterRole' | 'Role'; metadata: { name: string; namespace?: string }; rules?: Rule[] };
type Probe = { verb: string; group: string; resource: string; subresource?: string; name?: string; namespace?: string };

/** What a reviewer refuses to sign without a reason, each as the requests that would prove it is held. */
const DANGERS: Record<string, Probe[]> = {
  'mint-tokens': [{ verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: 'kube-system', name: 'default' }],
  escalate: [{ verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' }, { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: 'kube-system' }],
  bind: [{ verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' }, { verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: 'kube-system' }],
  impersonate: ['users', 'groups', 'serviceaccounts', 'uids', 'userextras'].map((resource) => ({ verb: 'impersonate', group: resource === 'userextras' || resource === 'uids' ? 'authentication.k8s.io' : '', resource, namespace: resource === 'serviceaccounts' ? 'kube-system' : undefined })),
  'read-secrets': ['get', 'list', 'watch'].map((verb) => ({ verb, group: '', resource: 'secrets', namespace: 'kube-system' })),
  'nodes-proxy': ['get', 'create'].map((verb) => ({ verb, group: '', resource: 'nodes', subresource: 'proxy' })),
  'admission-policy-delete': ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'].flatMap((resource) => ['delete', 'update', 'patch'].map((verb) => ({ verb, group: 'admissionregistration.k8s.io', resource, name: 'someone-elses-policy' }))),
  'exec-any-pod': [{ verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: 'kube-system' }, { verb: 'get', group: '', resource: 'pods', subresource: 'exec', namespace: 'kube-system' }],
  'ephemeral-containers-any-pod': [{ verb: 'patch', group: '', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'kube-system' }],
  'create-pods-kube-system': [{ verb: 'create', group: '', resource: 'pods', namespace: 'kube-system' }],
  'delete-secrets': [{ verb: 'delete', group: '', resource: 'secrets', namespace: 'kube-system' }],
};

/** Every ClusterRole and Role in deploy/rbac*.yaml. */
function shippedRoles(): RoleDoc[] {
  const dir = join(REPO_ROOT, 'deploy');
  return readdirSync(dir).filter((f) => /^rbac.*\.ya?ml$/.test(f)).sort()
    .flatMap((f) => loadAllYaml(readFileSync(join(dir, f), 'utf8')) as RoleDoc[])
    .filter((d) => d?.kind === 'ClusterRole' || d?.kind === 'Role');
}

/** The rows of docs/rbac.md's "Dangerous grants held" table: `role danger` → reason. */
function documentedGrants(): Map<string, string> {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'rbac.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Dangerous grants held')) ?? '';
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| `([a-z-]+)` \| `([a-z0-9-]+)` \| (.+) \|$/gm)) rows.set(`${m[2]} ${m[1]}`, (m[3] ?? '').trim());
  return rows;
}

async function allowed(kube: KubeClients, p: Probe): Promise<boolean> {
  const review = await kube.authz.createSelfSubjectAccessReview({
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: p.verb, group: p.group, resource: p.resource, subresource: p.subresource, name: p.name, namespace: p.namespace } } },
  });
  return review.status?.allowed === true;
}

/** The identity's resource rules in `namespace` (SelfSubjectRulesReview), one string each. */
async function rules(kube: KubeClients, namespace: string): Promise<string[]> {
  const review = await kube.authz.createSelfSubjectRulesReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } } });
  return (review.status?.resourceRules ?? []).map((r) => JSON.stringify([r.verbs, r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? []]));
}

/** The dangers an identity holds: probes the API server allows, and wildcards among its rules beyond `baseline`. */
async function dangersHeld(kube: KubeClients, baseline: ReadonlySet<string>): Promise<{ held: string[]; effective: string[] }> {
  const held: string[] = [];
  for (const [id, probes] of Object.entries(DANGERS)) {
    for (const probe of probes) {
      if (await allowed(kube, probe)) {
        held.push(id);
        break;
      }
    }
  }
  const effective = [...new Set([...(await rules(kube, 'default')), ...(await rules(kube, 'kube-system'))])].filter((r) => !baseline.has(r)).sort();
  if (effective.some((r) => r.includes('"*"'))) held.push('wildcard');
  return { held, effective };
}

test('each shipped role, bound alone to a fresh identity, holds no dangerous grant unless docs/rbac.md names it with a reason; cluster-admin holds them all', { timeout: 180_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const ns = `rbac-roles-${randomBytes(3).toString('hex')}`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(() => kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']));
  const identity = async (name: string, role: Parameters<typeof boundIdentity>[4]): Promise<KubeClients> => {
    const made = await boundIdentity(lab, dir, ns, name, role);
    t.after(made.cleanup);
    return connectKube({ kubeconfig: made.kubeconfig });
  };
  const nobody = await identity('nobody', null);
  const baseline = new Set([...(await rules(nobody, 'default')), ...(await rules(nobody, 'kube-system'))]);

  // The control: every check on the list can fire.
  const admin = await dangersHeld(await identity('control', { kind: 'ClusterRole', name: 'cluster-admin' }), baseline);
  assert.deepEqual(admin.held.sort(), [...Object.keys(DANGERS), 'wildcard'].sort(), 'a danger check never fires, even for cluster-admin');

  const roles = shippedRoles();
  assert.ok(roles.length >= 4, `deploy/rbac*.yaml has ${roles.length} roles`);
  const found = new Map<string, string[]>();
  for (const role of roles) {
    const kind = role.kind.toLowerCase();
    const live = await kubectl(lab, 'admin', ['get', kind, role.metadata.name, ...(role.metadata.namespace ? ['-n', role.metadata.namespace] : []), '-o', 'json']);
    assert.equal(live.exitCode, 0, `${role.kind} ${role.metadata.name} is not on the lab: apply deploy/rbac*.yaml (lab up does)`);
    assert.deepEqual((JSON.parse(live.stdout) as RoleDoc).rules ?? [], JSON.parse(JSON.stringify(role.rules ?? [])), `the lab's ${role.kind} ${role.metadata.name} differs from deploy/: re-apply deploy/rbac*.yaml`);
    const { held, effective } = await dangersHeld(await identity(`only-${role.metadata.name}`, { kind: role.kind, name: role.metadata.name, namespace: role.metadata.namespace }), baseline);
    t.diagnostic(`${role.metadata.name}: ${effective.length} rules beyond an unbound identity; dangerous: ${held.join(', ') || 'none'}`);
    assert.ok(effective.length > 0, `binding ${role.metadata.name} granted nothing`);
    found.set(role.metadata.name, held);
  }
  const documented = documentedGrants();
  const undocumented = [...found].flatMap(([role, held]) => held.map((id) => `${role} ${id}`)).filter((key) => (documented.get(key) ?? '').length < 40);
  assert.deepEqual(undocumented, [], 'dangerous grants that docs/rbac.md ("Dangerous grants held") does not name with a reason');
  const stale = [...documented.keys()].filter((key) => { const [role = '', id = ''] = key.split(' '); return !(found.get(role) ?? []).includes(id); });
  assert.deepEqual(stale, [], 'docs/rbac.md names dangerous grants no role holds any more');
});
