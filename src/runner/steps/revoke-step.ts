/** The revoke step: gather the tokens to prove dead, apply the revocation, then poll TokenReview until they are. */
import { display, escapeUntrusted, trusted, type DisplayText } from '../../core/display/index.js';
import { KustodyError } from '../../core/errors.js';
import { revocationOptions } from '../../core/playbook/plan-playbook.js';
import type { RevokeParams } from '../../core/playbook/types.js';
import { capturedServiceAccountName } from '../../adapters/store/captured-service-account.js';
import { prepareRevocation, revocationVerifyPorts, revokeCloudIdentities, verifyRevocation } from '../run-revoke.js';
import { reviewBefore } from '../verify-revocation.js';
import { otherIdentities } from '../../core/sweep/attacker-identities.js';
import { applyChangeStep, changeOutcome } from './change-step.js';
import { InterruptedError, type StepContext, type StepResult } from './step-context.js';

/** Revokes what the target held (a resumed step reuses its recorded plan) and verifies every known token is rejected. */
export async function runRevokeStep(ctx: StepContext, params: RevokeParams): Promise<StepResult> {
  const { namespace, pod } = ctx.target;
  // A resumed run may find the pod already deleted by its earlier attempt: the case's capture says whose identity it held.
  const serviceAccountName = capturedServiceAccountName(ctx.session.db, namespace, pod);
  const prepared = await prepareRevocation(ctx.kube, ctx.session, { namespace, pod, serviceAccountName, leaked: ctx.options.leakedTokens, options: revocationOptions(params) });
  const plan = ctx.storedPlan ?? prepared.plan;
  const verifyPorts = revocationVerifyPorts(ctx.kube, ctx.signal, () => new InterruptedError());
  const before = await reviewBefore(prepared.tokens, verifyPorts);
  const applied = await applyChangeStep(ctx, plan);
  if (applied === 'declined') return { outcome: 'declined', summary: [], detail: null };
  const summary: DisplayText[] = [...applied.lines, ...plan.report.map((note) => display`! ${escapeUntrusted(note)}`)];
  if (params.cloud) {
    const run = !ctx.dryRun && await ctx.confirm();
    const cloud = await revokeCloudIdentities(ctx.session, prepared.facts.serviceAccount?.object ?? null, namespace, run, (text) => { for (const line of text.split('\n')) ctx.progress(escapeUntrusted(line)); });
    for (const c of cloud) summary.push(display`cloud ${escapeUntrusted(c.id)}: ${escapeUntrusted(c.status)}`);
  }
  const outcome = changeOutcome(applied.result);
  if (outcome === 'dry-run') return { outcome, summary, detail: { changes: applied.result.changes.length } };
  const wait = prepared.tokens.length > 0 ? ctx.waiting(display`TokenReview to reject ${prepared.tokens.length} token(s)`, params.verifySeconds) : null;
  const onPoll = (pending: number, total: number) => wait?.poll(display`TokenReview to reject ${pending} of ${total} token(s) still accepted`);
  const verdict = await verifyRevocation(ctx.kube, ctx.session, { ...prepared, plan }, applied.result, before, { verifySeconds: params.verifySeconds, countAlready: true, ports: verifyPorts, onPoll });
  for (const c of verdict.checks) summary.push(c.outcome === 'revoked' ? display`token ${escapeUntrusted(c.fingerprint.slice(0, 24))}… rejected by TokenReview after ${escapeUntrusted(String(c.secondsToReject))} s` : display`!! token ${escapeUntrusted(c.fingerprint.slice(0, 24))}… STILL AUTHENTICATES (${escapeUntrusted(c.outcome)})`);
  if (verdict.access !== null) for (const [what, allowed] of Object.entries(verdict.access)) summary.push(display`after removing RBAC, ${escapeUntrusted(what)}: ${allowed ? trusted('!! still allowed') : trusted('denied')}`);
  const alive = verdict.checks.filter((c) => c.outcome !== 'revoked');
  if (alive.length > 0) throw new KustodyError('REVOCATION_UNVERIFIED', `${alive.length} token(s) still authenticate after ${params.verifySeconds} s: ${alive.map((c) => c.fingerprint.slice(0, 24)).join(', ')}.`, { nextStep: 'Check what the token is bound to (kustody case show), revoke that too, then run again with --resume.' });
  const revoked = verdict.checks.length;
  if (revoked > 0) summary[0] = display`${summary[0] ?? trusted('')}; ${revoked} token(s) rejected by TokenReview`;
  for (const t of verdict.untouched) summary.push(display`! token ${escapeUntrusted(t.fingerprint.slice(0, 24))}… is not revoked by this step (bound to something still in place)`);
  const stillAllowed = verdict.access !== null && Object.values(verdict.access).some(Boolean);
  // Identities the audit log shows the attacker holding beyond this one, and tokens it minted for this account, outlive
  // this plan: the report above names each and what revokes it, and a warning shows it on every screen.
  const minted = prepared.survivors.length;
  const others = otherIdentities(prepared.identities, prepared.subject).length;
  return { outcome: verdict.untouched.length > 0 || stillAllowed || minted > 0 || others > 0 ? 'warning' : outcome, summary, detail: { changes: applied.result.changes.length, tokens_revoked: verdict.checks.length, tokens_untouched: verdict.untouched.length, minted_tokens_not_revoked: minted, other_identities: others } };
}
