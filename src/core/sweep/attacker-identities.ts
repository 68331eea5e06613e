/**
 * Every identity the audit log shows the attacker held: the ones the case started from, and each
 * ServiceAccount one of them created or minted a token for, transitively, with how it was obtained.
 * Revocation lists them all, not only the pod's own. Pure.
 */
import type { AuditWrite } from './types.js';

/** One identity and how the attacker came to hold it. */
export interface AttackerIdentity {
  username: string;
  how: string;
  /** Audit rows proving it (empty for the identities the case started from). */
  auditRowids: number[];
}

/** The identities reachable from `start` through created ServiceAccounts and minted tokens, in discovery order. */
export function attackerIdentities(start: readonly string[], writes: readonly AuditWrite[]): AttackerIdentity[] {
  const found = new Map<string, AttackerIdentity>(start.map((u) => [u, { username: u, how: 'the identity the case started from', auditRowids: [] }]));
  const queue = [...start];
  while (queue.length > 0) {
    const actor = queue.shift()!;
    for (const w of writes) {
      if (w.username !== actor || w.resource !== 'serviceaccounts' || w.verb !== 'create' || w.namespace === null || w.name === null) continue;
      if (w.responseCode === null || w.responseCode < 200 || w.responseCode >= 300) continue;
      if (w.subresource !== null && w.subresource !== 'token') continue;
      const username = `system:serviceaccount:${w.namespace}:${w.name}`;
      const known = found.get(username);
      if (known !== undefined) {
        if (!known.auditRowids.includes(w.rowid) && known.auditRowids.length > 0) known.auditRowids.push(w.rowid);
        continue;
      }
      found.set(username, { username, how: `${w.subresource === 'token' ? 'a token minted' : 'ServiceAccount created'} by ${actor} at ${w.at}`, auditRowids: [w.rowid] });
      queue.push(username);
    }
  }
  return [...found.values()];
}

/** Report lines for a revocation plan: every identity beyond the pod's own, and what revokes it. */
export function describeAttackerIdentities(identities: readonly AttackerIdentity[], podIdentity: string): string[] {
  const others = identities.filter((i) => i.username !== podIdentity);
  if (others.length === 0) return [];
  return [
    `The audit log shows the attacker also held ${others.length} other identit${others.length === 1 ? 'y' : 'ies'}; this plan does not revoke them:`,
    ...others.map((i) => `  ${i.username}: ${i.how}${i.how.startsWith('ServiceAccount created') ? ' (kustody audit sweep --yes removes it)' : i.how.startsWith('a token minted') ? ' (rotate that ServiceAccount: kustody revoke --rotate-sa on a pod using it)' : ''}`),
  ];
}
