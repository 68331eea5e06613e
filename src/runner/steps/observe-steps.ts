/** The observe steps: capture, identities, export and checklist. None changes the cluster (capture's debug and node vantages only with footprint allowed). */
import { join } from 'node:path';
import { fingerprintSecret } from '../../core/credentials/fingerprint.js';
import { display, escapeUntrusted, trusted, type DisplayText } from '../../core/display/index.js';
import { KustodyError } from '../../core/errors.js';
import { openItems, type ChecklistItem } from '../../core/checklist/checklist-state.js';
import type { CaptureParams, ChecklistParams } from '../../core/playbook/types.js';
import { utcNow } from '../../adapters/system/responder-env.js';
import { recordAction } from '../../adapters/store/case-store.js';
import { capturePod } from '../capture-pod.js';
import { readChecklists, recordChecklistShown, tickItem } from '../checklist-log.js';
import type { ChecklistItemView } from '../playbook-events.js';
import { changePorts } from '../change-session.js';
import { exportCase } from '../run-export.js';
import { recordPodIdentities } from '../run-identities.js';
import { unlessInterrupted, type StepContext, type StepResult } from './step-context.js';

/** Captures the target into the case; a partial capture is a warning, none at all a failure. */
export async function runCaptureStep(ctx: StepContext, params: CaptureParams): Promise<StepResult> {
  const { caseKey } = ctx.session;
  let declined = false;
  const work = capturePod(ctx.kube, {
    namespace: ctx.target.namespace, pod: ctx.target.pod, container: params.container ?? undefined, via: params.via,
    collectorImage: ctx.options.collectorImage, allowFootprint: ctx.options.allowFootprint && !ctx.dryRun, withheld: ctx.options.withheldVantages,
    // A footprint is a change: shown, then confirmed like one, each vantage on its own (headless, --yes already confirmed it); the answer is a custody row.
    approveFootprint: async (vantage, footprint) => {
      ctx.preview([display`The ${escapeUntrusted(vantage)} vantage changes the cluster. It will leave:`, ...footprint.map((line) => display`  ${escapeUntrusted(line)}`)]);
      const approved = await ctx.confirm(`footprint:${vantage}`);
      declined ||= !approved;
      recordFootprintConsent(ctx, vantage, footprint, approved);
      return approved;
    },
    timeoutMs: params.timeoutSeconds * 1000, maxOutputBytes: 256 * 1024 * 1024, maxLogBytes: 4 * 1024 * 1024, scope: params.scope,
  }, {
    db: ctx.session.db, actor: ctx.session.actor, now: utcNow, caseKey, fingerprint: (value) => fingerprintSecret(caseKey, value),
    footprint: { ports: changePorts(ctx.kube, ctx.session, true), caseId: ctx.session.caseId, responderUser: ctx.session.kubeUser },
  });
  ctx.waiting(display`the capture of ${escapeUntrusted(`${ctx.target.namespace}/${ctx.target.pod}`)} via ${escapeUntrusted(params.via)} (the collector's read stops after ${params.timeoutSeconds} s)`, null);
  const result = await unlessInterrupted(work, ctx.signal);
  const summary: DisplayText[] = [display`capture ${escapeUntrusted(result.captureId)} via ${escapeUntrusted(result.vantage)}: ${escapeUntrusted(result.status)}`];
  summary.push(escapeUntrusted(Object.entries(result.counts).map(([table, count]) => `${table} ${count}`).join(', ')));
  if (result.unfinished.length > 0) summary.push(display`did not finish: ${escapeUntrusted(result.unfinished.join(', '))}`);
  for (const item of result.footprint) summary.push(display`footprint: ${escapeUntrusted(JSON.stringify(item))}`);
  if (result.status === 'failed' && declined) return { outcome: 'declined', summary, detail: { capture_id: result.captureId, status: result.status, counts: result.counts } };
  if (result.status === 'failed') throw new KustodyError('CAPTURE_FAILED', `The capture read nothing from the pod: ${result.notes.join('; ')}.`, { nextStep: 'Check the pod is running, or give --collector-image (with --yes) for the debug and node vantages, then run again with --resume.' });
  return { outcome: result.status === 'complete' ? 'done' : 'warning', summary, detail: { capture_id: result.captureId, status: result.status, counts: result.counts } };
}

/** Records the responder's answer to a footprint vantage's preview: what it would leave, with which image, approved or declined. */
function recordFootprintConsent(ctx: StepContext, vantage: 'debug' | 'node', footprint: readonly string[], approved: boolean): void {
  recordAction(ctx.session.db, {
    at: utcNow(), actor: ctx.session.actor, kind: 'footprint', target: `pod:${ctx.target.namespace}/${ctx.target.pod}`,
    detail: { plan: 'consent', title: `${vantage} vantage with ${ctx.options.collectorImage?.ref ?? ''}`, run_id: ctx.runId, step_id: ctx.stepId, vantage, image: ctx.options.collectorImage?.ref ?? '', will_leave: [...footprint] },
    outcome: approved ? 'approved' : 'declined',
  });
}

/** Records the target's identity inventory. */
export async function runIdentitiesStep(ctx: StepContext): Promise<StepResult> {
  const { inventory, seq, complete } = await unlessInterrupted(recordPodIdentities(ctx.kube, ctx.session.db, ctx.session.actor, ctx.target), ctx.signal);
  const summary: DisplayText[] = [
    display`ServiceAccount ${escapeUntrusted(inventory.serviceAccount.name)}: ${inventory.identities.length} identities, ${inventory.rbac.dangerousRules} dangerous RBAC rule(s)`,
    display`would end it: ${escapeUntrusted(inventory.revokeFlags.join(' ') || '(nothing found)')}`,
    display`inventory recorded as custody row ${seq}`,
  ];
  for (const note of inventory.notes) summary.push(display`note: ${escapeUntrusted(note)}`);
  return { outcome: complete ? 'done' : 'warning', summary, detail: { custody_seq: seq, identities: inventory.identities.length, dangerous_rules: inventory.rbac.dangerousRules } };
}

/** Writes the case as a bundle (in the case folder unless a path was given) and records its hash. */
export async function runExportStep(ctx: StepContext): Promise<StepResult> {
  const path = ctx.options.bundlePath ?? join(ctx.session.caseDir, `${ctx.session.caseId}.tar`);
  const result = await exportCase(ctx.session.db, path, ctx.options.signKey, ctx.session.actor);
  return {
    outcome: 'done',
    summary: [display`wrote ${escapeUntrusted(result.path)} (${result.size} bytes${result.signed ? trusted(', signed') : trusted('')})`, display`SHA-256 ${escapeUntrusted(result.sha256)}: record it outside the bundle (ticket, chat).`],
    detail: { path: result.path, sha256: result.sha256, size: result.size, signed: result.signed },
  };
}

/**
 * Shows a responder checklist and records it (`check` row); in the UI the responder ticks items (who,
 * when, an optional note, each its own custody row) before moving on. Items left open make the step a
 * warning that says how to tick them later with `kustody check`.
 */
export async function runChecklistStep(ctx: StepContext, title: string, params: ChecklistParams): Promise<StepResult> {
  const items = params.items.length === 0 ? [title] : params.items;
  const { db, actor } = ctx.session;
  ctx.preview(items.map((item) => display`[ ] ${escapeUntrusted(item)}`));
  recordChecklistShown(db, actor, { runId: ctx.runId, stepId: ctx.stepId, title, target: `${ctx.target.namespace}/${ctx.target.pod}`, items });
  const current = () => readChecklists(db).find((l) => l.runId === ctx.runId && l.stepId === ctx.stepId) ?? null;
  const first = current();
  if (first === null) throw new KustodyError('CHECKLIST_LOST', 'The checklist just recorded cannot be read back from the case.', { nextStep: 'Check the case with `kustody case show`, then run again with --resume.' });
  await ctx.checklist(first.items.map(itemView), async (index, note) => {
    const list = current() ?? first;
    const { item, recorded } = tickItem(db, actor, list, index, note);
    const view = itemView(item);
    if (recorded !== null) ctx.ticked(view, recorded.seq);
    return view;
  });
  const done = current() ?? first;
  const open = openItems(done);
  const ticked = done.items.filter((i) => i.tick !== null).map((i) => ({ item: i.index, by: i.tick?.by ?? '', at: i.tick?.at ?? '', seq: i.tick?.seq ?? 0 }));
  const summary: DisplayText[] = [display`checklist of ${items.length} item(s): ${items.length - open} ticked, ${open} open`];
  if (open > 0) summary.push(display`tick the rest with: kustody check ${escapeUntrusted(ctx.session.caseDir)} ${escapeUntrusted(ctx.stepId)} ITEM [--note TEXT]`);
  return { outcome: open === 0 ? 'done' : 'warning', summary, detail: { items, ticked, open } };
}

function itemView(item: ChecklistItem): ChecklistItemView {
  const tick = item.tick === null ? null : { by: escapeUntrusted(item.tick.by), at: item.tick.at, note: item.tick.note === null ? null : escapeUntrusted(item.tick.note, { maxBytes: 4096 }) };
  return { index: item.index, text: escapeUntrusted(item.text), tick };
}
