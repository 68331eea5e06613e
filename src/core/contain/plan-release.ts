/**
 * Plans the release of a pod from isolation by undoing, in reverse order, exactly what this case's
 * isolate applied to it, as recorded in the custody log. Created objects are deleted by their current
 * uid (and only if they still carry this case's annotation); patches are reverted by the undo patch
 * recorded with them. Pure.
 */
import type { Change, ChangePlan, Expectation, JsonPatchOp, PlannedChange, ResourceRef } from '../changes/change.js';
import { describeRef } from '../changes/change.js';
import { getPointer } from '../changes/expectations.js';
import { CASE_ANNOTATION } from './plan-isolation.js';

/** An applied isolation step as read back from the custody log. */
export interface AppliedStep {
  seq: number;
  changeId: string;
  change: Change;
  undo: Change | { manual: string };
}

/** Builds the release plan; `current` maps `describeRef(target)` to the object as it is now (null when gone). */
export function planRelease(caseId: string, target: string, applied: readonly AppliedStep[], current: ReadonlyMap<string, Record<string, unknown> | null>): ChangePlan {
  const changes: PlannedChange[] = [];
  const report: string[] = [];
  for (const step of [...applied].sort((a, b) => b.seq - a.seq)) {
    const ref = step.change.target;
    const now = current.get(describeRef(ref)) ?? null;
    if (step.change.action === 'create') {
      if (now === null) continue;
      const owner = getPointer(now, `/metadata/annotations/${CASE_ANNOTATION.replace(/\//g, '~1')}`);
      if (owner !== caseId) {
        report.push(`${describeRef(ref)} is no longer the object this case created; left alone.`);
        continue;
      }
      const uid = String(getPointer(now, '/metadata/uid') ?? '');
      changes.push({ id: `undo-${step.changeId}`, title: `Delete ${describeRef(ref)}`, why: 'Isolation created it for this case.', danger: 'contain', change: { action: 'delete', target: ref, uid }, expect: { check: 'absent', target: ref, uid }, undo: { manual: 'run kustody isolate again' } });
    } else if (now === null) {
      report.push(`${describeRef(ref)} no longer exists; nothing to revert on it.`);
    } else if ('uid' in step.change && step.change.uid !== '' && getPointer(now, '/metadata/uid') !== step.change.uid) {
      // A new object under the same name (a controller's replacement): this case never touched it.
      report.push(`${describeRef(ref)} is a new object (uid ${String(getPointer(now, '/metadata/uid'))}), not the one isolated; ${step.changeId} is moot and it is left alone.`);
    } else if ('action' in step.undo && step.undo.action === 'patch') {
      const undo = step.undo;
      changes.push({ id: `undo-${step.changeId}`, title: `Revert ${step.changeId} on ${describeRef(ref)}`, why: 'Restores what isolation changed, as recorded in the custody log.', danger: 'contain', change: undo, expect: patchExpectation(undo.target, undo.uid, undo.ops), undo: step.change });
    } else {
      report.push(`${step.changeId} on ${describeRef(ref)} has no automatic undo: ${'manual' in step.undo ? step.undo.manual : 'see the custody log'}.`);
    }
  }
  if (changes.length === 0 && report.length === 0) report.push('Nothing of this case\'s isolation is left on the cluster.');
  return { kind: 'release', caseId, target, changes, report };
}

/** What the object looks like once a patch took effect: every added value present, every removed path gone. */
export function patchExpectation(target: ResourceRef, uid: string, ops: readonly JsonPatchOp[]): Expectation {
  const equals = ops.filter((op) => op.op !== 'test').map((op) => ({ path: op.path, value: op.op === 'remove' ? undefined : op.value }));
  return { check: 'fields', target, uid, equals };
}
