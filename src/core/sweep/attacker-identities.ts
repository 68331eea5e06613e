/**
 * Every identity the audit log shows the attacker held: the ones the case started from, and each
 * ServiceAccount one of them created or minted a token for, transitively, with how it was obtained
 * and every token minted for it. Revocation lists them all, not only the pod's own. Pure.
 */
import type { AuditWrite } from './types.js';

/** A token the audit log shows an attacker identity minting (a TokenRequest). */
export interface MintedToken {
  /** Its credential id (`JTI=…`), when the event names it. */
  credentialId: string | null;
  by: string;
  at: string;
  /** The object it is bound to (`Pod NAME`); null: bound to the account only; undefined: the log kept no request body to say. */
  boundTo: string | null | undefined;
  rowid: number;
}

/** One identity and how the attacker came to hold it. */
export interface AttackerIdentity {
  username: string;
  how: string;
  /** Audit rows proving it (empty for the identities the case started from). */
  auditRowids: number[];
  /** Tokens the attacker minted for it, in audit order. */
  minted: MintedToken[];
}

/** What the revocation plan kills of the pod's own account: its whole uid (rotated or deleted), or only the pod named. */
export interface AccountCover {
  accountRevoked: boolean;
  /** The pod the plan deletes (its bound tokens die with it), or null. */
  deletedPod: string | null;
}

/** The identities reachable from `start` through created ServiceAccounts and minted tokens, in discovery order. */
export function attackerIdentities(start: readonly string[], writes: readonly AuditWrite[]): AttackerIdentity[] {
  const found = new Map<string, AttackerIdentity>(start.map((u) => [u, { username: u, how: 'the identity the case started from', auditRowids: [], minted: [] }]));
  const queue = [...found.keys()];
  while (queue.length > 0) {
    const actor = queue.shift()!;
    for (const w of writes) {
      if (w.username !== actor || w.resource !== 'serviceaccounts' || w.verb !== 'create' || w.namespace === null || w.name === null) continue;
      if (w.responseCode === null || w.responseCode < 200 || w.responseCode >= 300) continue;
      if (w.subresource !== null && w.subresource !== 'token') continue;
      const username = `system:serviceaccount:${w.namespace}:${w.name}`;
      let identity = found.get(username);
      if (identity === undefined) {
        identity = { username, how: `${w.subresource === 'token' ? 'a token minted' : 'ServiceAccount created'} by ${actor} at ${w.at}`, auditRowids: [w.rowid], minted: [] };
        found.set(username, identity);
        queue.push(username);
      } else if (!identity.auditRowids.includes(w.rowid) && identity.auditRowids.length > 0) {
        identity.auditRowids.push(w.rowid);
      }
      // Each write has one author, walked once: no mint is pushed twice.
      if (w.subresource === 'token') identity.minted.push({ credentialId: w.issuedCredentialId ?? null, by: actor, at: w.at, boundTo: w.boundTo, rowid: w.rowid });
    }
  }
  return [...found.values()];
}

/** Tokens minted for the pod's own account that the plan does not kill: bound to the account only (or another object) while its uid stays. */
export function mintedSurvivors(identities: readonly AttackerIdentity[], podIdentity: string, cover: AccountCover): MintedToken[] {
  if (cover.accountRevoked) return [];
  const own = identities.find((i) => i.username === podIdentity);
  return (own?.minted ?? []).filter((m) => cover.deletedPod === null || m.boundTo !== `Pod ${cover.deletedPod}`);
}

/** The line a finished revocation ends with when tokens minted for `subject` outlive it (see mintedSurvivors), or null. */
export function survivorsWarning(survivors: readonly MintedToken[], subject: string): string | null {
  if (survivors.length === 0) return null;
  const ids = survivors.slice(0, MAX_MINTED_LINES).map((m) => m.credentialId ?? '(credential id not in the log)').join(', ');
  const more = survivors.length > MAX_MINTED_LINES ? ` and ${survivors.length - MAX_MINTED_LINES} more` : '';
  return `${survivors.length} token(s) the audit log shows minted for ${subject} outlive this revocation: ${ids}${more}. Kill them: kustody revoke --service-account ${accountOf(subject)} --rotate-sa`;
}

/** The identities beyond `subject` (the pod's or account's own) that a revocation of `subject` leaves alive. */
export function otherIdentities(identities: readonly AttackerIdentity[], subject: string): AttackerIdentity[] {
  return identities.filter((i) => i.username !== subject);
}

/** Report lines for a revocation plan: every identity beyond the pod's own, tokens minted for any of them, and what revokes each. */
export function describeAttackerIdentities(identities: readonly AttackerIdentity[], podIdentity: string, cover: AccountCover = { accountRevoked: false, deletedPod: null }): string[] {
  const lines: string[] = [];
  const survivors = mintedSurvivors(identities, podIdentity, cover);
  if (survivors.length > 0) {
    lines.push(
      `!! The audit log shows ${survivors.length} token(s) minted for ${podIdentity} itself that this plan does not revoke (a token not bound to the deleted pod outlives it while the account's uid stays):`,
      ...mintedLines(survivors, '  '),
      `  Revoke them by rotating the account: kustody revoke --service-account ${accountOf(podIdentity)} --rotate-sa (then restart the other pods running as it).`,
    );
  }
  const others = otherIdentities(identities, podIdentity);
  if (others.length === 0) return lines;
  return [
    ...lines,
    `The audit log shows the attacker also held ${others.length} other identit${others.length === 1 ? 'y' : 'ies'}; this plan does not revoke them:`,
    ...others.flatMap((i) => [
      `  ${i.username}: ${i.how}${i.how.startsWith('ServiceAccount created') ? ' (kustody audit sweep --yes removes it, and every token of it dies)' : i.how.startsWith('a token minted') ? ` (rotate that ServiceAccount: kustody revoke --service-account ${accountOf(i.username)} --rotate-sa)` : ''}`,
      ...mintedLines(i.minted, '    '),
    ]),
  ];
}

/** `NS/NAME` of a ServiceAccount's username (`system:serviceaccount:NS:NAME`). */
function accountOf(username: string): string {
  const [, , namespace = '?', name = '?'] = username.split(':');
  return `${namespace}/${name}`;
}

/** At most this many minted tokens are listed per identity (an attacker can mint thousands to flood the report). */
const MAX_MINTED_LINES = 20;

function mintedLines(minted: readonly MintedToken[], indent: string): string[] {
  const shown = minted.slice(0, MAX_MINTED_LINES).map((m) => `${indent}${mintedText(m)}`);
  return minted.length > MAX_MINTED_LINES ? [...shown, `${indent}… and ${minted.length - MAX_MINTED_LINES} more token(s) minted for this account (kustody audit who lists every request)`] : shown;
}

function mintedText(m: MintedToken): string {
  const binding = m.boundTo === undefined ? 'what it is bound to is not in the log (no request body kept)' : m.boundTo === null ? 'bound to the account only' : `bound to ${m.boundTo}`;
  return `token ${m.credentialId ?? '(credential id not in the log)'} minted by ${m.by} at ${m.at}, ${binding}`;
}
