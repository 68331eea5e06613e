/**
 * Applies kustody's Change values to the cluster, one narrow call per kind, with server-side dry-run
 * on request, JSON patches whose leading `test` operations are the preconditions, and deletes that
 * carry the object's uid. Also reads objects back and asks whether the responder may make a change.
 */
import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Change, ResourceRef } from '../../core/changes/change.js';
import type { KubeClients } from './kube-client.js';
import { plain } from './pod-context.js';
import { secretIdentity } from './secret-probe.js';
import { toKubeError } from './to-kube-error.js';

const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/** The verb, API group and resource a change needs, for a SelfSubjectAccessReview. */
export function permissionFor(change: Change): { verb: string; group: string; resource: string; namespace?: string; name?: string } {
  const [group, resource] = RESOURCES[change.target.kind];
  return { verb: change.action, group, resource, namespace: change.target.namespace, name: change.action === 'create' ? undefined : change.target.name };
}

const RESOURCES: Record<ResourceRef['kind'], [string, string]> = {
  Namespace: ['', 'namespaces'],
  Pod: ['', 'pods'],
  Node: ['', 'nodes'],
  NetworkPolicy: ['networking.k8s.io', 'networkpolicies'],
  ValidatingAdmissionPolicy: ['admissionregistration.k8s.io', 'validatingadmissionpolicies'],
  ValidatingAdmissionPolicyBinding: ['admissionregistration.k8s.io', 'validatingadmissionpolicybindings'],
  ServiceAccount: ['', 'serviceaccounts'],
  Secret: ['', 'secrets'],
  RoleBinding: ['rbac.authorization.k8s.io', 'rolebindings'],
  ClusterRoleBinding: ['rbac.authorization.k8s.io', 'clusterrolebindings'],
  CronJob: ['batch', 'cronjobs'],
  Job: ['batch', 'jobs'],
  DaemonSet: ['apps', 'daemonsets'],
  Deployment: ['apps', 'deployments'],
  ValidatingWebhookConfiguration: ['admissionregistration.k8s.io', 'validatingwebhookconfigurations'],
  MutatingWebhookConfiguration: ['admissionregistration.k8s.io', 'mutatingwebhookconfigurations'],
};

/** Asks the API server whether the current identity may make the change. */
export async function mayApply(kube: KubeClients, change: Change): Promise<boolean> {
  const p = permissionFor(change);
  const review = await kube.authz.createSelfSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: p.verb, group: p.group, resource: p.resource, namespace: p.namespace, name: p.name } } } });
  return review.status?.allowed === true;
}

/** Reads an object as plain JSON, or null when it does not exist. Secrets cannot be read by design: their existence and uid are probed with a dry-run delete (secret-probe.ts). */
export async function readObject(kube: KubeClients, ref: ResourceRef): Promise<Record<string, unknown> | null> {
  const ns = ref.namespace ?? '';
  const name = ref.name;
  try {
    switch (ref.kind) {
      case 'Namespace': return plain(await kube.core.readNamespace({ name }));
      case 'Pod': return plain(await kube.core.readNamespacedPod({ namespace: ns, name }));
      case 'Node': return plain(await kube.core.readNode({ name }));
      case 'NetworkPolicy': return plain(await kube.networking.readNamespacedNetworkPolicy({ namespace: ns, name }));
      case 'ValidatingAdmissionPolicy': return plain(await kube.admission.readValidatingAdmissionPolicy({ name }));
      case 'ValidatingAdmissionPolicyBinding': return plain(await kube.admission.readValidatingAdmissionPolicyBinding({ name }));
      case 'ServiceAccount': return plain(await kube.core.readNamespacedServiceAccount({ namespace: ns, name }));
      case 'RoleBinding': return plain(await kube.rbac.readNamespacedRoleBinding({ namespace: ns, name }));
      case 'ClusterRoleBinding': return plain(await kube.rbac.readClusterRoleBinding({ name }));
      case 'CronJob': return plain(await kube.batch.readNamespacedCronJob({ namespace: ns, name }));
      case 'Job': return plain(await kube.batch.readNamespacedJob({ namespace: ns, name }));
      case 'DaemonSet': return plain(await kube.apps.readNamespacedDaemonSet({ namespace: ns, name }));
      case 'Deployment': return plain(await kube.apps.readNamespacedDeployment({ namespace: ns, name }));
      case 'ValidatingWebhookConfiguration': return plain(await kube.admission.readValidatingWebhookConfiguration({ name }));
      case 'MutatingWebhookConfiguration': return plain(await kube.admission.readMutatingWebhookConfiguration({ name }));
      case 'Secret': {
        const found = await secretIdentity(kube, ns, name);
        return found === null ? null : { metadata: { name, namespace: ns, uid: found.uid } };
      }
    }
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return null;
    throw toKubeError(error, `read ${ref.kind} ${ns ? `${ns}/` : ''}${name}`);
  }
}

/** Applies (or, with dryRun, only validates server-side) one change and returns the object the server answered with. */
export async function applyChange(kube: KubeClients, change: Change, dryRun: boolean): Promise<Record<string, unknown> | null> {
  const dry = dryRun ? 'All' : undefined;
  const ns = change.target.namespace ?? '';
  const name = change.target.name;
  const what = `${change.action} ${change.target.kind} ${ns ? `${ns}/` : ''}${name}${dryRun ? ' (server-side dry run)' : ''}`;
  try {
    if (change.action === 'create') {
      const body = change.object as never;
      switch (change.target.kind) {
        case 'Namespace': return plain(await kube.core.createNamespace({ body, dryRun: dry }));
        case 'Pod': return plain(await kube.core.createNamespacedPod({ namespace: ns, body, dryRun: dry }));
        case 'NetworkPolicy': return plain(await kube.networking.createNamespacedNetworkPolicy({ namespace: ns, body, dryRun: dry }));
        case 'ValidatingAdmissionPolicy': return plain(await kube.admission.createValidatingAdmissionPolicy({ body, dryRun: dry }));
        case 'ValidatingAdmissionPolicyBinding': return plain(await kube.admission.createValidatingAdmissionPolicyBinding({ body, dryRun: dry }));
        case 'ServiceAccount': return plain(await kube.core.createNamespacedServiceAccount({ namespace: ns, body, dryRun: dry }));
        case 'RoleBinding': return plain(await kube.rbac.createNamespacedRoleBinding({ namespace: ns, body, dryRun: dry }));
        case 'ClusterRoleBinding': return plain(await kube.rbac.createClusterRoleBinding({ body, dryRun: dry }));
        // audit restore: what a sweep removed, recreated from the copy saved in the case.
        case 'CronJob': return plain(await kube.batch.createNamespacedCronJob({ namespace: ns, body, dryRun: dry }));
        case 'Job': return plain(await kube.batch.createNamespacedJob({ namespace: ns, body, dryRun: dry }));
        case 'DaemonSet': return plain(await kube.apps.createNamespacedDaemonSet({ namespace: ns, body, dryRun: dry }));
        case 'Deployment': return plain(await kube.apps.createNamespacedDeployment({ namespace: ns, body, dryRun: dry }));
        case 'ValidatingWebhookConfiguration': return plain(await kube.admission.createValidatingWebhookConfiguration({ body, dryRun: dry }));
        case 'MutatingWebhookConfiguration': return plain(await kube.admission.createMutatingWebhookConfiguration({ body, dryRun: dry }));
        default: throw new Error(`kustody does not create ${change.target.kind} objects`);
      }
    }
    if (change.action === 'patch') {
      const body = change.ops as never;
      switch (change.target.kind) {
        case 'Pod': return plain(await kube.core.patchNamespacedPod({ namespace: ns, name, body, dryRun: dry }, JSON_PATCH));
        case 'Node': return plain(await kube.core.patchNode({ name, body, dryRun: dry }, JSON_PATCH));
        case 'RoleBinding': return plain(await kube.rbac.patchNamespacedRoleBinding({ namespace: ns, name, body, dryRun: dry }, JSON_PATCH));
        case 'ClusterRoleBinding': return plain(await kube.rbac.patchClusterRoleBinding({ name, body, dryRun: dry }, JSON_PATCH));
        default: throw new Error(`kustody does not patch ${change.target.kind} objects`);
      }
    }
    // With a DeleteOptions body the API server ignores the dryRun query parameter (it read the body
    // instead, and deleted for real in the lab): dry run must be stated in the body too.
    const body = { preconditions: change.uid ? { uid: change.uid, resourceVersion: change.resourceVersion } : undefined, dryRun: dryRun ? ['All'] : undefined };
    switch (change.target.kind) {
      case 'Pod': await kube.core.deleteNamespacedPod({ namespace: ns, name, body, dryRun: dry }); break;
      case 'NetworkPolicy': await kube.networking.deleteNamespacedNetworkPolicy({ namespace: ns, name, body, dryRun: dry }); break;
      case 'ValidatingAdmissionPolicy': await kube.admission.deleteValidatingAdmissionPolicy({ name, body, dryRun: dry }); break;
      case 'ValidatingAdmissionPolicyBinding': await kube.admission.deleteValidatingAdmissionPolicyBinding({ name, body, dryRun: dry }); break;
      case 'ServiceAccount': await kube.core.deleteNamespacedServiceAccount({ namespace: ns, name, body, dryRun: dry }); break;
      case 'Secret': await kube.core.deleteNamespacedSecret({ namespace: ns, name, body, dryRun: dry }); break;
      case 'RoleBinding': await kube.rbac.deleteNamespacedRoleBinding({ namespace: ns, name, body, dryRun: dry }); break;
      case 'ClusterRoleBinding': await kube.rbac.deleteClusterRoleBinding({ name, body, dryRun: dry }); break;
      // audit sweep: persistence removal; the Jobs and Pods a CronJob, Job, DaemonSet or Deployment made go with it (background).
      case 'CronJob': await kube.batch.deleteNamespacedCronJob({ namespace: ns, name, body: { ...body, propagationPolicy: 'Background' }, dryRun: dry }); break;
      case 'Job': await kube.batch.deleteNamespacedJob({ namespace: ns, name, body: { ...body, propagationPolicy: 'Background' }, dryRun: dry }); break;
      case 'DaemonSet': await kube.apps.deleteNamespacedDaemonSet({ namespace: ns, name, body: { ...body, propagationPolicy: 'Background' }, dryRun: dry }); break;
      case 'Deployment': await kube.apps.deleteNamespacedDeployment({ namespace: ns, name, body: { ...body, propagationPolicy: 'Background' }, dryRun: dry }); break;
      case 'ValidatingWebhookConfiguration': await kube.admission.deleteValidatingWebhookConfiguration({ name, body, dryRun: dry }); break;
      case 'MutatingWebhookConfiguration': await kube.admission.deleteMutatingWebhookConfiguration({ name, body, dryRun: dry }); break;
      default: throw new Error(`kustody does not delete ${change.target.kind} objects`);
    }
    return null;
  } catch (error) {
    throw toKubeError(error, what);
  }
}
