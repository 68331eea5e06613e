/**
 * What kustody keeps of an event's requestObject/responseObject. Bodies may hold secrets (Secret data,
 * minted tokens, env values), so nothing is kept by default; only these summaries, built from named
 * fields, never copied wholesale:
 * - RBAC bindings: subjects and roleRef; RBAC roles: rules and aggregationRule;
 * - TokenRequests: spec (audiences, expirationSeconds, boundObjectRef), never status (the token);
 * - pods and pod-template workloads: service account, host namespaces, container names, images and
 *   privileged flags, hostPath paths, a CronJob's schedule; never env, args or commands.
 * Secrets and ConfigMaps: never anything.
 */
import { AUDIT_FIELD_LIMITS } from './audit-row.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const field = (o: unknown, key: string): unknown => (isObject(o) && Object.hasOwn(o, key) ? o[key] : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 512) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v.slice(0, AUDIT_FIELD_LIMITS.maxItems) : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string').map((x) => x.slice(0, 256));

const WORKLOAD_TEMPLATE: Record<string, readonly string[]> = {
  deployments: ['spec', 'template', 'spec'],
  daemonsets: ['spec', 'template', 'spec'],
  statefulsets: ['spec', 'template', 'spec'],
  replicasets: ['spec', 'template', 'spec'],
  jobs: ['spec', 'template', 'spec'],
  cronjobs: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The summary kept for one event's bodies, or null when nothing of them is kept. */
export function keptBodies(apiGroup: string, resource: string, subresource: string, request: unknown, response: unknown): Json | null {
  if (resource === 'secrets' || resource === 'configmaps') return null;
  if (apiGroup === 'rbac.authorization.k8s.io' && subresource === '') return rbacSummary(resource, isObject(response) && field(response, 'kind') !== 'Status' ? response : request);
  if (apiGroup === '' && resource === 'serviceaccounts' && subresource === 'token') return tokenRequestSummary(request);
  if (subresource !== '') return null;
  if (apiGroup === '' && resource === 'pods') return podSpecSummary(field(request, 'spec'));
  const path = WORKLOAD_TEMPLATE[resource];
  if (path === undefined || (apiGroup !== 'apps' && apiGroup !== 'batch')) return null;
  let spec: unknown = request;
  for (const key of path) spec = field(spec, key);
  const summary = podSpecSummary(spec);
  if (summary === null) return null;
  const schedule = resource === 'cronjobs' ? str(field(field(request, 'spec'), 'schedule')) : undefined;
  return schedule === undefined ? summary : { schedule, ...summary };
}

function rbacSummary(resource: string, object: unknown): Json | null {
  if (!isObject(object)) return null;
  const kind = field(object, 'kind');
  if ((resource === 'rolebindings' && kind === 'RoleBinding') || (resource === 'clusterrolebindings' && kind === 'ClusterRoleBinding')) {
    const roleRef = field(object, 'roleRef');
    return {
      subjects: list(field(object, 'subjects')).map((s) => ({ kind: str(field(s, 'kind')) ?? null, name: str(field(s, 'name')) ?? null, namespace: str(field(s, 'namespace')) ?? null })),
      roleRef: isObject(roleRef) ? { kind: str(field(roleRef, 'kind')) ?? null, name: str(field(roleRef, 'name')) ?? null } : null,
    };
  }
  if ((resource === 'roles' && kind === 'Role') || (resource === 'clusterroles' && kind === 'ClusterRole')) {
    const aggregation = field(object, 'aggregationRule');
    return {
      rules: list(field(object, 'rules')).map((r) => ({
        verbs: strings(field(r, 'verbs')), apiGroups: strings(field(r, 'apiGroups')), resources: strings(field(r, 'resources')),
        resourceNames: strings(field(r, 'resourceNames')), nonResourceURLs: strings(field(r, 'nonResourceURLs')),
      })),
      ...(aggregation === undefined ? {} : { aggregationRule: true }),
    };
  }
  return null;
}

function tokenRequestSummary(request: unknown): Json | null {
  const spec = field(request, 'spec');
  if (!isObject(spec)) return null;
  const bound = field(spec, 'boundObjectRef');
  const seconds = field(spec, 'expirationSeconds');
  return {
    audiences: strings(field(spec, 'audiences')),
    expirationSeconds: typeof seconds === 'number' && Number.isSafeInteger(seconds) ? seconds : null,
    boundObjectRef: isObject(bound) ? { kind: str(field(bound, 'kind')) ?? null, name: str(field(bound, 'name')) ?? null, uid: str(field(bound, 'uid')) ?? null } : null,
  };
}

function podSpecSummary(spec: unknown): Json | null {
  if (!isObject(spec)) return null;
  const containers = [...list(field(spec, 'initContainers')), ...list(field(spec, 'containers'))].slice(0, AUDIT_FIELD_LIMITS.maxItems);
  return {
    serviceAccountName: str(field(spec, 'serviceAccountName')) ?? null,
    hostPID: field(spec, 'hostPID') === true,
    hostNetwork: field(spec, 'hostNetwork') === true,
    hostIPC: field(spec, 'hostIPC') === true,
    containers: containers.map((c) => ({ name: str(field(c, 'name')) ?? null, image: str(field(c, 'image')) ?? null, privileged: field(field(c, 'securityContext'), 'privileged') === true })),
    hostPaths: list(field(spec, 'volumes')).map((v) => str(field(field(v, 'hostPath'), 'path'))).filter((p): p is string => p !== undefined),
  };
}
