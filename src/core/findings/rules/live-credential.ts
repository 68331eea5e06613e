/** Credentials found in the workload that still work (as far as the case shows) and how long each stays valid if nobody acts. */
import { asArray, asObject, asString } from '../json-fields.js';
import { groupBy, makeFinding, refs, text } from '../make-finding.js';
import type { ActionFact, CaseFacts, Finding, FindingRule } from '../types.js';

const KUBERNETES_KINDS = new Set(['serviceaccount-token', 'projected-token']);
const DAY_MS = 24 * 3600 * 1000;

/** The latest TokenReview verdict per fingerprint from `revoke` verify-tokens rows. */
function tokenVerdicts(actions: readonly ActionFact[]): Map<string, { outcome: string; seq: number; at: string; rejectedAt: string | null }> {
  const verdicts = new Map<string, { outcome: string; seq: number; at: string; rejectedAt: string | null }>();
  for (const a of actions) {
    const detail = asObject(a.detail);
    if (a.kind !== 'revoke' || detail.step !== 'verify-tokens') continue;
    for (const check of asArray(detail.checks)) {
      const c = asObject(check);
      const fingerprint = asString(c.fingerprint);
      if (fingerprint !== null) verdicts.set(fingerprint, { outcome: asString(c.outcome) ?? 'unknown', seq: a.seq, at: a.at, rejectedAt: asString(c.rejectedAt) });
    }
  }
  return verdicts;
}

function hoursBetween(from: string, to: string): number {
  return Math.round(((Date.parse(to) - Date.parse(from)) / 3600000) * 10) / 10;
}

/** One finding per credential fingerprint, judged at the facts' `now`; expired ones are left out, revoked ones reported as info. */
export const liveCredentialRule: FindingRule = {
  id: 'live-credential',
  describes: 'credentials found in the workload that are not expired or verified revoked, with when each stops working on its own',
  derive(facts: CaseFacts) {
    const verdicts = tokenVerdicts(facts.actions);
    const findings: Finding[] = [];
    for (const [fingerprint, rows] of groupBy(facts.credentials, (c) => text(c.fingerprint))) {
      const first = rows[0]!;
      const kind = text(first.kind);
      const expires = text(first.expires_at);
      if (expires !== '' && Date.parse(expires) <= Date.parse(facts.now)) continue;
      const verdict = verdicts.get(fingerprint);
      const kubernetes = KUBERNETES_KINDS.has(kind);
      const longLived = expires === '' || Date.parse(expires) - Date.parse(facts.now) > DAY_MS;
      const validity = expires !== '' ? `valid until ${expires} (${hoursBetween(facts.now, expires)} h after this report)` : kubernetes ? 'no expiry: valid until its Secret or ServiceAccount is deleted' : 'no expiry known: valid until rotated at its source';
      const where = [...new Set(rows.map((c) => `${text(c.target)} ${text(c.location)}`))].slice(0, 5).join('; ');
      const revoked = verdict?.outcome === 'revoked';
      findings.push(makeFinding('live-credential', {
        key: fingerprint,
        severity: revoked ? 'info' : kubernetes || kind.includes('cloud') || kind.includes('aws') ? 'high' : 'medium',
        mappingKey: revoked ? undefined : longLived ? 'long-lived' : kubernetes ? 'kubernetes' : undefined,
        title: revoked ? `${kind} credential revoked (verified)` : `Live ${kind} credential${text(first.subject) !== '' ? ` of ${text(first.subject)}` : ''}`,
        detail: `${fingerprint} seen at ${where}; ${validity}.`
          + (revoked ? ` The API server rejected it from ${verdict?.rejectedAt ?? verdict?.at} (custody row ${verdict?.seq}).`
            : verdict?.outcome === 'still-valid' ? ` After revocation it was still accepted (custody row ${verdict.seq}).`
              : kubernetes ? ' End it with `kustody revoke`.' : ' Rotate it where it was issued.'),
        evidence: [...refs('credentials', rows), ...(verdict !== undefined ? [{ table: 'actions', rowid: verdict.seq }] : [])],
      }));
    }
    return findings;
  },
};
