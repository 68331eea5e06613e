/** Reads what the isolation planner needs about a pod: its controller's selector, the Services and NetworkPolicies around it, its node. */
import type { IsolationFacts } from '../../core/contain/plan-isolation.js';
import { serviceSelects } from '../../core/kube/label-selector.js';
import type { KubeClients } from './kube-client.js';
import { toKubeError } from './to-kube-error.js';

/** Reads the facts for isolating `namespace/name`; the pod must exist; the node only when `readNode`. */
export async function readIsolationFacts(kube: KubeClients, caseId: string, namespace: string, name: string, responderUser: string, options: { readNode: boolean; readNamespace?: boolean } = { readNode: true }): Promise<IsolationFacts> {
  const read = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw toKubeError(error, what);
    }
  };
  const pod = await read(`read pod ${namespace}/${name}`, () => kube.core.readNamespacedPod({ namespace, name }));
  const labels = pod.metadata?.labels ?? {};
  const controllerSelectorKeys: string[] = [];
  for (const owner of pod.metadata?.ownerReferences ?? []) {
    if (owner.controller !== true) continue;
    const selector = await controllerSelector(kube, owner.kind, namespace, owner.name);
    controllerSelectorKeys.push(...Object.keys(selector?.matchLabels ?? {}), ...(selector?.matchExpressions ?? []).map((e) => e.key));
  }
  const services = (await read(`list services in ${namespace}`, () => kube.core.listNamespacedService({ namespace }))).items
    .filter((s) => serviceSelects(s.spec?.selector, labels))
    .map((s) => ({ name: s.metadata?.name ?? '', selectorKeys: Object.keys(s.spec?.selector ?? {}) }));
  const policies = (await read(`list networkpolicies in ${namespace}`, () => kube.networking.listNamespacedNetworkPolicy({ namespace }))).items.map((p) => ({
    name: p.metadata?.name ?? '',
    podSelector: p.spec?.podSelector ?? null,
    policyTypes: p.spec?.policyTypes ?? [],
    ingressRules: p.spec?.ingress?.length ?? 0,
    egressRules: p.spec?.egress?.length ?? 0,
  }));
  const nodeName = pod.spec?.nodeName ?? null;
  // The node is read only when the plan may cordon it, so isolating needs no node permissions otherwise.
  const node = nodeName === null || !options.readNode ? null : await read(`read node ${nodeName}`, () => kube.core.readNode({ name: nodeName }));
  // The guard pins the namespace by uid; read only when guarding.
  const namespaceUid = options.readNamespace === true ? (await read(`read namespace ${namespace}`, () => kube.core.readNamespace({ name: namespace }))).metadata?.uid ?? null : null;
  return {
    caseId,
    namespaceUid,
    pod: { namespace, name, uid: pod.metadata?.uid ?? '', labels, nodeName, hostNetwork: pod.spec?.hostNetwork === true },
    node: node === null ? null : { name: node.metadata?.name ?? '', uid: node.metadata?.uid ?? '', unschedulable: node.spec?.unschedulable === true },
    controllerSelectorKeys,
    services,
    policies,
    responderUser,
  };
}

async function controllerSelector(kube: KubeClients, kind: string, namespace: string, name: string) {
  try {
    switch (kind) {
      case 'ReplicaSet': return (await kube.apps.readNamespacedReplicaSet({ namespace, name })).spec?.selector;
      case 'StatefulSet': return (await kube.apps.readNamespacedStatefulSet({ namespace, name })).spec?.selector;
      case 'DaemonSet': return (await kube.apps.readNamespacedDaemonSet({ namespace, name })).spec?.selector;
      case 'Job': return (await kube.batch.readNamespacedJob({ namespace, name })).spec?.selector;
      default: return undefined;
    }
  } catch (error) {
    throw toKubeError(error, `read the ${kind} that controls ${namespace}`);
  }
}
