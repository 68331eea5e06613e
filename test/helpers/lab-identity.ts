/** A throwaway identity for RBAC tests: a ServiceAccount with one Role, and a kubeconfig using a short-lived token for it. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, type LabEnv } from './lab.js';

/** Creates ServiceAccount `name` in `namespace` bound to `rules`, and writes a kubeconfig for it into `dir`. */
export async function limitedIdentity(lab: LabEnv, dir: string, namespace: string, name: string, rules: object[]): Promise<string> {
  const manifest = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name, namespace }] },
  ];
  return identityKubeconfig(lab, dir, namespace, name, manifest);
}

/** Creates ServiceAccount `name` in `namespace` bound there (RoleBinding) to ClusterRole `clusterRole` (e.g. `edit`, `admin`), and writes a kubeconfig for it into `dir`. */
export async function namespaceRoleIdentity(lab: LabEnv, dir: string, namespace: string, name: string, clusterRole: string): Promise<string> {
  const manifest = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole }, subjects: [{ kind: 'ServiceAccount', name, namespace }] },
  ];
  return identityKubeconfig(lab, dir, namespace, name, manifest);
}

async function identityKubeconfig(lab: LabEnv, dir: string, namespace: string, name: string, manifest: object[]): Promise<string> {
  const applied = await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: manifest.map((m) => JSON.stringify(m)).join('\n---\n') });
  if (applied.exitCode !== 0) throw new Error(applied.stderr);
  return tokenKubeconfig(lab, dir, namespace, name);
}

/** Creates ServiceAccount `name` in `namespace` bound to exactly `role` (a ClusterRole cluster-wide, or a Role in its own namespace), and writes a kubeconfig for it. */
export async function boundIdentity(lab: LabEnv, dir: string, namespace: string, name: string, role: { kind: 'ClusterRole' | 'Role'; name: string; namespace?: string } | null): Promise<{ kubeconfig: string; cleanup: () => Promise<void> }> {
  const binding = role === null ? [] : [role.kind === 'ClusterRole'
    ? { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${namespace}-${name}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name }, subjects: [{ kind: 'ServiceAccount', name, namespace }] }
    : { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${namespace}-${name}`, namespace: role.namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name }, subjects: [{ kind: 'ServiceAccount', name, namespace }] }];
  const manifest = [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }, ...binding];
  const applied = await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: manifest.map((m) => JSON.stringify(m)).join('\n---\n') });
  if (applied.exitCode !== 0) throw new Error(applied.stderr);
  const cleanup = async () => {
    for (const b of binding) await kubectl(lab, 'admin', ['delete', b.kind.toLowerCase(), b.metadata.name, ...(b.metadata.namespace ? ['-n', b.metadata.namespace] : []), '--ignore-not-found']);
  };
  return { kubeconfig: await tokenKubeconfig(lab, dir, namespace, name), cleanup };
}

/** A kubeconfig for ServiceAccount `namespace/name` with a 10-minute token minted by the admin. */
async function tokenKubeconfig(lab: LabEnv, dir: string, namespace: string, name: string): Promise<string> {
  const token = (await kubectl(lab, 'admin', ['create', 'token', name, '-n', namespace, '--duration', '10m'])).stdout.trim();
  const admin = (await kubectl(lab, 'admin', ['config', 'view', '--raw', '-o', 'json'])).stdout;
  const cluster = (JSON.parse(admin) as { clusters: Array<{ cluster: Record<string, string> }> }).clusters[0]?.cluster ?? {};
  const config = { apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'lab', cluster }], users: [{ name, user: { token } }], contexts: [{ name, context: { cluster: 'lab', user: name } }], 'current-context': name };
  const path = join(dir, `${name}.kubeconfig`);
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}
