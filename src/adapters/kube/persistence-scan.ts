/**
 * Lists, for a persistence sweep, every object of the kinds attackers persist with, in the sweep's
 * namespaces (or all) and cluster-wide. Secrets are never read: with list rights they are listed as
 * metadata only; without, the sweep says it could not see them. Whatever RBAC refuses is noted.
 */
import { AdmissionregistrationV1beta1Api, ApiException } from '@kubernetes/client-node';
import type { ScannedObject } from '../../core/sweep/types.js';
import type { KubeClients } from './kube-client.js';
import { plain } from './pod-context.js';
import { toKubeError } from './to-kube-error.js';
import { listSecretMetadata } from './secret-metadata.js';

/** What a scan read, which kinds it could list everywhere in scope, and what it could not see. */
export interface PersistenceScan {
  objects: ScannedObject[];
  readKinds: string[];
  notes: string[];
}

type Lister = (namespace: string | null) => Promise<{ items: object[] }>;

const API_VERSIONS: Readonly<Record<string, string>> = {
  CronJob: 'batch/v1', Job: 'batch/v1', DaemonSet: 'apps/v1', Deployment: 'apps/v1', ReplicaSet: 'apps/v1', Pod: 'v1', ServiceAccount: 'v1', Secret: 'v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1', ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
  ValidatingWebhookConfiguration: 'admissionregistration.k8s.io/v1', MutatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
  ValidatingAdmissionPolicy: 'admissionregistration.k8s.io/v1', ValidatingAdmissionPolicyBinding: 'admissionregistration.k8s.io/v1',
  MutatingAdmissionPolicy: 'admissionregistration.k8s.io/v1beta1', MutatingAdmissionPolicyBinding: 'admissionregistration.k8s.io/v1beta1',
};

/** Lists every sweep kind in `namespaces` (null: all namespaces) and every cluster-scoped sweep kind. */
export async function scanPersistence(kube: KubeClients, namespaces: readonly string[] | null): Promise<PersistenceScan> {
  const beta = kube.config.makeApiClient(AdmissionregistrationV1beta1Api);
  const namespaced: Record<string, Lister> = {
    CronJob: (ns) => (ns === null ? kube.batch.listCronJobForAllNamespaces() : kube.batch.listNamespacedCronJob({ namespace: ns })),
    Job: (ns) => (ns === null ? kube.batch.listJobForAllNamespaces() : kube.batch.listNamespacedJob({ namespace: ns })),
    DaemonSet: (ns) => (ns === null ? kube.apps.listDaemonSetForAllNamespaces() : kube.apps.listNamespacedDaemonSet({ namespace: ns })),
    Deployment: (ns) => (ns === null ? kube.apps.listDeploymentForAllNamespaces() : kube.apps.listNamespacedDeployment({ namespace: ns })),
    ReplicaSet: (ns) => (ns === null ? kube.apps.listReplicaSetForAllNamespaces() : kube.apps.listNamespacedReplicaSet({ namespace: ns })),
    Pod: (ns) => (ns === null ? kube.core.listPodForAllNamespaces() : kube.core.listNamespacedPod({ namespace: ns })),
    ServiceAccount: (ns) => (ns === null ? kube.core.listServiceAccountForAllNamespaces() : kube.core.listNamespacedServiceAccount({ namespace: ns })),
    RoleBinding: (ns) => (ns === null ? kube.rbac.listRoleBindingForAllNamespaces() : kube.rbac.listNamespacedRoleBinding({ namespace: ns })),
  };
  const clusterWide: Record<string, () => Promise<{ items: object[] }>> = {
    ClusterRoleBinding: () => kube.rbac.listClusterRoleBinding(),
    ValidatingWebhookConfiguration: () => kube.admission.listValidatingWebhookConfiguration(),
    MutatingWebhookConfiguration: () => kube.admission.listMutatingWebhookConfiguration(),
    ValidatingAdmissionPolicy: () => kube.admission.listValidatingAdmissionPolicy(),
    ValidatingAdmissionPolicyBinding: () => kube.admission.listValidatingAdmissionPolicyBinding(),
    MutatingAdmissionPolicy: () => beta.listMutatingAdmissionPolicy(),
    MutatingAdmissionPolicyBinding: () => beta.listMutatingAdmissionPolicyBinding(),
  };
  const objects: ScannedObject[] = [];
  const readKinds: string[] = [];
  const notes: string[] = [];
  const take = (kind: string, items: object[]) => {
    for (const item of items) objects.push({ kind, object: { apiVersion: API_VERSIONS[kind], kind, ...plain(item) } });
  };
  const scopes: Array<string | null> = namespaces === null ? [null] : [...namespaces];
  for (const [kind, list] of Object.entries(namespaced)) {
    let everywhere = true;
    for (const ns of scopes) {
      try {
        take(kind, (await list(ns)).items);
      } catch (error) {
        everywhere = false;
        notes.push(`could not list ${kind} objects ${ns === null ? 'in all namespaces' : `in ${ns}`}: ${toKubeError(error, `list ${kind}`).message}`);
      }
    }
    if (everywhere) readKinds.push(kind);
  }
  for (const [kind, list] of Object.entries(clusterWide)) {
    try {
      take(kind, (await list()).items);
      readKinds.push(kind);
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) notes.push(`${kind}: this API server does not serve that API (feature off); nothing to scan.`);
      else notes.push(`could not list ${kind} objects: ${toKubeError(error, `list ${kind}`).message}`);
    }
  }
  const secrets = await listSecretMetadata(kube, scopes);
  for (const item of secrets.items) objects.push({ kind: 'Secret', object: { apiVersion: 'v1', kind: 'Secret', ...item } });
  if (secrets.complete) readKinds.push('Secret');
  notes.push(...secrets.notes);
  return { objects, readKinds, notes };
}
