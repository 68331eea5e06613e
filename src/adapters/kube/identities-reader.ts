/**
 * Reads what the identity inventory needs from the API: the pod, its ServiceAccount, every
 * RoleBinding and ClusterRoleBinding that names the ServiceAccount (in any namespace) with their
 * roles, and SubjectAccessReview answers for the ServiceAccount. Secrets are never read. What the
 * responder may not read is noted, not fatal; only a missing or unreadable pod is.
 */
import type { V1Pod, V1ServiceAccount } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node';
import type { AccessAnswer, AccessProbe } from '../../core/identities/access-checks.js';
import { serviceAccountName } from '../../core/identities/pod-identities.js';
import { grantOf, matchingSubject, type Grant, type PolicyRuleLike } from '../../core/identities/rbac-rules.js';
import type { KubeClients } from './kube-client.js';
import { toKubeError } from './to-kube-error.js';

/** The objects read around the pod, plus what could not be read and why. */
export interface IdentityObjects {
  pod: V1Pod;
  serviceAccount: V1ServiceAccount | null;
  grants: Grant[];
  notes: string[];
}

/** Who a SubjectAccessReview asks about: a ServiceAccount's user, groups and uid, and the pod its token is bound to. */
export interface ReviewSubject {
  user: string;
  groups: readonly string[];
  uid: string | null;
  pod: { name: string; uid: string | null };
}

/** Reads the pod (which must exist), its ServiceAccount and the grants that name it. */
export async function readIdentityObjects(kube: KubeClients, namespace: string, name: string): Promise<IdentityObjects> {
  let pod: V1Pod;
  try {
    pod = await kube.core.readNamespacedPod({ namespace, name });
  } catch (error) {
    throw toKubeError(error, `read pod ${namespace}/${name}`);
  }
  const notes: string[] = [];
  const saName = serviceAccountName(pod);
  let serviceAccount: V1ServiceAccount | null = null;
  try {
    serviceAccount = await kube.core.readNamespacedServiceAccount({ namespace, name: saName });
  } catch (error) {
    notes.push(isNotFound(error)
      ? `ServiceAccount ${namespace}/${saName} does not exist any more; tokens already issued to the pod stop working about 60 s after its deletion`
      : `read serviceaccount ${namespace}/${saName}: ${toKubeError(error, `read serviceaccount ${namespace}/${saName}`).message}`);
  }
  const grants = await readGrants(kube, namespace, saName, notes);
  return { pod, serviceAccount, grants, notes };
}

async function readGrants(kube: KubeClients, namespace: string, saName: string, notes: string[]): Promise<Grant[]> {
  const grants: Grant[] = [];
  const roleCache = new Map<string, Promise<{ rules?: PolicyRuleLike[] } | 'missing' | 'unreadable'>>();
  const readRole = (kind: string, roleNamespace: string | null, roleName: string) => {
    const key = `${kind}/${roleNamespace ?? ''}/${roleName}`;
    let read = roleCache.get(key);
    if (read === undefined) {
      const what = kind === 'Role' ? `read role ${roleNamespace ?? ''}/${roleName}` : `read clusterrole ${roleName}`;
      read = (kind === 'Role' && roleNamespace !== null
        ? kube.rbac.readNamespacedRole({ namespace: roleNamespace, name: roleName })
        : kube.rbac.readClusterRole({ name: roleName })
      ).then((role) => ({ rules: role.rules ?? [] }), (error: unknown) => {
        if (isNotFound(error)) return 'missing' as const;
        notes.push(`${what}: ${toKubeError(error, what).message}`);
        return 'unreadable' as const;
      });
      roleCache.set(key, read);
    }
    return read;
  };
  try {
    const bindings = await kube.rbac.listRoleBindingForAllNamespaces();
    for (const binding of bindings.items) {
      const match = matchingSubject(binding, namespace, saName);
      if (match === null) continue;
      const roleKind = binding.roleRef.kind === 'Role' ? 'Role' : 'ClusterRole';
      grants.push(grantOf('RoleBinding', binding, match, await readRole(roleKind, binding.metadata?.namespace ?? null, binding.roleRef.name)));
    }
  } catch (error) {
    notes.push(`RBAC reach is incomplete: ${toKubeError(error, 'list rolebindings in all namespaces').message}`);
  }
  try {
    const bindings = await kube.rbac.listClusterRoleBinding();
    for (const binding of bindings.items) {
      const match = matchingSubject(binding, namespace, saName);
      if (match === null) continue;
      grants.push(grantOf('ClusterRoleBinding', binding, match, await readRole('ClusterRole', null, binding.roleRef.name)));
    }
  } catch (error) {
    notes.push(`RBAC reach is incomplete: ${toKubeError(error, 'list clusterrolebindings').message}`);
  }
  return grants;
}

/** Asks the API server, one SubjectAccessReview per probe (in parallel), whether the subject may do it; answers come back in probe order. */
export async function reviewAccess(kube: KubeClients, subject: ReviewSubject, probes: readonly AccessProbe[]): Promise<AccessAnswer[]> {
  // The extra fields a pod-bound token carries, so authorizers that look at them (CEL, webhooks) answer as for the real token.
  const extra: Record<string, string[]> = { 'authentication.kubernetes.io/pod-name': [subject.pod.name] };
  if (subject.pod.uid !== null) extra['authentication.kubernetes.io/pod-uid'] = [subject.pod.uid];
  return Promise.all(probes.map(async (probe): Promise<AccessAnswer> => {
    const [resource = '', subresource] = probe.resource.split('/');
    try {
      const review = await kube.authz.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
          spec: {
            user: subject.user, groups: [...subject.groups], extra, ...(subject.uid === null ? {} : { uid: subject.uid }),
            resourceAttributes: { verb: probe.verb, group: probe.group, resource, ...(subresource === undefined ? {} : { subresource }), namespace: probe.namespace ?? '' },
          },
        },
      });
      const status = review.status;
      return { allowed: status?.allowed === true, denied: status?.denied === true, reason: status?.reason ?? '', error: status?.evaluationError ?? null };
    } catch (error) {
      return { allowed: null, denied: false, reason: '', error: toKubeError(error, `create subjectaccessreviews (${probe.question})`).message };
    }
  }));
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}
