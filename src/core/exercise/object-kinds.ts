/**
 * The Kubernetes kinds a scenario may create, whether each is namespaced, and the placeholders a
 * scenario's objects may use. Pure: the exercise forces every object into its own namespace and label.
 */

/** A kind a scenario may create: its API version, whether it lives in a namespace, and its resource name. */
export interface KnownKind {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  resource: string;
}

/** Every kind a scenario may create or the attacker may list/get. */
export const KNOWN_KINDS: readonly KnownKind[] = [
  { apiVersion: 'v1', kind: 'Pod', namespaced: true, resource: 'pods' },
  { apiVersion: 'v1', kind: 'Secret', namespaced: true, resource: 'secrets' },
  { apiVersion: 'v1', kind: 'ConfigMap', namespaced: true, resource: 'configmaps' },
  { apiVersion: 'v1', kind: 'ServiceAccount', namespaced: true, resource: 'serviceaccounts' },
  { apiVersion: 'v1', kind: 'Service', namespaced: true, resource: 'services' },
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true, resource: 'deployments' },
  { apiVersion: 'batch/v1', kind: 'Job', namespaced: true, resource: 'jobs' },
  { apiVersion: 'batch/v1', kind: 'CronJob', namespaced: true, resource: 'cronjobs' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', namespaced: true, resource: 'roles' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespaced: true, resource: 'rolebindings' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespaced: false, resource: 'clusterroles' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', namespaced: false, resource: 'clusterrolebindings' },
  { apiVersion: 'v1', kind: 'Namespace', namespaced: false, resource: 'namespaces' },
];

/** The label every object an exercise creates carries; its value is the exercise's namespace. */
export const EXERCISE_LABEL = 'kustody.io/exercise';

/** The known kind for an apiVersion/kind pair, or undefined. */
export function knownKind(apiVersion: string, kind: string): KnownKind | undefined {
  return KNOWN_KINDS.find((k) => k.apiVersion === apiVersion && k.kind === kind);
}

const PLACEHOLDER = /\$\{\{\s*([^}]*?)\s*\}\}/g;

/** The placeholders a string uses, e.g. `namespace` or `pod-ip:c2`. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** Why a placeholder is not allowed, or null: `namespace`, or `pod-ip:NAME` of an earlier workload pod. */
export function placeholderProblem(name: string, earlierPods: readonly string[]): string | null {
  if (name === 'namespace') return null;
  const ip = /^pod-ip:([a-z0-9-]+)$/.exec(name);
  if (ip !== null) return earlierPods.includes(ip[1] ?? '') ? null : `\${{ ${name} }} names no earlier workload pod (the pod must be created, and wait_ready, before it is used).`;
  return `Unknown placeholder \${{ ${name} }}; known: \${{ namespace }}, \${{ pod-ip:WORKLOAD }}.`;
}

/** Every string inside a plain JSON value, for placeholder checks. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Fills placeholders in every string of `value`; a `pod-ip:NAME` without a known IP stays unfilled and is reported. */
export function fillPlaceholders(value: unknown, values: { namespace: string; podIps: ReadonlyMap<string, string> }): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (whole, name: string) => {
      if (name === 'namespace') return values.namespace;
      const ip = /^pod-ip:([a-z0-9-]+)$/.exec(name);
      const found = ip === null ? undefined : values.podIps.get(ip[1] ?? '');
      return found ?? whole;
    });
  }
  if (Array.isArray(value)) return value.map((v) => fillPlaceholders(v, values));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillPlaceholders(v, values)]));
  return value;
}

/**
 * The object as the exercise creates it: placeholders filled and namespaced kinds put in the
 * exercise's namespace. No label marks it (planted objects must not give themselves away): the
 * exercise log records each one, and cluster-scoped names carry the namespace.
 */
export function objectForExercise(object: Record<string, unknown>, namespace: string, podIps: ReadonlyMap<string, string>): Record<string, unknown> {
  const filled = fillPlaceholders(object, { namespace, podIps }) as Record<string, unknown>;
  const kind = knownKind(String(filled.apiVersion), String(filled.kind));
  const metadata = { ...((filled.metadata ?? {}) as Record<string, unknown>) };
  if (kind?.namespaced === true) metadata.namespace = namespace;
  else delete metadata.namespace;
  return { ...filled, metadata };
}

/** The exercise's own namespace, labelled so it is recognisable as an exercise's. */
export function exerciseNamespaceObject(namespace: string, scenarioId: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { [EXERCISE_LABEL]: namespace }, annotations: { 'kustody.io/exercise-scenario': scenarioId } } };
}

/** The objects the facilitator creates at the start, in order: namespace, the attacker's ServiceAccount, Role and RoleBinding, then the workloads. */
export function setupObjects(scenario: { id: string; attacker: { serviceAccount: string; rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> }; workloads: Array<{ name: string; waitReady: boolean; object: Record<string, unknown> }> }, namespace: string): Array<{ name: string; waitReady: boolean; object: Record<string, unknown> }> {
  const sa = scenario.attacker.serviceAccount;
  const rbac = 'rbac.authorization.k8s.io/v1';
  return [
    { name: 'namespace', waitReady: false, object: exerciseNamespaceObject(namespace, scenario.id) },
    { name: 'attacker-service-account', waitReady: false, object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace } } },
    { name: 'attacker-role', waitReady: false, object: { apiVersion: rbac, kind: 'Role', metadata: { name: sa, namespace }, rules: scenario.attacker.rules.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs })) } },
    { name: 'attacker-role-binding', waitReady: false, object: { apiVersion: rbac, kind: 'RoleBinding', metadata: { name: sa, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace }] } },
    ...scenario.workloads.map((w) => ({ name: w.name, waitReady: w.waitReady, object: w.object })),
  ];
}
