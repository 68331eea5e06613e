/**
 * Runs a contain or revoke step's change plan through the one mutation path (applyPlan), with the
 * preview, the intent row, the typed confirmation and Ctrl-C handled the same way for every step: an
 * interrupt lets the change in flight finish (applied and read back) and stops before the next one.
 */
import type { ChangePlan, Change } from '../../core/changes/change.js';
import { display, escapeUntrusted, trusted, type DisplayText } from '../../core/display/index.js';
import { KustodyError } from '../../core/errors.js';
import { applyPlan, type ApplyPorts, type ApplyResult } from '../apply-plan.js';
import { changePorts } from '../change-session.js';
import { describePlan } from '../describe-plan.js';
import { pausePoint } from '../pause-points.js';
import { InterruptedError, type StepContext } from './step-context.js';

/** The applied plan, or `declined` when the responder did not approve it (nothing was sent). */
export type ChangeStepResult = { result: ApplyResult; lines: DisplayText[] } | 'declined';

/** Previews, records the intent with the plan, then applies it (or only dry-runs it) through applyPlan. */
export async function applyChangeStep(ctx: StepContext, plan: ChangePlan): Promise<ChangeStepResult> {
  ctx.preview(describePlan(plan));
  ctx.recordIntent(plan);
  const base = changePorts(ctx.kube, ctx.session, false);
  const idOf = (change: Change) => plan.changes.find((c) => c.change === change)?.id ?? '?';
  const ports: ApplyPorts = {
    ...base,
    confirm: () => ctx.confirm(),
    record: (entry) => {
      // The boundary between changes: nothing of the next one has been sent yet.
      if (entry.outcome === 'intent' && ctx.signal.aborted) throw new InterruptedError();
      base.record(entry);
    },
    waiting: (what, timeoutSeconds) => {
      const wait = ctx.waiting(escapeUntrusted(what), timeoutSeconds);
      return { poll: () => wait.poll() };
    },
    apply: async (change, dryRun) => {
      const applied = await base.apply(change, dryRun);
      if (!dryRun) await pausePoint(`after-apply:${idOf(change)}`, ctx.signal);
      return applied;
    },
  };
  const result = await applyPlan(plan, ports, { dryRun: ctx.dryRun });
  if (result.status === 'not-confirmed') return 'declined';
  const counts = new Map<string, number>();
  for (const c of result.changes) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  const head = result.status === 'dry-run'
    ? display`dry run: ${result.changes.length} change(s) planned, every pending one passed the API server's dry run`
    : escapeUntrusted(`${plan.changes.length} change(s): ${[...counts].map(([status, n]) => `${n} ${status}`).join(', ') || 'none planned'}`);
  const lines = [head, ...result.changes.map((c) => display`${escapeUntrusted(c.status.padEnd(9))} ${escapeUntrusted(c.title)}${c.message ? display` (${escapeUntrusted(c.message)})` : trusted('')}`)];
  if (result.status === 'failed') {
    const bad = result.changes.filter((c) => c.status === 'failed' || c.status === 'unverified').map((c) => `${c.id}: ${c.status}${c.message ? ` (${c.message})` : ''}`);
    throw new KustodyError('CHANGE_FAILED', `${bad.length} change(s) did not take effect: ${bad.join('; ')}.`, { nextStep: 'Read the step\'s custody rows (kustody case show), fix the cause, then run again with --resume: changes already in effect are skipped.' });
  }
  if (ctx.signal.aborted) throw new InterruptedError();
  return { result, lines };
}

/** The step outcome for an applied plan. */
export function changeOutcome(result: ApplyResult): 'done' | 'nothing-to-do' | 'dry-run' {
  return result.status === 'dry-run' ? 'dry-run' : result.status === 'nothing-to-do' ? 'nothing-to-do' : 'done';
}
