/**
 * Reads the Kubernetes objects around a suspect pod through the API: the pod, its owner chain, node,
 * ServiceAccount, the bindings that name it and their roles, the NetworkPolicies and Services that
 * select it, its events and its container logs (size-capped). Whatever the responder may not read is
 * noted and skipped; Secrets are never read.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { selectorMatches, serviceSelects } from '../../core/kube/label-selector.js';
import type { KubeClients } from './kube-client.js';
import { readPodLogBytes } from './read-pod-log.js';
import { toKubeError } from './to-kube-error.js';

/** A log read that receives nothing for this long ends, keeping what it had. */
const LOG_IDLE_MS = 30_000;

/** One object read, as plain JSON. */
export interface ContextObject {
  kind: string;
  object: Record<string, unknown>;
}

/** One container log read (current or previous run), as the exact bytes the API server sent. */
export interface ContainerLog {
  container: string;
  previous: boolean;
  bytes: Buffer;
  truncated: boolean;
}

/** Everything read around the pod, plus what could not be read and why. */
export interface PodContext {
  pod: V1Pod;
  objects: ContextObject[];
  logs: ContainerLog[];
  notes: string[];
}

/** Reads the pod (which must exist) and, best effort, everything around it. */
export async function readPodContext(kube: KubeClients, namespace: string, name: string, options: { maxLogBytes: number }): Promise<PodContext> {
  let pod: V1Pod;
  try {
    pod = await kube.core.readNamespacedPod({ namespace, name });
  } catch (error) {
    throw toKubeError(error, `read pod ${namespace}/${name}`);
  }
  const objects: ContextObject[] = [{ kind: 'Pod', object: plain(pod) }];
  const notes: string[] = [];
  const attempt = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      notes.push(`${what}: ${toKubeError(error, what).message}`);
      return undefined;
    }
  };
  const labels = pod.metadata?.labels ?? {};

  let owners = pod.metadata?.ownerReferences ?? [];
  for (let depth = 0; depth < 5 && owners.length > 0; depth += 1) {
    const next = [];
    for (const owner of owners) {
      const read = ownerReader(kube, owner.kind, namespace, owner.name);
      if (read === undefined) {
        notes.push(`owner ${owner.kind}/${owner.name}: kind not followed`);
        continue;
      }
      const object = await attempt(`read ${owner.kind} ${namespace}/${owner.name}`, read);
      if (object === undefined) continue;
      objects.push({ kind: owner.kind, object: plain(object) });
      next.push(...(((object as { metadata?: { ownerReferences?: typeof owners } }).metadata?.ownerReferences) ?? []));
    }
    owners = next;
  }
  const nodeName = pod.spec?.nodeName;
  if (nodeName) {
    const node = await attempt(`read node ${nodeName}`, () => kube.core.readNode({ name: nodeName }));
    if (node) objects.push({ kind: 'Node', object: plain(node) });
  }
  const saName = pod.spec?.serviceAccountName ?? 'default';
  const sa = await attempt(`read serviceaccount ${namespace}/${saName}`, () => kube.core.readNamespacedServiceAccount({ namespace, name: saName }));
  if (sa) objects.push({ kind: 'ServiceAccount', object: plain(sa) });

  const namesSa = (subjects: ReadonlyArray<{ kind: string; name: string; namespace?: string }> | undefined, bindingNamespace: string | undefined) =>
    (subjects ?? []).some((s) => (s.kind === 'ServiceAccount' && s.name === saName && (s.namespace ?? bindingNamespace) === namespace)
      || (s.kind === 'Group' && (s.name === 'system:serviceaccounts' || s.name === `system:serviceaccounts:${namespace}` || s.name === 'system:authenticated')));
  const roleBindings = await attempt(`list rolebindings in ${namespace}`, () => kube.rbac.listNamespacedRoleBinding({ namespace }));
  for (const binding of roleBindings?.items ?? []) {
    if (!namesSa(binding.subjects, namespace)) continue;
    objects.push({ kind: 'RoleBinding', object: plain(binding) });
    const ref = binding.roleRef;
    const role = ref.kind === 'Role'
      ? await attempt(`read role ${namespace}/${ref.name}`, () => kube.rbac.readNamespacedRole({ namespace, name: ref.name }))
      : await attempt(`read clusterrole ${ref.name}`, () => kube.rbac.readClusterRole({ name: ref.name }));
    if (role) objects.push({ kind: ref.kind, object: plain(role) });
  }
  const clusterBindings = await attempt('list clusterrolebindings', () => kube.rbac.listClusterRoleBinding());
  for (const binding of clusterBindings?.items ?? []) {
    if (!namesSa(binding.subjects, undefined)) continue;
    objects.push({ kind: 'ClusterRoleBinding', object: plain(binding) });
    const role = await attempt(`read clusterrole ${binding.roleRef.name}`, () => kube.rbac.readClusterRole({ name: binding.roleRef.name }));
    if (role) objects.push({ kind: 'ClusterRole', object: plain(role) });
  }
  const policies = await attempt(`list networkpolicies in ${namespace}`, () => kube.networking.listNamespacedNetworkPolicy({ namespace }));
  for (const policy of policies?.items ?? []) if (selectorMatches(policy.spec?.podSelector, labels)) objects.push({ kind: 'NetworkPolicy', object: plain(policy) });
  const services = await attempt(`list services in ${namespace}`, () => kube.core.listNamespacedService({ namespace }));
  for (const service of services?.items ?? []) if (serviceSelects(service.spec?.selector, labels)) objects.push({ kind: 'Service', object: plain(service) });
  const events = await attempt(`list events of ${namespace}/${name}`, () => kube.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` }));
  for (const event of events?.items ?? []) objects.push({ kind: 'Event', object: plain(event) });

  const logs: ContainerLog[] = [];
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  for (const container of containers) {
    for (const previous of [false, true]) {
      const what = `read ${previous ? 'previous ' : ''}log of ${namespace}/${name} (${container})`;
      const log = await attempt(what, () => readPodLogBytes(kube, { namespace, name, container, previous }, { maxBytes: options.maxLogBytes, idleMs: LOG_IDLE_MS }));
      if (log === undefined) continue;
      if (log.cut !== undefined) notes.push(`${what}: ${log.cut}`);
      logs.push({ container, previous, bytes: log.bytes, truncated: log.truncated });
    }
  }
  return { pod, objects, logs, notes };
}

function ownerReader(kube: KubeClients, kind: string, namespace: string, name: string): (() => Promise<object>) | undefined {
  switch (kind) {
    case 'ReplicaSet': return () => kube.apps.readNamespacedReplicaSet({ namespace, name });
    case 'Deployment': return () => kube.apps.readNamespacedDeployment({ namespace, name });
    case 'StatefulSet': return () => kube.apps.readNamespacedStatefulSet({ namespace, name });
    case 'DaemonSet': return () => kube.apps.readNamespacedDaemonSet({ namespace, name });
    case 'Job': return () => kube.batch.readNamespacedJob({ namespace, name });
    case 'CronJob': return () => kube.batch.readNamespacedCronJob({ namespace, name });
    default: return undefined;
  }
}

/** The object as plain JSON (client-node models carry Dates and class instances). */
export function plain(object: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
}
