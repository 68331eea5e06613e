/** A lab namespace with a never-scheduled pod and a ServiceAccount with the responders' roles, for kubeconfig and credential plugin tests. */
import { kubectl, type LabEnv } from './lab.js';

/** What the tests use: the namespace, its pod, the lab's cluster entry (server and CA), a token for the ServiceAccount, and cleanup. */
export interface PluginIdentity {
  namespace: string;
  pod: string;
  cluster: Record<string, unknown>;
  token: string;
  remove: () => Promise<void>;
}

/** The ClusterRoles the lab grants kustody's responders (group kustody:responders), read from the cluster so RBAC changes follow. */
async function responderRoles(lab: LabEnv): Promise<string[]> {
  const list = JSON.parse((await kubectl(lab, 'admin', ['get', 'clusterrolebindings', '-o', 'json'])).stdout) as { items: Array<{ roleRef: { kind: string; name: string }; subjects?: Array<{ kind: string; name: string }> }> };
  return list.items.filter((b) => b.roleRef.kind === 'ClusterRole' && (b.subjects ?? []).some((s) => s.kind === 'Group' && s.name === 'kustody:responders')).map((b) => b.roleRef.name);
}

/** Creates namespace `namespace` (unique per test) with pod web-0 and ServiceAccount `plugin-user` bound cluster-wide to the responders' ClusterRoles. */
export async function pluginIdentity(lab: LabEnv, namespace: string): Promise<PluginIdentity> {
  const roles = await responderRoles(lab);
  if (roles.length === 0) throw new Error('the lab binds no ClusterRole to group kustody:responders');
  const bindings = roles.map((role) => `${namespace}-${role}`);
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'plugin-user', namespace } },
    // A scheduling gate keeps the pod unscheduled: it exists for the API, and nothing runs.
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace }, spec: { schedulingGates: [{ name: 'kustody.test/never' }], containers: [{ name: 'web', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never' }] } },
    ...roles.map((role, i) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: bindings[i] }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ kind: 'ServiceAccount', name: 'plugin-user', namespace }] })),
  ];
  const remove = async () => {
    await kubectl(lab, 'admin', ['delete', 'clusterrolebinding', ...bindings, '--ignore-not-found']);
    await kubectl(lab, 'admin', ['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
  };
  const applied = await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: objects.map((o) => JSON.stringify(o)).join('\n---\n') });
  if (applied.exitCode !== 0) {
    await remove();
    throw new Error(applied.stderr);
  }
  const token = (await kubectl(lab, 'admin', ['create', 'token', 'plugin-user', '-n', namespace, '--duration', '15m'])).stdout.trim();
  const admin = JSON.parse((await kubectl(lab, 'admin', ['config', 'view', '--raw', '--minify', '-o', 'json'])).stdout) as { clusters: Array<{ cluster: Record<string, unknown> }> };
  return { namespace, pod: 'web-0', cluster: admin.clusters[0]?.cluster ?? {}, token, remove };
}
