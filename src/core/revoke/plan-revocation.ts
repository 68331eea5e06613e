/**
 * Plans the revocation of what a compromised pod held in Kubernetes: legacy token Secrets, the RBAC
 * bindings that name its ServiceAccount, the ServiceAccount itself (recreated, so every token bound
 * to the old uid dies), and the pod (only once its capture is in the case, or with a recorded
 * override). Cloud identities are planned separately (cloud-commands.ts). Pure.
 */
import type { JsonValue } from '../custody/canonical-json.js';
import type { ChangePlan, PlannedChange } from '../changes/change.js';
import { CASE_ANNOTATION } from '../contain/plan-isolation.js';
import { planQuarantineRemoval, type QuarantineObjects } from '../contain/plan-quarantine-removal.js';

/** One binding that names the ServiceAccount. */
export interface BindingFact {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  namespace?: string;
  name: string;
  uid: string;
  roleRef: { kind: string; name: string };
  subjects: Array<{ kind: string; name: string; namespace?: string; apiGroup?: string }>;
  object: Record<string, JsonValue>;
}

/** What the planner knows about the pod and its identity. */
export interface RevocationFacts {
  caseId: string;
  pod: { namespace: string; name: string; uid: string } | null;
  serviceAccount: { name: string; uid: string; object: Record<string, JsonValue> } | null;
  legacyTokenSecrets: string[];
  bindings: BindingFact[];
  otherPodsUsingServiceAccount: string[];
  captureInCase: boolean;
  /** This case's guard and quarantine policy of the pod, removed with it (absent: none read). */
  quarantine?: QuarantineObjects;
  /** Set when the target is a ServiceAccount found without a pod (`revoke --service-account NS/NAME`): the plan's target and namespace. */
  account?: { namespace: string; name: string };
  /** When the ServiceAccount is absent because an earlier `--rotate-sa` of this case deleted it and never recreated it: the object that rotation planned to create. */
  unfinishedRotation?: { name: string; object: Record<string, JsonValue> };
}

/** Which revocations the responder asked for. */
export interface RevocationOptions {
  legacyTokens: boolean;
  rbac: boolean;
  rotateServiceAccount: boolean;
  deletePod: boolean;
  allowUncaptured: boolean;
  /** Delete the ServiceAccount without recreating it (a backdoor account nobody needs); saved in the case, so undo recreates it by name. */
  deleteServiceAccount?: boolean;
}

/** Builds the revocation plan, with what the responder must know before confirming. */
export function planRevocation(facts: RevocationFacts, options: RevocationOptions): ChangePlan {
  const changes: PlannedChange[] = [];
  const report: string[] = [];
  const target = facts.account !== undefined ? `serviceaccount:${facts.account.namespace}/${facts.account.name}` : facts.pod ? `pod:${facts.pod.namespace}/${facts.pod.name}` : 'pod:?';
  const ns = facts.account?.namespace ?? facts.pod?.namespace ?? '';
  const sa = facts.serviceAccount;
  const resume = options.rotateServiceAccount && options.deleteServiceAccount !== true && sa === null ? facts.unfinishedRotation : undefined;
  if (facts.account !== undefined && sa === null && resume === undefined) report.push(`ServiceAccount ${ns}/${facts.account.name} does not exist (already deleted, or a typo): nothing of it can be revoked; tokens given are still verified.`);
  if (options.legacyTokens) {
    if (facts.legacyTokenSecrets.length === 0) report.push('No legacy token Secret is known for this ServiceAccount (kustody cannot list Secrets; pass a leaked token with --token-file to find its Secret).');
    for (const name of facts.legacyTokenSecrets) {
      const ref = { kind: 'Secret' as const, namespace: ns, name };
      changes.push({ id: `legacy-token-${name}`, title: `Delete legacy token Secret ${ns}/${name}`, why: 'A long-lived ServiceAccount token stays valid until its Secret is deleted.', danger: 'revoke', change: { action: 'delete', target: ref, uid: '' }, expect: { check: 'absent', target: ref }, undo: { manual: 'legacy tokens should not be recreated; mint short-lived tokens instead' } });
    }
  }
  if (options.rbac && sa !== null) {
    for (const binding of facts.bindings) {
      const matches = binding.subjects.map((s, i) => ({ s, i })).filter(({ s }) => s.kind === 'ServiceAccount' && s.name === sa.name && (s.namespace ?? binding.namespace) === ns);
      if (matches.length === 0) {
        report.push(`${binding.kind} ${binding.namespace ? `${binding.namespace}/` : ''}${binding.name} grants ${binding.roleRef.kind} ${binding.roleRef.name} to a group that includes this ServiceAccount; kustody leaves group bindings alone (they cover other identities too).`);
        continue;
      }
      const ref = { kind: binding.kind, namespace: binding.namespace, name: binding.name };
      if (matches.length === binding.subjects.length) {
        changes.push({ id: `rbac-delete-${binding.kind}-${binding.name}`, title: `Delete ${binding.kind} ${binding.namespace ? `${binding.namespace}/` : ''}${binding.name} (grants ${binding.roleRef.kind} ${binding.roleRef.name} only to ${sa.name})`, why: 'Removes what the stolen identity may do; the binding is saved in the case and can be recreated from it.', danger: 'revoke', change: { action: 'delete', target: ref, uid: binding.uid }, expect: { check: 'absent', target: ref, uid: binding.uid }, undo: { action: 'create', target: ref, object: restorable(binding.object) } });
      } else {
        const ops = [{ op: 'test' as const, path: '/metadata/uid', value: binding.uid }, ...matches.flatMap(({ s, i }) => [{ op: 'test' as const, path: `/subjects/${i}`, value: s as unknown as JsonValue }])];
        const removals = [...matches].reverse().map(({ i }) => ({ op: 'remove' as const, path: `/subjects/${i}` }));
        const remaining = binding.subjects.filter((_s, i) => !matches.some((m) => m.i === i));
        changes.push({ id: `rbac-patch-${binding.kind}-${binding.name}`, title: `Remove ${sa.name} from ${binding.kind} ${binding.namespace ? `${binding.namespace}/` : ''}${binding.name}`, why: 'The binding also serves other subjects, so only this ServiceAccount is removed from it.', danger: 'revoke', change: { action: 'patch', target: ref, uid: binding.uid, ops: [...ops, ...removals] }, expect: { check: 'fields', target: ref, uid: binding.uid, equals: [{ path: '/subjects', value: remaining as unknown as JsonValue }] }, undo: { action: 'patch', target: ref, uid: binding.uid, ops: [{ op: 'test', path: '/metadata/uid', value: binding.uid }, { op: 'replace', path: '/subjects', value: binding.subjects as unknown as JsonValue }] } });
      }
    }
  }
  if (options.deleteServiceAccount === true && sa !== null) {
    if (facts.otherPodsUsingServiceAccount.length > 0) report.push(`Deleting ServiceAccount ${sa.name} also breaks ${facts.otherPodsUsingServiceAccount.length} pod(s) running as it: ${facts.otherPodsUsingServiceAccount.join(', ')}.`);
    const ref = { kind: 'ServiceAccount' as const, namespace: ns, name: sa.name };
    changes.push({ id: 'delete-sa', title: `Delete ServiceAccount ${ns}/${sa.name} (uid ${sa.uid}) for good`, why: 'Every token bound to this uid stops authenticating, and nothing can start a pod as this account any more.', danger: 'revoke', change: { action: 'delete', target: ref, uid: sa.uid }, expect: { check: 'absent', target: ref, uid: sa.uid }, undo: { action: 'create', target: ref, object: restorable(sa.object) } });
  }
  if (options.rotateServiceAccount && options.deleteServiceAccount !== true && sa !== null) {
    if (facts.otherPodsUsingServiceAccount.length > 0) report.push(`Rotating ServiceAccount ${sa.name} also breaks the tokens of ${facts.otherPodsUsingServiceAccount.length} other pod(s): ${facts.otherPodsUsingServiceAccount.join(', ')}. Restart them after the rotation.`);
    const ref = { kind: 'ServiceAccount' as const, namespace: ns, name: sa.name };
    changes.push({ id: 'rotate-sa-delete', title: `Delete ServiceAccount ${ns}/${sa.name} (uid ${sa.uid})`, why: 'Every token bound to this uid stops authenticating once it is gone.', danger: 'revoke', change: { action: 'delete', target: ref, uid: sa.uid }, expect: { check: 'absent', target: ref, uid: sa.uid }, undo: { manual: 'the old uid cannot come back; the next step recreates the account' } });
    const fresh = restorable(sa.object);
    const meta = (fresh.metadata ?? {}) as Record<string, JsonValue>;
    fresh.metadata = { ...meta, annotations: { ...((meta.annotations ?? {}) as Record<string, JsonValue>), [CASE_ANNOTATION]: facts.caseId } };
    delete fresh.secrets;
    changes.push({ id: 'rotate-sa-create', title: `Recreate ServiceAccount ${ns}/${sa.name} with a new uid`, why: 'Workloads keep their ServiceAccount name; new pods get tokens the attacker never saw.', danger: 'revoke', change: { action: 'create', target: ref, object: fresh }, expect: { check: 'exists', target: ref }, undo: { manual: 'delete the new ServiceAccount if it is not wanted' } });
  }
  if (resume !== undefined) {
    const ref = { kind: 'ServiceAccount' as const, namespace: ns, name: resume.name };
    report.push(`ServiceAccount ${ns}/${resume.name} was deleted by an earlier --rotate-sa of this case that did not recreate it: it is recreated now, as that rotation planned.`);
    changes.push({ id: 'rotate-sa-create', title: `Recreate ServiceAccount ${ns}/${resume.name} with a new uid (finishing the earlier rotation)`, why: 'Workloads keep their ServiceAccount name; new pods get tokens the attacker never saw.', danger: 'revoke', change: { action: 'create', target: ref, object: resume.object }, expect: { check: 'exists', target: ref }, undo: { manual: 'delete the new ServiceAccount if it is not wanted' } });
  }
  if (options.deletePod && facts.pod !== null) {
    if (!facts.captureInCase && !options.allowUncaptured) {
      report.push('The pod is not deleted: no complete capture of it is in this case. Capture it first (kustody capture pod), or pass --allow-uncaptured to delete it anyway (recorded).');
    } else {
      if (!facts.captureInCase) report.push('Deleting the pod WITHOUT a capture in the case, as requested (--allow-uncaptured); this is recorded.');
      const ref = { kind: 'Pod' as const, namespace: ns, name: facts.pod.name };
      changes.push({ id: 'delete-pod', title: `Delete pod ${ns}/${facts.pod.name} (uid ${facts.pod.uid})`, why: 'Bound ServiceAccount tokens die with the pod; the uid precondition makes sure a recreated pod of the same name is never hit.', danger: 'revoke', change: { action: 'delete', target: ref, uid: facts.pod.uid }, expect: { check: 'absent', target: ref, uid: facts.pod.uid }, undo: { manual: 'a deleted pod cannot be restored; its controller starts a new one' } });
      if (facts.quarantine !== undefined) {
        const removal = planQuarantineRemoval(facts.caseId, facts.quarantine);
        changes.push(...removal.changes);
        report.push(...removal.report);
      }
    }
  }
  if (changes.length === 0 && report.length === 0) report.push(`Nothing was asked for: pass --legacy-tokens, --rbac, --rotate-sa${facts.account === undefined ? ', --delete-pod' : ', --delete-sa'} and/or --cloud.`);
  return { kind: 'revoke', caseId: facts.caseId, target, changes, report };
}

/** An object as it can be created again: server-set fields removed. */
export function restorable(object: Record<string, JsonValue>): Record<string, JsonValue> {
  const copy = structuredClone(object);
  const meta = { ...((copy.metadata ?? {}) as Record<string, JsonValue>) };
  for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink']) delete meta[key];
  copy.metadata = meta;
  delete copy.status;
  return copy;
}
