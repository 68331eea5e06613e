// Which rules make a stolen token dangerous, as data: each kind names the requests that show it
// (k9s-style "danger is data"). A rule is dangerous when it allows any of them, whatever its
// resourceNames (which are reported, since they narrow but do not remove the risk).
import { ruleAllows, type Grant, type PolicyRule } from './rbac-rules.js';

/** What a dangerous rule lets the holder do. */
export type DangerKind =
  | 'read-secrets' | 'exec-into-pods' | 'create-workloads' | 'escalate' | 'bind' | 'impersonate' | 'nodes-proxy' | 'mint-tokens' | 'wildcard';

/** One dangerous kind, how to say it, and the requests that reveal it. */
interface DangerProbe {
  readonly kind: DangerKind;
  readonly label: string;
  readonly requests: ReadonlyArray<readonly [verbs: readonly string[], group: string, resources: readonly string[]]>;
}

const WORKLOADS = ['deployments', 'daemonsets', 'statefulsets', 'replicasets'] as const;

/** The dangerous kinds in the order they are reported. */
export const DANGER_PROBES: readonly DangerProbe[] = [
  { kind: 'read-secrets', label: 'read Secrets', requests: [[['get', 'list', 'watch'], '', ['secrets']]] },
  {
    kind: 'exec-into-pods', label: 'run commands in pods (exec, attach, ephemeral containers)',
    requests: [[['create', 'get'], '', ['pods/exec', 'pods/attach']], [['patch', 'update'], '', ['pods/ephemeralcontainers']]],
  },
  {
    kind: 'create-workloads', label: 'create pods or change workloads (runs any image with any ServiceAccount in reach)',
    requests: [
      [['create'], '', ['pods']], [['create', 'update', 'patch'], '', ['replicationcontrollers']],
      [['create', 'update', 'patch'], 'apps', WORKLOADS], [['create', 'update', 'patch'], 'batch', ['jobs', 'cronjobs']],
    ],
  },
  { kind: 'escalate', label: 'escalate: grant permissions it does not hold', requests: [[['escalate'], 'rbac.authorization.k8s.io', ['roles', 'clusterroles']]] },
  { kind: 'bind', label: 'bind: bind any role, cluster-admin included', requests: [[['bind'], 'rbac.authorization.k8s.io', ['roles', 'clusterroles']]] },
  {
    kind: 'impersonate', label: 'impersonate other users, groups or ServiceAccounts',
    requests: [[['impersonate'], '', ['users', 'groups', 'serviceaccounts']], [['impersonate'], 'authentication.k8s.io', ['uids', 'userextras']]],
  },
  { kind: 'nodes-proxy', label: 'nodes/proxy: talk to the kubelet API (exec in any pod on the node)', requests: [[['get', 'create'], '', ['nodes/proxy']]] },
  { kind: 'mint-tokens', label: 'mint ServiceAccount tokens (outlive the pod)', requests: [[['create'], '', ['serviceaccounts/token']]] },
];

/** One dangerous kind found in one effective rule. */
export interface DangerFinding {
  readonly kind: DangerKind;
  readonly label: string;
}

/** Classifies a rule: every dangerous kind it shows, in report order (wildcards last). */
export function classifyRule(rule: PolicyRule): DangerFinding[] {
  // resourceNames only narrow a rule; drop them so a named Secret still counts as reading Secrets.
  const unnamed: PolicyRule = { ...rule, resourceNames: [] };
  const found: DangerFinding[] = DANGER_PROBES.filter((probe) =>
    // `impersonate` means nothing but impersonation, whatever it names (userextras/<key> has open-ended subresources).
    (probe.kind === 'impersonate' && rule.verbs.includes('impersonate'))
    || probe.requests.some(([verbs, group, resources]) =>
      verbs.some((verb) => resources.some((resource) => ruleAllows(unnamed, { verb, group, resource, namespace: null })))))
    .map(({ kind, label }) => ({ kind, label }));
  const wild = [rule.verbs, rule.apiGroups, rule.resources, rule.nonResourceURLs].some((values) => values.includes('*'));
  if (wild) found.push({ kind: 'wildcard', label: 'wildcard (*): everything that exists now or is added later' });
  return found;
}

/** One rule of the effective set: where it applies, what it says, which bindings grant it, and why it is dangerous. */
export interface EffectiveRule {
  readonly scope: string | null;
  readonly rule: PolicyRule;
  readonly grantedBy: readonly string[];
  readonly dangers: readonly DangerFinding[];
}

/** Merges the grants' rules into one effective set: identical rules in the same scope appear once with every binding that grants them. */
export function effectiveRules(grants: readonly Grant[]): EffectiveRule[] {
  const merged = new Map<string, { scope: string | null; rule: PolicyRule; grantedBy: string[] }>();
  for (const grant of grants) {
    const source = `${grant.binding.kind} ${grant.binding.namespace === null ? '' : `${grant.binding.namespace}/`}${grant.binding.name} -> ${grant.role.kind} ${grant.role.name}`;
    for (const raw of grant.rules) {
      const rule = sortedRule(raw);
      const key = JSON.stringify([grant.scope, rule]);
      const entry = merged.get(key) ?? { scope: grant.scope, rule, grantedBy: [] };
      if (!entry.grantedBy.includes(source)) entry.grantedBy.push(source);
      merged.set(key, entry);
    }
  }
  return [...merged.values()].map((entry) => ({ ...entry, dangers: classifyRule(entry.rule) }))
    .sort((a, b) => Number(b.dangers.length > 0) - Number(a.dangers.length > 0) || scopeOrder(a.scope) - scopeOrder(b.scope));
}

function sortedRule(rule: PolicyRule): PolicyRule {
  const sorted = (values: readonly string[]) => [...new Set(values)].sort();
  return { verbs: sorted(rule.verbs), apiGroups: sorted(rule.apiGroups), resources: sorted(rule.resources), resourceNames: sorted(rule.resourceNames), nonResourceURLs: sorted(rule.nonResourceURLs) };
}

function scopeOrder(scope: string | null): number {
  return scope === null ? 0 : 1;
}
