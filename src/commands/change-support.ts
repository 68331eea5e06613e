/** Shared plumbing for commands that change the cluster: the case, the cluster identity, the runner's ports, and printing plans and results. */
import type { KubeClients } from '../adapters/kube/kube-client.js';
import { resolveCaseDir } from '../adapters/store/case-store.js';
import type { ChangePlan } from '../core/changes/change.js';
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import { applyPlan, type ApplyResult } from '../runner/apply-plan.js';
import { changePorts, openCaseSession, type ChangeSession } from '../runner/change-session.js';
import { describePlan } from '../runner/describe-plan.js';
import { defaultCaseParent, type CommandIo } from './command.js';

export { changePorts, type ChangeSession } from '../runner/change-session.js';
export { describePlan } from '../runner/describe-plan.js';

/** Opens the case named on the command line and asks the cluster who we are; `replays` refuses a broken custody chain first. */
export async function openChangeSession(caseArg: string, kube: KubeClients, env: NodeJS.ProcessEnv, options: { replays?: string } = {}): Promise<ChangeSession> {
  return openCaseSession(resolveCaseDir(caseArg, defaultCaseParent(env)), kube, options);
}

/** The outcome of each change, and what to do when nothing was applied. */
export function describeResult(result: ApplyResult, dryRun: boolean): DisplayText[] {
  const lines = result.changes.map((c) => display`  ${escapeUntrusted(c.status.padEnd(11))} ${escapeUntrusted(c.title)}${c.message ? display` — ${escapeUntrusted(c.message)}` : trusted('')}`);
  if (result.status === 'dry-run' || dryRun) lines.push(trusted('Dry run: nothing was changed (every change passed the API server\'s dry run).'));
  if (result.status === 'not-confirmed') lines.push(trusted('Nothing was changed. Review the plan above and run again with --yes to apply it.'));
  if (result.status === 'nothing-to-do') lines.push(trusted('Nothing to do: everything is already in effect.'));
  return lines;
}

/** Exit code for a plan run: 0 applied/dry-run/nothing to do, 1 failed or not confirmed. */
export function exitCodeFor(result: ApplyResult): number {
  return result.status === 'applied' || result.status === 'dry-run' || result.status === 'nothing-to-do' ? 0 : 1;
}

/** Previews `plan`, applies it (only with `yes`; `dryRun` asks the API server only), prints the outcome as text or JSON and returns the exit code. */
export async function applyAndPrint(plan: ChangePlan, kube: KubeClients, session: ChangeSession, io: CommandIo, flags: { json: boolean; yes: boolean; dryRun: boolean }): Promise<number> {
  if (!flags.json) for (const line of describePlan(plan)) io.out(line);
  const result = await applyPlan(plan, changePorts(kube, session, flags.yes), { dryRun: flags.dryRun });
  if (flags.json) io.out(toSafeJson({ plan: plan.kind, target: plan.target, status: result.status, changes: result.changes, report: plan.report }));
  else for (const line of describeResult(result, flags.dryRun)) io.out(line);
  return exitCodeFor(result);
}
