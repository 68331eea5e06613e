/** Changes kustody made (or meant to make) whose effect was not verified: failed, unverified, left at intent, or a revocation the API server still honours. */
import { asObject, asString } from '../json-fields.js';
import { makeFinding } from '../make-finding.js';
import type { ActionFact, Finding, FindingRule } from '../types.js';

const CHANGE_KINDS = new Set(['contain', 'revoke', 'footprint']);
const SETTLED = new Set(['applied', 'unverified', 'failed', 'already-in-effect', 'deletion-under-way']);

function changeKey(a: ActionFact): string | null {
  const detail = asObject(a.detail);
  const id = asString(detail.change_id);
  return id === null ? null : `${asString(detail.plan) ?? ''}|${id}`;
}

/** One finding per failed or unverified change, per change left at intent, and per revocation check that found access remaining. */
export const changeNotVerifiedRule: FindingRule = {
  id: 'change-not-verified',
  describes: 'cluster changes that failed, could not be verified by reading back, or stopped at intent; revocations the API server still honoured',
  derive(facts) {
    const findings: Finding[] = [];
    const open = new Map<string, ActionFact>();
    for (const a of facts.actions) {
      if (!CHANGE_KINDS.has(a.kind)) continue;
      const key = changeKey(a);
      const detail = asObject(a.detail);
      const title = asString(detail.title) ?? a.target;
      if (key !== null && a.outcome === 'intent') open.set(key, a);
      if (key !== null && SETTLED.has(a.outcome)) open.delete(key);
      if (a.outcome === 'failed' || a.outcome === 'unverified') {
        findings.push(makeFinding('change-not-verified', {
          key: `${a.seq}`,
          severity: 'high',
          title: `${a.kind} change ${a.outcome}: ${title}`,
          detail: a.outcome === 'failed' ? `The change to ${a.target} failed: ${asString(detail.error) ?? 'no error recorded'}. Whatever it was meant to stop is not stopped.`
            : `The change to ${a.target} was sent but reading it back did not show it in effect. Check the object by hand.`,
          evidence: [{ table: 'actions', rowid: a.seq }], at: a.at,
        }));
      }
      if (a.kind === 'revoke' && (a.outcome === 'still-valid' || a.outcome === 'still-allowed')) {
        findings.push(makeFinding('change-not-verified', {
          key: `${a.seq}`,
          severity: 'high',
          title: a.outcome === 'still-valid' ? `A token was still accepted after revocation (${a.target})` : `Access remained after revoking RBAC (${a.target})`,
          detail: `The ${asString(detail.step) ?? 'verification'} check at ${a.at} found the revocation not (yet) in effect.`,
          evidence: [{ table: 'actions', rowid: a.seq }], at: a.at,
        }));
      }
    }
    for (const [key, a] of open) {
      findings.push(makeFinding('change-not-verified', {
        key: `intent|${key}`,
        severity: 'medium',
        title: `Change left at intent: ${asString(asObject(a.detail).title) ?? a.target}`,
        detail: `An intent row was recorded for ${a.target} but no outcome followed (kustody stopped between sending and recording). The object may or may not have changed: \`kustody run --resume\` or \`release\` read it before acting.`,
        evidence: [{ table: 'actions', rowid: a.seq }], at: a.at,
      }));
    }
    return findings;
  },
};
