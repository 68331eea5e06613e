/** The sweep step: find the persistence left in the target's namespace, record it, and remove what was created in the window. */
import { decodeJwtClaims } from '../../core/credentials/jwt-claims.js';
import { display, escapeUntrusted, type DisplayText } from '../../core/display/index.js';
import type { SweepParams } from '../../core/playbook/types.js';
import { sweepWindow } from '../../core/sweep/since.js';
import { prepareSweep } from '../run-sweep.js';
import { applyChangeStep, changeOutcome } from './change-step.js';
import type { StepContext, StepResult } from './step-context.js';

/** Sweeps the target's namespace (a resumed step reuses its recorded plan), following the case's and the leaked tokens' identities. */
export async function runSweepStep(ctx: StepContext, params: SweepParams): Promise<StepResult> {
  const claims = ctx.options.leakedTokens.map((t) => decodeJwtClaims(t.reveal()).claims);
  const extra = { usernames: claims.flatMap((c) => c?.sub ?? []), credentialIds: claims.flatMap((c) => (c?.jti ? [`JTI=${c.jti}`] : [])) };
  const window = sweepWindow({ given: ctx.options.incidentStart, leakedIssuedAt: claims.flatMap((c) => c?.iat ?? []), duration: params.since, now: new Date() });
  const prepared = await prepareSweep(ctx.kube, ctx.session, { since: window.since, namespaces: [ctx.target.namespace] }, extra, { attributedOnly: true });
  const items: DisplayText[] = prepared.items.map((i) => display`[${escapeUntrusted(i.severity)}] ${escapeUntrusted(`${i.kind} ${i.namespace ? `${i.namespace}/` : ''}${i.name}`)}: ${escapeUntrusted(i.reasons.slice(0, 3).join('; '))}`);
  ctx.preview([display`window since ${escapeUntrusted(window.since)} (${escapeUntrusted(window.from)}); identities followed: ${escapeUntrusted(prepared.identities.join(', ') || 'none')}`, ...items, ...prepared.notes.map((n) => display`? ${escapeUntrusted(n)}`)]);
  const plan = ctx.storedPlan ?? prepared.plan;
  const applied = await applyChangeStep(ctx, plan);
  if (applied === 'declined') return { outcome: 'declined', summary: items, detail: { capture_id: prepared.captureId, items: prepared.items.length } };
  const kept = prepared.items.filter((i) => !i.removable).length;
  const summary = [display`${prepared.items.length} item(s) found, ${kept} reported only`, ...applied.lines, ...plan.report.map((r) => display`! ${escapeUntrusted(r)}`)];
  const outcome = changeOutcome(applied.result);
  return { outcome: kept > 0 && outcome === 'done' ? 'warning' : outcome, summary, detail: { capture_id: prepared.captureId, since: window.since, window_from: window.from, items: prepared.items.length, kept, identities: prepared.identities } };
}
