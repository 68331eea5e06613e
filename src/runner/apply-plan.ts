/**
 * The one place cluster mutations happen: plan → permission check → state check → server-side dry run
 * → record → confirm → apply with preconditions → read back → record. `--dry-run` stops before
 * confirming and mutates nothing. Changes already in effect (a rerun, a resume after a crash) are
 * recognised by reading the cluster and skipped, never blindly retried.
 */
import { describeRef, type ChangePlan, type PlannedChange } from '../core/changes/change.js';
import { expectationHolds, getPointer } from '../core/changes/expectations.js';
import type { JsonValue } from '../core/custody/canonical-json.js';
import { KustodyError, messageOf } from '../core/errors.js';
import { CASE_ANNOTATION } from '../core/contain/plan-isolation.js';

/** What the runner needs from outside: the cluster, the case and the responder. */
export interface ApplyPorts {
  may(change: PlannedChange['change']): Promise<boolean>;
  read(ref: PlannedChange['change']['target']): Promise<Record<string, unknown> | null>;
  apply(change: PlannedChange['change'], dryRun: boolean): Promise<Record<string, unknown> | null>;
  /** Appends a custody row; called before and after every mutation. */
  record(entry: { kind: 'plan' | PlannedChange['danger']; target: string; detail: JsonValue; outcome: string }): void;
  confirm(plan: ChangePlan): Promise<boolean>;
  /** Keeps secrets and noise out of recorded objects. */
  sanitize(kind: string, object: Record<string, unknown>): JsonValue;
  /** Whether this case recorded sending `planned` (a create) after sending the delete of `replacedUid` it recreates: an earlier attempt of the same plan made the object found. Absent: never. */
  sentRecreate?(planned: PlannedChange, replacedUid: string): boolean;
  /** Hears that the read-back waits for `what` (at most `timeoutSeconds`); `poll` is called on each re-read. Optional: front ends show it as progress. */
  waiting?(what: string, timeoutSeconds: number): { poll(): void };
}

/** How each change ended. */
export interface ChangeOutcome {
  id: string;
  title: string;
  status: 'already' | 'applied' | 'unverified' | 'failed' | 'skipped' | 'planned';
  message?: string;
}

/** How the whole plan ended. */
export interface ApplyResult {
  status: 'dry-run' | 'not-confirmed' | 'applied' | 'nothing-to-do' | 'failed';
  changes: ChangeOutcome[];
}

/** Runs a plan through every gate; throws before any mutation when a permission, precondition or dry run fails. */
export async function applyPlan(plan: ChangePlan, ports: ApplyPorts, options: { dryRun: boolean }): Promise<ApplyResult> {
  const denied: string[] = [];
  for (const planned of plan.changes) if (!(await ports.may(planned.change))) denied.push(`${planned.change.action} ${describeRef(planned.change.target)}`);
  if (denied.length > 0) {
    throw new KustodyError('FORBIDDEN', `You need permission to ${denied.join('; ')}. Nothing was changed.`, { nextStep: 'Bind your identity to the kustody-responder ClusterRole (deploy/rbac.yaml), or ask a cluster admin.' });
  }
  const outcomes: ChangeOutcome[] = [];
  const pending: Array<{ planned: PlannedChange; before: Record<string, unknown> | null }> = [];
  for (const planned of plan.changes) {
    const current = await ports.read(planned.expect.target);
    const before = planned.change.action === 'create' ? current : await ports.read(planned.change.target);
    const replaced = planned.change.action === 'create' ? replacedBy(plan, planned) : undefined;
    if (replaced !== undefined && current !== null && getPointer(current, '/metadata/uid') === replaced) {
      // Recreating an object this plan deletes first: it is pending, and cannot be dry-run before the delete.
      pending.push({ planned, before: current });
      continue;
    }
    if (replaced !== undefined && current !== null && ports.sentRecreate?.(planned, replaced) !== true) {
      // This plan deletes the object first, so one already there with another uid that kustody did not
      // send was made by someone else after the plan was read (annotations prove nothing: anyone may copy them).
      throw new KustodyError('CONFLICT_REPLACED', `${describeRef(planned.change.target)} was replaced by someone else after this plan was made (uid ${String(getPointer(current, '/metadata/uid'))}, planned to replace ${replaced}); it was left alone and is not counted as recreated. Nothing was changed.`, { nextStep: 'Inspect that object and who made it (kubectl get -o yaml, the audit log), then plan again against it.' });
    }
    if (planned.change.action === 'create' && current !== null) {
      const owner = getPointer(current, `/metadata/annotations/${CASE_ANNOTATION.replace(/\//g, '~1')}`);
      if (owner !== plan.caseId) throw new KustodyError('CONFLICT_FOREIGN_OBJECT', `${describeRef(planned.change.target)} already exists and was not made by this case. Nothing was changed.`, { nextStep: 'Inspect that object; delete or rename it if it is stale, then run again.' });
    }
    if (expectationHolds(planned.expect, current)) {
      outcomes.push({ id: planned.id, title: planned.title, status: 'already', message: 'already in effect' });
      // Recorded as observed, not applied: after a crash this reconciles an intent whose result was never written.
      if (!options.dryRun) ports.record({ kind: planned.danger, target: describeRef(planned.change.target), detail: { plan: plan.kind, plan_target: plan.target, change_id: planned.id, title: planned.title }, outcome: 'already-in-effect' });
      continue;
    }
    if (deletionUnderway(planned, current)) {
      // A delete sent before a crash left the object terminating: sending it again would be a second mutation.
      outcomes.push({ id: planned.id, title: planned.title, status: 'already', message: 'deletion already under way' });
      if (!options.dryRun) ports.record({ kind: planned.danger, target: describeRef(planned.change.target), detail: { plan: plan.kind, plan_target: plan.target, change_id: planned.id, title: planned.title }, outcome: 'deletion-under-way' });
      continue;
    }
    if (planned.change.action !== 'create') {
      const uid = getPointer(before, '/metadata/uid');
      if (before === null && planned.change.action === 'patch') throw new KustodyError('PRECONDITION_FAILED', `${describeRef(planned.change.target)} no longer exists. Nothing was changed.`, { nextStep: 'Check what happened to it (kubectl get events) and plan again.' });
      // A Secret planned by name (uid '': never read, its uid not learned) has no uid to hold it to.
      if (before !== null && !(planned.change.target.kind === 'Secret' && planned.change.uid === '') && uid !== planned.change.uid) {
        throw new KustodyError('PRECONDITION_FAILED', `${describeRef(planned.change.target)} was replaced by a new object (uid ${String(uid)}, planned for ${planned.change.uid}). Nothing was changed.`, { nextStep: 'A controller or someone recreated it: capture and plan again against the new object.' });
      }
    }
    pending.push({ planned, before });
  }
  for (const { planned } of pending) if (planned.change.action !== 'create' || replacedBy(plan, planned) === undefined) await ports.apply(planned.change, true);
  const preview = plan.changes.map((c) => ({ id: c.id, title: c.title, why: c.why, change: c.change as unknown as JsonValue, pending: pending.some((p) => p.planned.id === c.id) }));
  ports.record({ kind: 'plan', target: plan.target, detail: { plan: plan.kind, dry_run: options.dryRun, changes: preview, report: plan.report }, outcome: pending.length === 0 ? 'nothing-to-do' : options.dryRun ? 'dry-run' : 'planned' });
  if (pending.length === 0) return { status: 'nothing-to-do', changes: outcomes };
  if (options.dryRun) return { status: 'dry-run', changes: [...outcomes, ...pending.map(({ planned }) => ({ id: planned.id, title: planned.title, status: 'planned' as const }))] };
  if (!(await ports.confirm(plan))) {
    ports.record({ kind: 'plan', target: plan.target, detail: { plan: plan.kind, confirmed: false }, outcome: 'not-confirmed' });
    return { status: 'not-confirmed', changes: [...outcomes, ...pending.map(({ planned }) => ({ id: planned.id, title: planned.title, status: 'skipped' as const }))] };
  }
  for (const [index, { planned, before }] of pending.entries()) {
    const base = { plan: plan.kind, plan_target: plan.target, change_id: planned.id, title: planned.title, change: planned.change as unknown as JsonValue, undo: planned.undo as unknown as JsonValue };
    ports.record({ kind: planned.danger, target: describeRef(planned.change.target), detail: { ...base, before: before === null ? null : ports.sanitize(planned.change.target.kind, before) }, outcome: 'intent' });
    try {
      await ports.apply(planned.change, false);
    } catch (error) {
      ports.record({ kind: planned.danger, target: describeRef(planned.change.target), detail: { ...base, error: messageOf(error) }, outcome: 'failed' });
      outcomes.push({ id: planned.id, title: planned.title, status: 'failed', message: messageOf(error) });
      for (const rest of pending.slice(index + 1)) outcomes.push({ id: rest.planned.id, title: rest.planned.title, status: 'skipped', message: 'not applied: an earlier change failed' });
      return { status: 'failed', changes: outcomes };
    }
    // Deletes are graceful (a pod terminates first): read back until the change shows or a deadline passes.
    let after = await ports.read(planned.expect.target);
    const waitMs = planned.change.action === 'delete' ? 90_000 : 5_000;
    const deadline = Date.now() + waitMs;
    const wait = expectationHolds(planned.expect, after) ? undefined : ports.waiting?.(`${describeRef(planned.change.target)} to ${planned.change.action === 'delete' ? 'be gone' : 'show the change'}`, waitMs / 1000);
    while (!expectationHolds(planned.expect, after) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await ports.read(planned.expect.target);
      wait?.poll();
    }
    const verified = expectationHolds(planned.expect, after);
    ports.record({ kind: planned.danger, target: describeRef(planned.change.target), detail: { ...base, after: after === null ? null : ports.sanitize(planned.expect.target.kind, after) }, outcome: verified ? 'applied' : 'unverified' });
    outcomes.push({ id: planned.id, title: planned.title, status: verified ? 'applied' : 'unverified' });
  }
  return { status: outcomes.some((o) => o.status === 'unverified') ? 'failed' : 'applied', changes: outcomes };
}

/** Whether a planned delete's object (same uid) is already terminating. */
function deletionUnderway(planned: PlannedChange, current: Record<string, unknown> | null): boolean {
  return planned.change.action === 'delete' && current !== null && getPointer(current, '/metadata/uid') === planned.change.uid && getPointer(current, '/metadata/deletionTimestamp') !== undefined;
}

/** The uid an earlier delete in the same plan removes from the object this create recreates, if any. */
function replacedBy(plan: ChangePlan, planned: PlannedChange): string | undefined {
  const target = planned.change.target;
  for (const earlier of plan.changes) {
    if (earlier === planned) return undefined;
    const c = earlier.change;
    if (c.action === 'delete' && c.target.kind === target.kind && c.target.name === target.name && c.target.namespace === target.namespace) return c.uid;
  }
  return undefined;
}
