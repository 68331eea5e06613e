// What each kind of playbook step asks of the API server, so the start screen can check the
// responder's rights (one SelfSubjectAccessReview per verb) before anything runs. Mirrors the rules
// and their reasons in deploy/rbac.yaml; pure, no I/O.

/** One permission a step needs. */
export interface PermissionNeed {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  /** What the step does with it, for the permission table. */
  readonly why: string;
  /** Asked in this namespace only (absent: in any namespace). */
  readonly namespace?: string;
}

/** The step actions whose API needs are known (the runner's StepAction values). */
export type NeedAction = 'capture' | 'isolate' | 'release' | 'identities' | 'revoke' | 'export' | 'checklist' | 'command';

const need = (verb: string, group: string, resource: string, why: string): PermissionNeed => ({ verb, group, resource, why });

const NEEDS: Readonly<Record<NeedAction, readonly PermissionNeed[]>> = {
  capture: [
    need('get', '', 'pods', 'read the suspect pod'),
    need('create', '', 'pods/exec', 'run the collector in the container'),
    need('get', '', 'pods/log', 'keep container logs as evidence'),
    need('list', '', 'events', 'keep the pod\'s events'),
  ],
  isolate: [
    need('create', 'networking.k8s.io', 'networkpolicies', 'write the deny-all isolation policy'),
    need('list', 'networking.k8s.io', 'networkpolicies', 'find policies that still allow traffic'),
    need('patch', '', 'pods', 'add the quarantine label'),
    need('create', 'admissionregistration.k8s.io', 'validatingadmissionpolicies', 'guard the pod against deletion and exec by others'),
    need('create', 'admissionregistration.k8s.io', 'validatingadmissionpolicybindings', 'bind the guard policy'),
  ],
  release: [
    need('delete', 'networking.k8s.io', 'networkpolicies', 'remove the isolation policy'),
    need('patch', '', 'pods', 'remove the quarantine label'),
  ],
  identities: [
    need('get', '', 'serviceaccounts', 'read the pod\'s ServiceAccount'),
    need('list', 'rbac.authorization.k8s.io', 'rolebindings', 'find what the ServiceAccount is granted'),
    need('list', 'rbac.authorization.k8s.io', 'clusterrolebindings', 'find cluster-wide grants'),
    need('create', 'authorization.k8s.io', 'subjectaccessreviews', 'ask the API server what the ServiceAccount may do'),
  ],
  revoke: [
    need('delete', '', 'pods', 'delete the pod (kills the tokens bound to it)'),
    need('delete', '', 'serviceaccounts', 'recreate the ServiceAccount (invalidates its bound tokens)'),
    need('create', '', 'serviceaccounts', 'recreate the ServiceAccount'),
    need('delete', '', 'secrets', 'delete legacy token Secrets by name'),
    need('create', 'authentication.k8s.io', 'tokenreviews', 'prove the stolen tokens are dead'),
  ],
  export: [],
  checklist: [],
  command: [],
};

/** Tells whether a step action is one whose needs are known. */
export function isNeedAction(action: string): action is NeedAction {
  return Object.hasOwn(NEEDS, action);
}

/**
 * Lists the distinct permissions a set of step actions needs, in first-use order.
 *
 * @example permissionsFor(['capture', 'isolate']).length // 9
 */
export function permissionsFor(actions: readonly string[]): PermissionNeed[] {
  const seen = new Set<string>();
  const out: PermissionNeed[] = [];
  for (const action of actions) {
    const list = isNeedAction(action) ? NEEDS[action] : [];
    for (const n of list) {
      const key = `${n.verb} ${n.group}/${n.resource}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(n);
    }
  }
  return out;
}

/** Formats a permission the way kubectl auth can-i spells it, e.g. `create networkpolicies.networking.k8s.io`. */
export function describeNeed(n: Pick<PermissionNeed, 'verb' | 'group' | 'resource'>): string {
  return `${n.verb} ${n.resource}${n.group === '' ? '' : `.${n.group}`}`;
}
