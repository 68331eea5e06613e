/** Reads what the revocation planner needs: the pod, its ServiceAccount, the bindings naming it, and other pods using it. */
import type { JsonValue } from '../../core/custody/canonical-json.js';
import type { BindingFact, RevocationFacts } from '../../core/revoke/plan-revocation.js';
import { QUARANTINE_LABEL } from '../../core/contain/plan-isolation.js';
import { quarantineRefs, type QuarantineObjects } from '../../core/contain/plan-quarantine-removal.js';
import { readObject } from './cluster-changes.js';
import type { KubeClients } from './kube-client.js';
import { plain } from './pod-context.js';
import { toKubeError } from './to-kube-error.js';

/**
 * Reads the facts for revoking what `namespace/name` held; `serviceAccountName` is used when the pod is
 * already gone, or alone (`pod` null) for a ServiceAccount found without a pod; with `readQuarantine`,
 * this case's guard and quarantine policy of the pod too (deleted with it).
 */
export async function readRevocationFacts(kube: KubeClients, input: { caseId: string; namespace: string; pod: string | null; serviceAccountName?: string; legacyTokenSecrets: string[]; captureInCase: boolean; readQuarantine?: boolean }): Promise<RevocationFacts> {
  const { namespace } = input;
  let pod: RevocationFacts['pod'] = null;
  let saName = input.serviceAccountName;
  if (input.pod !== null) {
    try {
      const found = await kube.core.readNamespacedPod({ namespace, name: input.pod });
      pod = { namespace, name: input.pod, uid: found.metadata?.uid ?? '' };
      saName = found.spec?.serviceAccountName ?? 'default';
    } catch (error) {
      const kubeError = toKubeError(error, `read pod ${namespace}/${input.pod}`);
      if (kubeError.code !== 'KUBE_NOT_FOUND') throw kubeError;
    }
  }
  if (saName === undefined) throw toKubeError(Object.assign(new Error('pod not found'), { code: 'ENOPOD' }), `find the ServiceAccount of ${namespace}/${input.pod} (the pod is gone; pass --service-account NAME)`);
  let serviceAccount: RevocationFacts['serviceAccount'] = null;
  const legacy = new Set(input.legacyTokenSecrets);
  try {
    const sa = await kube.core.readNamespacedServiceAccount({ namespace, name: saName });
    serviceAccount = { name: saName, uid: sa.metadata?.uid ?? '', object: plain(sa) as Record<string, JsonValue> };
    for (const ref of sa.secrets ?? []) if (ref.name) legacy.add(ref.name);
  } catch (error) {
    const kubeError = toKubeError(error, `read serviceaccount ${namespace}/${saName}`);
    if (kubeError.code !== 'KUBE_NOT_FOUND') throw kubeError;
  }
  const bindings: BindingFact[] = [];
  const names = (subjects: BindingFact['subjects'] | undefined, bindingNs: string | undefined) => (subjects ?? []).some((s) =>
    (s.kind === 'ServiceAccount' && s.name === saName && (s.namespace ?? bindingNs) === namespace)
    || (s.kind === 'Group' && (s.name === 'system:serviceaccounts' || s.name === `system:serviceaccounts:${namespace}`)));
  try {
    for (const rb of (await kube.rbac.listNamespacedRoleBinding({ namespace })).items) {
      if (names(rb.subjects, namespace)) bindings.push({ kind: 'RoleBinding', namespace, name: rb.metadata?.name ?? '', uid: rb.metadata?.uid ?? '', roleRef: rb.roleRef, subjects: rb.subjects ?? [], object: plain(rb) as Record<string, JsonValue> });
    }
    for (const crb of (await kube.rbac.listClusterRoleBinding()).items) {
      if (names(crb.subjects, undefined)) bindings.push({ kind: 'ClusterRoleBinding', name: crb.metadata?.name ?? '', uid: crb.metadata?.uid ?? '', roleRef: crb.roleRef, subjects: crb.subjects ?? [], object: plain(crb) as Record<string, JsonValue> });
    }
  } catch (error) {
    throw toKubeError(error, 'list the RBAC bindings');
  }
  let others: string[] = [];
  let quarantined: string[] = [];
  try {
    const pods = (await kube.core.listNamespacedPod({ namespace })).items.filter((p) => p.metadata?.name !== input.pod);
    others = pods.filter((p) => (p.spec?.serviceAccountName ?? 'default') === saName).map((p) => p.metadata?.name ?? '');
    quarantined = pods.filter((p) => p.metadata?.labels?.[QUARANTINE_LABEL] === input.caseId).map((p) => p.metadata?.name ?? '');
  } catch (error) {
    throw toKubeError(error, `list pods in ${namespace}`);
  }
  const quarantine: QuarantineObjects = { found: [], otherQuarantinedPods: quarantined };
  for (const ref of input.readQuarantine === true && input.pod !== null ? quarantineRefs(input.caseId, namespace, input.pod) : []) {
    const now = await readObject(kube, ref) as { metadata?: { uid?: string; annotations?: Record<string, string> } } | null;
    if (now !== null) quarantine.found.push({ ref, uid: now.metadata?.uid ?? '', caseId: now.metadata?.annotations?.['kustody.io/case'] ?? null });
  }
  return { caseId: input.caseId, pod, serviceAccount, ...(input.pod === null ? { account: { namespace, name: saName } } : {}), legacyTokenSecrets: [...legacy].sort(), bindings, otherPodsUsingServiceAccount: others, captureInCase: input.captureInCase, ...(input.readQuarantine === true ? { quarantine } : {}) };
}
