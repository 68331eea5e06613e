// The questions put to the API server's SubjectAccessReview for the ServiceAccount, and how an answer
// compares with what the RBAC rules kustody read predict (a webhook or another authorizer can differ).
import { grantsAllowing, type Grant, type ResourceRequest } from './rbac-rules.js';

/** One question: may the ServiceAccount do this? */
export interface AccessProbe extends ResourceRequest {
  /** A short phrase for people: `get secrets in shop`. */
  readonly question: string;
  /** True when a yes here means a stolen token is dangerous. */
  readonly dangerous: boolean;
}

/** What a SubjectAccessReview answered; `allowed` is null when the review itself failed. */
export interface AccessAnswer {
  readonly allowed: boolean | null;
  readonly denied: boolean;
  readonly reason: string;
  readonly error: string | null;
}

/** The API server's answer to one probe, beside what the rules kustody read predict. */
export interface AccessCheck extends AccessAnswer {
  readonly probe: AccessProbe;
  readonly predicted: boolean;
}

/** The namespace used for "somewhere else": kube-system, unless the pod lives there. */
export function otherNamespace(namespace: string): string {
  return namespace === 'kube-system' ? 'default' : 'kube-system';
}

/** The probes for a ServiceAccount in `namespace`: its own namespace, another one, and cluster-wide. */
export function accessProbes(namespace: string): AccessProbe[] {
  const other = otherNamespace(namespace);
  const probe = (verb: string, group: string, resource: string, where: string | null): AccessProbe => ({
    verb, group, resource, namespace: where, dangerous: true,
    question: `${verb} ${resource}${group === '' ? '' : `.${group}`} ${where === null ? 'cluster-wide' : `in ${where}`}`,
  });
  return [
    probe('get', '', 'secrets', namespace),
    probe('list', '', 'secrets', namespace),
    probe('get', '', 'secrets', other),
    probe('list', '', 'secrets', null),
    probe('create', '', 'pods', namespace),
    probe('create', '', 'pods', other),
    probe('create', '', 'pods/exec', namespace),
    probe('create', 'apps', 'deployments', namespace),
    probe('create', '', 'serviceaccounts/token', namespace),
    probe('escalate', 'rbac.authorization.k8s.io', 'clusterroles', null),
    probe('bind', 'rbac.authorization.k8s.io', 'clusterroles', null),
    probe('impersonate', '', 'users', null),
    probe('get', '', 'nodes/proxy', null),
    { ...probe('*', '*', '*', null), question: 'everything (* * cluster-wide, i.e. cluster-admin)' },
  ];
}

/** Predicts a probe's answer from the grants kustody read. */
export function predictAccess(grants: readonly Grant[], probe: AccessProbe): boolean {
  return grantsAllowing(grants, probe).length > 0;
}

/** Pairs each probe with its answer (same order) and the RBAC prediction. */
export function accessChecks(grants: readonly Grant[], probes: readonly AccessProbe[], answers: readonly AccessAnswer[]): AccessCheck[] {
  return probes.map((probe, index) => ({
    probe, predicted: predictAccess(grants, probe),
    ...(answers[index] ?? { allowed: null, denied: false, reason: '', error: 'no answer' }),
  }));
}

/** Whether the API server's answer differs from the RBAC prediction (an answer that failed never counts). */
export function disagrees(check: AccessCheck): boolean {
  return check.allowed !== null && check.allowed !== check.predicted;
}
