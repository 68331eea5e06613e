/**
 * Turns removable persistence items into a change plan: one uid-preconditioned delete each (and the
 * resourceVersion too for kinds no controller writes), whose undo recreates the object from the copy
 * saved in the case, and the restore plan that replays those undos from the custody log. Pure.
 */
import type { JsonValue } from '../custody/canonical-json.js';
import { describeRef, type Change, type ChangePlan, type PlannedChange, type ResourceKind, type ResourceRef } from '../changes/change.js';
import { getPointer } from '../changes/expectations.js';
import { CASE_ANNOTATION } from '../contain/plan-isolation.js';
import { restorable } from '../revoke/plan-revocation.js';
import { attributionLine } from './attributed-only.js';
import type { PersistenceItem } from './types.js';

/** Kinds whose status a controller rewrites (a resourceVersion precondition would fail on every status update). */
const CONTROLLER_WRITTEN = new Set(['CronJob', 'Job', 'DaemonSet', 'Deployment', 'Pod']);

/** The plan target naming a case's sweep. */
export function sweepTarget(caseId: string): string {
  return `sweep:${caseId}`;
}

/** Plans the deletion of every removable item; the others stay in the report with why. */
export function planSweep(caseId: string, items: readonly PersistenceItem[]): ChangePlan {
  const changes: PlannedChange[] = [];
  const report: string[] = [];
  for (const item of items) {
    const label = `${item.kind} ${item.namespace ? `${item.namespace}/` : ''}${item.name}`;
    const why = `${attributionLine(item)}; ${item.reasons.join('; ')}`;
    if (!item.removable) {
      report.push(`${label}: not removed (${item.keptBecause ?? 'not removable'}).`);
      continue;
    }
    const ref: ResourceRef = { kind: item.kind as ResourceKind, ...(item.namespace ? { namespace: item.namespace } : {}), name: item.name };
    if (item.kind === 'Secret' && item.object === null) {
      // Never read: pinned to its uid by a dry-run delete when that could learn it (pin-secret.ts), else deleted by name.
      const uid = item.uid ?? '';
      changes.push({
        id: `sweep-${item.kind}-${item.namespace ?? ''}-${item.name}`, title: `Delete ${label} (${uid === '' ? '' : `uid ${uid}; `}created by the case's identity; never read)`, why, danger: 'revoke',
        change: { action: 'delete', target: ref, uid }, expect: uid === '' ? { check: 'absent', target: ref } : { check: 'absent', target: ref, uid },
        undo: { manual: 'kustody never reads Secret data, so a deleted Secret cannot be restored from the case' },
      });
      continue;
    }
    if (item.uid === null || item.object === null) continue;
    const resourceVersion = CONTROLLER_WRITTEN.has(item.kind) || item.resourceVersion === null ? undefined : item.resourceVersion;
    changes.push({
      id: `sweep-${item.kind}-${item.namespace ?? ''}-${item.name}`, title: `Delete ${label} (uid ${item.uid})`, why, danger: 'revoke',
      change: { action: 'delete', target: ref, uid: item.uid, ...(resourceVersion ? { resourceVersion } : {}) },
      expect: { check: 'absent', target: ref, uid: item.uid },
      undo: { action: 'create', target: ref, object: restoredObject(item.kind, item.object, caseId) },
    });
  }
  if (changes.length === 0) report.push('Nothing to remove.');
  return { kind: 'sweep', caseId, target: sweepTarget(caseId), changes, report };
}

/** An object as a restore recreates it: server-set fields and controller bindings removed, marked as restored by this case. */
export function restoredObject(kind: string, object: Record<string, JsonValue>, caseId: string): Record<string, JsonValue> {
  const copy = restorable(object);
  const meta = copy.metadata as Record<string, JsonValue>;
  for (const key of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences']) delete meta[key];
  meta.annotations = { ...((meta.annotations ?? {}) as Record<string, JsonValue>), [CASE_ANNOTATION]: caseId };
  if (kind === 'Job') {
    // The API server generates the selector and controller-uid labels for the new uid; the old ones are refused.
    const spec = copy.spec as Record<string, JsonValue> | undefined;
    if (spec !== undefined) delete spec.selector;
    const labels = getPointer(copy, '/spec/template/metadata/labels') as Record<string, JsonValue> | undefined;
    if (labels !== undefined) for (const key of ['controller-uid', 'batch.kubernetes.io/controller-uid']) delete labels[key];
  }
  return copy;
}

/** A sweep deletion read back from the custody log. */
export interface SweptChange {
  seq: number;
  changeId: string;
  change: Change;
  undo: Change | { manual: string };
}

/** Plans the restore of what this case's sweeps deleted; `current` maps `describeRef(target)` to the object now there (null: absent). */
export function planRestore(caseId: string, swept: readonly SweptChange[], current: ReadonlyMap<string, Record<string, unknown> | null>): ChangePlan {
  const changes: PlannedChange[] = [];
  const report: string[] = [];
  const latest = new Map<string, SweptChange>();
  for (const step of [...swept].sort((a, b) => a.seq - b.seq)) latest.set(describeRef(step.change.target), step);
  for (const step of latest.values()) {
    const ref = step.change.target;
    const label = describeRef(ref);
    if (!('action' in step.undo) || step.undo.action !== 'create') {
      report.push(`${label}: no automatic restore (${'manual' in step.undo ? step.undo.manual : 'see the custody log'}).`);
      continue;
    }
    const now = current.get(label) ?? null;
    const deletedUid = step.change.action === 'delete' ? step.change.uid : '';
    if (now !== null && getPointer(now, '/metadata/uid') === deletedUid) {
      report.push(`${label}: still there (the sweep's delete never took effect); nothing to restore.`);
      continue;
    }
    if (now !== null && getPointer(now, `/metadata/annotations/${CASE_ANNOTATION.replace(/\//g, '~1')}`) !== caseId) {
      report.push(`${label}: a different object (uid ${String(getPointer(now, '/metadata/uid'))}) now has this name; not restored. Someone recreated it: run the sweep again.`);
      continue;
    }
    changes.push({
      id: `restore-${step.changeId}`, title: `Recreate ${label} as the sweep found it`, why: 'Undoes the sweep\'s removal from the copy saved in the case (a new uid).', danger: 'revoke',
      change: step.undo, expect: { check: 'exists', target: ref }, undo: { manual: 'run kustody audit sweep again' },
    });
  }
  if (changes.length === 0 && report.length === 0) report.push('This case\'s sweeps removed nothing.');
  return { kind: 'restore', caseId, target: sweepTarget(caseId), changes, report };
}
