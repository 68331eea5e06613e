/**
 * The pod picker's reads: every pod, page by page (the API's limit/continue), and the cluster facts
 * its risk signals need (ServiceAccounts with their annotations, and every binding with its role's
 * rules). Read-only; what the responder may not read leaves the matching signal unknown.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ServiceAccountLike } from '../../core/identities/types.js';
import type { RiskContext } from '../../core/ui/risk-signals.js';
import { serviceAccountReach, type BindingWithRules } from '../../core/ui/sa-reach.js';
import type { KubeClients } from '../kube/kube-client.js';
import { toKubeError } from '../kube/to-kube-error.js';

/** Lists every pod in every namespace, `pageSize` at a time. */
export async function* podPages(kube: KubeClients, pageSize = 500): AsyncGenerator<V1Pod[]> {
  let token: string | undefined;
  do {
    let page;
    try {
      page = await kube.core.listPodForAllNamespaces({ limit: pageSize, _continue: token });
    } catch (error) {
      throw toKubeError(error, 'list pods in all namespaces');
    }
    yield page.items;
    token = page.metadata?._continue || undefined;
  } while (token !== undefined);
}

async function orEmpty<T>(read: () => Promise<{ items: T[] }>): Promise<T[] | null> {
  try {
    return (await read()).items;
  } catch {
    return null;
  }
}

/** Reads ServiceAccounts and RBAC bindings once, and says which ServiceAccounts hold dangerous rules. */
export async function readRiskContext(kube: KubeClients): Promise<RiskContext> {
  const [accounts, roleBindings, clusterBindings, roles, clusterRoles] = await Promise.all([
    orEmpty(() => kube.core.listServiceAccountForAllNamespaces()),
    orEmpty(() => kube.rbac.listRoleBindingForAllNamespaces()),
    orEmpty(() => kube.rbac.listClusterRoleBinding()),
    orEmpty(() => kube.rbac.listRoleForAllNamespaces()),
    orEmpty(() => kube.rbac.listClusterRole()),
  ]);
  const serviceAccounts = new Map<string, ServiceAccountLike>();
  for (const sa of accounts ?? []) serviceAccounts.set(`${sa.metadata?.namespace ?? ''}/${sa.metadata?.name ?? ''}`, sa);
  if (roleBindings === null || clusterBindings === null || roles === null || clusterRoles === null) return { serviceAccounts };
  const roleRules = new Map(roles.map((r) => [`${r.metadata?.namespace ?? ''}/${r.metadata?.name ?? ''}`, r.rules ?? []]));
  const clusterRoleRules = new Map(clusterRoles.map((r) => [r.metadata?.name ?? '', r.rules ?? []]));
  const bindings: BindingWithRules[] = [
    ...roleBindings.map((b): BindingWithRules => ({
      kind: 'RoleBinding', binding: b,
      rules: (b.roleRef.kind === 'Role' ? roleRules.get(`${b.metadata?.namespace ?? ''}/${b.roleRef.name}`) : clusterRoleRules.get(b.roleRef.name)) ?? [],
    })),
    ...clusterBindings.map((b): BindingWithRules => ({ kind: 'ClusterRoleBinding', binding: b, rules: clusterRoleRules.get(b.roleRef.name) ?? [] })),
  ];
  return { serviceAccounts, reach: serviceAccountReach([...serviceAccounts.keys()], bindings) };
}
