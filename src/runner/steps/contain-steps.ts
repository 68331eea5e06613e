/** The isolate and release steps: plan against the cluster (or reuse the recorded plan on resume), apply, verify. */
import { display, escapeUntrusted, trusted, type DisplayText } from '../../core/display/index.js';
import type { IsolateParams } from '../../core/playbook/types.js';
import { checkIsolation, planIsolate, planReleaseFromCase } from '../run-isolate.js';
import { planCut, runCut } from '../run-cut-connections.js';
import { describeCutPlan, describeCutResult } from '../describe-cut.js';
import { applyChangeStep, changeOutcome } from './change-step.js';
import { unlessInterrupted, type StepContext, type StepResult } from './step-context.js';

/** Quarantines the target, then re-reads its connections and flags any that survived. */
export async function runIsolateStep(ctx: StepContext, params: IsolateParams): Promise<StepResult> {
  const plan = ctx.storedPlan ?? await planIsolate(ctx.kube, ctx.session, ctx.target, params);
  const applied = await applyChangeStep(ctx, plan);
  if (applied === 'declined') return { outcome: 'declined', summary: [], detail: null };
  const outcome = changeOutcome(applied.result);
  const summary: DisplayText[] = [...applied.lines, ...plan.report.map((note) => display`! ${escapeUntrusted(note)}`)];
  let cutStatus: string | null = null;
  if (params.cutConnections || ctx.options.cutConnections === true) {
    // Only once the deny-all policy is in force (or in a dry run, which creates nothing): what is cut cannot reconnect.
    ctx.progress(trusted('Cutting the connections that survived the policy, from the pod\'s node.'));
    const cut = await unlessInterrupted(planCut(ctx.kube, ctx.session, ctx.target, ctx.options.netcutImage).then((planned) => runCut(ctx.kube, ctx.session, planned, { dryRun: ctx.dryRun, confirm: () => ctx.confirm() })), ctx.signal);
    summary.push(...describeCutPlan(cut), ...describeCutResult(cut));
    cutStatus = cut.status;
  }
  if (outcome === 'dry-run') return { outcome, summary, detail: { changes: applied.result.changes.length, cut: cutStatus } };
  ctx.progress(trusted('Re-reading the pod\'s connections to see what survived the policy.'));
  const survivors = await unlessInterrupted(checkIsolation(ctx.kube, ctx.session, ctx.target), ctx.signal);
  if (survivors.error !== null) summary.push(display`could not re-read connections: ${escapeUntrusted(survivors.error)}`);
  for (const c of survivors.established) {
    summary.push(display`ISOLATION_INCOMPLETE: ${escapeUntrusted(`${c.local_addr}:${c.local_port} -> ${c.remote_addr}:${c.remote_port}`)} still open (pid ${c.pid ?? 0}); new connections are blocked, this one is not.`);
  }
  const warn = survivors.error !== null || survivors.established.length > 0 || (cutStatus !== null && !['cut', 'nothing-to-cut'].includes(cutStatus));
  if (!warn) summary.push(trusted('No established connection survived isolation.'));
  return { outcome: warn ? 'warning' : outcome, summary, detail: { changes: applied.result.changes.length, cut: cutStatus, surviving_connections: survivors.established.length } };
}

/** Undoes what this case's isolation applied to the target, from the custody log. */
export async function runReleaseStep(ctx: StepContext): Promise<StepResult> {
  const plan = ctx.storedPlan ?? await planReleaseFromCase(ctx.kube, ctx.session, ctx.target);
  const applied = await applyChangeStep(ctx, plan);
  if (applied === 'declined') return { outcome: 'declined', summary: [], detail: null };
  return { outcome: changeOutcome(applied.result), summary: [...applied.lines, ...plan.report.map((note) => display`! ${escapeUntrusted(note)}`)], detail: { changes: applied.result.changes.length } };
}
