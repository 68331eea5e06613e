/**
 * When kustody deletes a quarantined pod (revoke --delete-pod, a playbook's revoke step), the pod's
 * guard and quarantine NetworkPolicy go in the same plan, right after it: a guard left behind would
 * lock the next pod created under the same name, and the policy would select nothing useful. Pure.
 */
import type { PlannedChange, ResourceRef } from '../changes/change.js';
import { describeRef } from '../changes/change.js';
import { CASE_ANNOTATION, isolationNames } from './plan-isolation.js';

/** What exists now of this case's quarantine of one pod, as read from the cluster. */
export interface QuarantineObjects {
  /** The guard policy, its binding and the quarantine NetworkPolicy, each with its current uid and case annotation (null when absent). */
  found: Array<{ ref: ResourceRef; uid: string; caseId: string | null }>;
  /** Other pods in the namespace still carrying this case's quarantine label (the policy stays for them). */
  otherQuarantinedPods: string[];
}

/** The refs of the objects isolation creates for `caseId` on `namespace/pod`. */
export function quarantineRefs(caseId: string, namespace: string, pod: string): ResourceRef[] {
  const names = isolationNames(caseId, pod);
  return [
    { kind: 'ValidatingAdmissionPolicyBinding', name: names.guard },
    { kind: 'ValidatingAdmissionPolicy', name: names.guard },
    { kind: 'NetworkPolicy', namespace, name: names.policy },
  ];
}

/** Deletes (by uid) the guard and, unless another pod still needs it, the quarantine policy of this case; objects of another case are left alone. */
export function planQuarantineRemoval(caseId: string, objects: QuarantineObjects): { changes: PlannedChange[]; report: string[] } {
  const changes: PlannedChange[] = [];
  const report: string[] = [];
  for (const { ref, uid, caseId: owner } of objects.found) {
    if (owner !== caseId) {
      report.push(`${describeRef(ref)} does not carry ${CASE_ANNOTATION}=${caseId}; left alone.`);
      continue;
    }
    if (ref.kind === 'NetworkPolicy' && objects.otherQuarantinedPods.length > 0) {
      report.push(`${describeRef(ref)} stays: it still quarantines ${objects.otherQuarantinedPods.join(', ')}.`);
      continue;
    }
    const id = ref.kind === 'NetworkPolicy' ? 'remove-quarantine-policy' : ref.kind === 'ValidatingAdmissionPolicy' ? 'remove-guard-policy' : 'remove-guard-binding';
    changes.push({
      id, title: `Delete ${describeRef(ref)}`, danger: 'contain',
      why: ref.kind === 'NetworkPolicy' ? 'Its quarantined pod is deleted; the policy would only select a future pod that happens to carry the label.' : 'Its pod is deleted; left behind it would lock the next pod created under the same name.',
      change: { action: 'delete', target: ref, uid }, expect: { check: 'absent', target: ref, uid }, undo: { manual: 'run kustody isolate again on the new pod if it needs quarantine' },
    });
  }
  return { changes, report };
}
