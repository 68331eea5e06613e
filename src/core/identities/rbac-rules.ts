// RBAC as the API server's authorizer evaluates it (plugin/pkg/auth/authorizer/rbac): which bindings
// name a ServiceAccount, what their roles grant and where, and whether a rule set allows a request.
import type { ObjectMetaLike } from './types.js';

/** A PolicyRule as the API returns it. */
export interface PolicyRuleLike {
  readonly verbs?: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** A RoleBinding or ClusterRoleBinding as the API returns it. */
export interface BindingLike {
  readonly metadata?: ObjectMetaLike;
  readonly roleRef?: { readonly kind?: string; readonly name?: string };
  readonly subjects?: ReadonlyArray<{ readonly kind?: string; readonly name?: string; readonly namespace?: string }>;
}

/** A rule with every list present (possibly empty). */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

/** One binding that names the ServiceAccount, with what its role grants and where. */
export interface Grant {
  readonly binding: { readonly kind: 'RoleBinding' | 'ClusterRoleBinding'; readonly namespace: string | null; readonly name: string; readonly uid: string | null };
  /** The subject that matched: `ServiceAccount shop/web`, `Group system:serviceaccounts:shop`, `User system:serviceaccount:shop:web`. */
  readonly matchedSubject: string;
  /** True when the binding names this ServiceAccount itself rather than a group every ServiceAccount is in. */
  readonly direct: boolean;
  /** `missing` roles grant nothing until someone creates them; `unreadable` ones could not be read by the responder. */
  readonly role: { readonly kind: 'Role' | 'ClusterRole'; readonly name: string; readonly status: 'found' | 'missing' | 'unreadable' };
  /** The namespace the rules apply in, or null for everywhere (a ClusterRoleBinding). */
  readonly scope: string | null;
  readonly rules: readonly PolicyRule[];
}

/** A request as the authorizer sees it; `resource` may carry a subresource (`pods/exec`); namespace null is cluster-scoped or all namespaces. */
export interface ResourceRequest {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly name?: string;
  readonly namespace: string | null;
}

/** The username and groups the API server gives a ServiceAccount's tokens. */
export function serviceAccountUser(namespace: string, name: string): { user: string; groups: string[] } {
  return { user: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] };
}

/** Says which subject of a binding names the ServiceAccount (itself, as a User, or through one of its groups), or null. */
export function matchingSubject(binding: BindingLike, namespace: string, serviceAccount: string): { subject: string; direct: boolean } | null {
  const { user, groups } = serviceAccountUser(namespace, serviceAccount);
  const bindingNamespace = binding.metadata?.namespace;
  let viaGroup: string | null = null;
  for (const subject of list(binding.subjects)) {
    // A ServiceAccount subject without a namespace means the binding's own (RoleBindings only).
    if (subject.kind === 'ServiceAccount' && subject.name === serviceAccount && (subject.namespace || bindingNamespace) === namespace) {
      return { subject: `ServiceAccount ${namespace}/${serviceAccount}`, direct: true };
    }
    if (subject.kind === 'User' && subject.name === user) return { subject: `User ${user}`, direct: true };
    if (subject.kind === 'Group' && typeof subject.name === 'string' && groups.includes(subject.name)) viaGroup ??= `Group ${subject.name}`;
  }
  return viaGroup === null ? null : { subject: viaGroup, direct: false };
}

/** Builds the grant of a binding that names the ServiceAccount from its referenced role (or why that role is absent). */
export function grantOf(kind: Grant['binding']['kind'], binding: BindingLike, match: { subject: string; direct: boolean }, role: { rules?: readonly PolicyRuleLike[] } | 'missing' | 'unreadable'): Grant {
  const rules = typeof role === 'string' ? [] : list(role.rules);
  const namespace = kind === 'RoleBinding' ? binding.metadata?.namespace ?? null : null;
  return {
    binding: { kind, namespace, name: binding.metadata?.name ?? '', uid: binding.metadata?.uid ?? null },
    matchedSubject: match.subject,
    direct: match.direct,
    role: { kind: binding.roleRef?.kind === 'Role' ? 'Role' : 'ClusterRole', name: binding.roleRef?.name ?? '', status: typeof role === 'string' ? role : 'found' },
    scope: namespace,
    // The authorizer ignores nonResourceURLs granted through a RoleBinding.
    rules: rules.map(normalizeRule).map((rule) => (namespace === null ? rule : { ...rule, nonResourceURLs: [] }))
      .filter((rule) => rule.verbs.length > 0 && (rule.resources.length > 0 || rule.nonResourceURLs.length > 0)),
  };
}

/** Copies a rule with every list present and only string entries kept. */
export function normalizeRule(rule: PolicyRuleLike): PolicyRule {
  const strings = (value: readonly string[] | undefined) => list(value).filter((item): item is string => typeof item === 'string');
  return { verbs: strings(rule.verbs), apiGroups: strings(rule.apiGroups), resources: strings(rule.resources), resourceNames: strings(rule.resourceNames), nonResourceURLs: strings(rule.nonResourceURLs) };
}

/** Whether one rule allows a resource request (scope aside), exactly as RBAC's RuleAllows does. */
export function ruleAllows(rule: PolicyRule, request: ResourceRequest): boolean {
  if (!rule.verbs.some((verb) => verb === '*' || verb === request.verb)) return false;
  if (!rule.apiGroups.some((group) => group === '*' || group === request.group)) return false;
  if (!resourceMatches(rule.resources, request.resource)) return false;
  return rule.resourceNames.length === 0 || (request.name !== undefined && request.name !== '' && rule.resourceNames.includes(request.name));
}

/** Whether one rule allows a verb on a non-resource URL such as `/metrics`. */
export function ruleAllowsPath(rule: PolicyRule, verb: string, path: string): boolean {
  if (!rule.verbs.some((v) => v === '*' || v === verb)) return false;
  return rule.nonResourceURLs.some((url) => url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.slice(0, -1))));
}

/** Whether a rule with this scope (a namespace, or null for everywhere) applies to a request in `namespace`. */
export function scopeCovers(scope: string | null, namespace: string | null): boolean {
  return scope === null || scope === namespace;
}

/** The grants that allow the request, in the order given; empty means RBAC denies it. */
export function grantsAllowing(grants: readonly Grant[], request: ResourceRequest): Grant[] {
  return grants.filter((grant) => scopeCovers(grant.scope, request.namespace) && grant.rules.some((rule) => ruleAllows(rule, request)));
}

function resourceMatches(resources: readonly string[], requested: string): boolean {
  const slash = requested.indexOf('/');
  const subresource = slash < 0 ? '' : requested.slice(slash + 1);
  return resources.some((resource) => resource === '*' || resource === requested || (subresource !== '' && resource === `*/${subresource}`));
}

function list<T>(value: readonly T[] | undefined | null): readonly T[] {
  return Array.isArray(value) ? value : [];
}
