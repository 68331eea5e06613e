/** A lab namespace with a never-scheduled pod and a ServiceAccount bound to kustody-responder, for kubeconfig and credential plugin tests. */
import { kubectl, type LabEnv } from './lab.js';

/** What the tests use: the namespace, its pod, the lab's cluster entry (server and CA), a token for the ServiceAccount, and cleanup. */
export interface PluginIdentity {
  namespace: string;
  pod: string;
  cluster: Record<string, unknown>;
  token: string;
  remove: () => Promise<void>;
}

/** Creates namespace `namespace` (unique per test) with pod web-0 and ServiceAccount `plugin-user` bound cluster-wide to kustody-responder. */
export async function pluginIdentity(lab: LabEnv, namespace: string): Promise<PluginIdentity> {
  const binding = `${namespace}-plugin-user`;
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'plugin-user', namespace } },
    // A scheduling gate keeps the pod unscheduled: it exists for the API, and nothing runs.
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace }, spec: { schedulingGates: [{ name: 'kustody.test/never' }], containers: [{ name: 'web', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never' }] } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: binding }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kustody-responder' }, subjects: [{ kind: 'ServiceAccount', name: 'plugin-user', namespace }] },
  ];
  const remove = async () => {
    await kubectl(lab, 'admin', ['delete', 'clusterrolebinding', binding, '--ignore-not-found']);
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
