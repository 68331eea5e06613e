/** The audit step: ingest the API server audit log the responder gave (or configured) into the case, so revocation and the sweep follow the attacker's identities. */
import { statSync } from 'node:fs';
import { decodeJwtClaims } from '../../core/credentials/jwt-claims.js';
import { display, escapeUntrusted, trusted, type DisplayText } from '../../core/display/index.js';
import { auditEventsWithCredential } from '../../adapters/store/sweep-facts.js';
import { utcNow } from '../../adapters/system/responder-env.js';
import { DEFAULT_INGEST_LIMITS, ingestAuditLogs, type FileSummary } from '../run-audit-ingest.js';
import { unlessInterrupted, type StepContext, type StepResult } from './step-context.js';

/** Ingests every given log (nothing is duplicated on a resumed or repeated run); skipped, saying how, when no log was given. */
export async function runAuditStep(ctx: StepContext): Promise<StepResult> {
  const files = ctx.options.auditLogs ?? [];
  if (files.length === 0) {
    return {
      outcome: 'skipped',
      summary: [
        display`no audit log given (kustody run --audit-log FILE, or KUSTODY_AUDIT_LOG): revocation cannot list the identities the attacker made,`,
        display`and the sweep finds persistence by creation time only. Later: kustody audit ingest --case CASE --log FILE, then kustody audit sweep CASE.`,
      ],
      detail: { files: [] },
    };
  }
  const sizes = files.map((f) => { try { return statSync(f).size; } catch { return 0; } });
  ctx.waiting(display`the ingest of ${files.length} audit log file(s), ${escapeUntrusted(String(Math.round(sizes.reduce((a, b) => a + b, 0) / 1024)))} KiB`, null);
  const work = ingestAuditLogs(ctx.session.db, { files, caseKey: ctx.session.caseKey, sizes, limits: DEFAULT_INGEST_LIMITS, actor: ctx.session.actor, now: utcNow });
  const summaries = await unlessInterrupted(work, ctx.signal);
  const summary = summaries.flatMap(describeIngest);
  const credentialIds = ctx.options.leakedTokens.flatMap((t) => {
    const jti = decodeJwtClaims(t.reveal()).claims?.jti;
    return jti ? [`JTI=${jti}`] : [];
  });
  let missing = 0;
  for (const [id, n] of auditEventsWithCredential(ctx.session.db, credentialIds)) {
    if (n === 0) missing += 1;
    summary.push(n > 0
      ? display`${n} event(s) in the case carry the leaked token's credential id ${escapeUntrusted(id)} (kustody audit who shows them)`
      : display`NO event carries the leaked token's credential id ${escapeUntrusted(id)}: the log may not cover its use (another API server, a rotated file, a policy that drops it); this is not proof it was unused`);
  }
  const cut = summaries.some((s) => s.cut !== null);
  return {
    outcome: cut || missing > 0 ? 'warning' : 'done',
    summary,
    detail: { files: summaries.map((s) => ({ file: s.file, sha256: s.sha256, events: s.events, inserted: s.inserted, cut: s.cut })), leaked_credentials_without_events: missing },
  };
}

function describeIngest(s: FileSummary): DisplayText[] {
  const skipped = Object.entries(s.skipped).filter(([reason, n]) => n > 0 && reason !== 'blank').map(([reason, n]) => `${n} ${reason}`).join(', ');
  return [
    display`${escapeUntrusted(s.file, { maxBytes: 400 })}${s.gzip ? trusted(' (gzip)') : trusted('')}: ${s.events} events, ${s.inserted} new, ${s.duplicates} already in the case; sha256 ${escapeUntrusted(s.sha256)}`,
    ...(skipped === '' ? [] : [display`  skipped: ${escapeUntrusted(skipped)} (line numbers in the custody log)`]),
    ...(s.cut === null ? [] : [display`  CUT: ${escapeUntrusted(s.cut)}`]),
  ];
}
