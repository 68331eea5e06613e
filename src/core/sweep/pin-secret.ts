/**
 * Pins a Secret the audit log shows an identity of the case creating to the object that create made,
 * before the sweep deletes it. kustody never reads Secrets. The ingested audit log tells whether anyone
 * deleted the name after the identity's last create (then what holds the name now may be another's, a
 * team member's recreation, and it is kept and reported); a server-side dry-run delete tells the uid of
 * what holds it now, which the delete then takes as its precondition, so nothing swapped in between the
 * preview and the delete is removed. Pure.
 */
import { stampedAt } from './detect-persistence.js';
import type { AuditWrite, PersistenceItem } from './types.js';

/** What the dry-run delete told: the object's uid (and creation time, when the answer held it), that nothing holds the name, or why it could not tell. */
export type SecretProbe = { uid: string; createdAt: string | null } | { gone: true } | { error: string };

/** A completed, non-dry-run delete of the Secret's name in the ingested audit log, by anyone. */
export interface SecretDelete {
  username: string;
  at: string;
}

/** The item, pinned to its uid, kept from removal (gone, or deleted and so perhaps recreated since the identity's create), or unchanged with the reason the probe failed. */
export function pinAuditSecret(item: PersistenceItem, writes: readonly AuditWrite[], deletes: readonly SecretDelete[], probe: SecretProbe): PersistenceItem {
  if (item.kind !== 'Secret' || item.object !== null || !item.removable) return item;
  const reasons = item.reasons.filter((r) => !r.startsWith('kustody cannot read Secrets'));
  if ('gone' in probe) return { ...item, reasons: [...reasons, 'no longer in the cluster'], removable: false, keptBecause: 'already gone' };
  const creates = writes
    .filter((w) => w.resource === 'secrets' && w.subresource === null && w.verb === 'create' && w.namespace === item.namespace && w.name === item.name && w.responseCode !== null && w.responseCode >= 200 && w.responseCode < 300)
    .map((w) => w.at).sort();
  const lastCreate = creates.at(-1) ?? item.createdBy?.at ?? '';
  const deletedSince = deletes.filter((d) => d.at > lastCreate);
  const now = 'error' in probe ? 'the Secret now under this name' : `the Secret now under this name (uid ${probe.uid}${probe.createdAt === null ? '' : `, created ${probe.createdAt}`})`;
  const recreated = deletedSince.length > 0 || ('uid' in probe && probe.createdAt !== null && !creates.some((at) => stampedAt(at, probe.createdAt as string)));
  if (recreated) {
    const why = deletedSince.length > 0 ? `${deletedSince[0]?.username} deleted it at ${deletedSince[0]?.at}, after the identity created it at ${lastCreate}` : `it was created at ${'uid' in probe ? probe.createdAt : '?'}, not by the identity's create at ${creates.join(', ')}`;
    return {
      ...item, ...('uid' in probe ? { uid: probe.uid, createdAt: probe.createdAt } : {}), reasons: [...reasons, `${now} may not be the identity's: ${why}`],
      removable: false, keptBecause: 'deleted or recreated under the same name since the identity created it: review it (kubectl get secret -n NAMESPACE NAME) before removing it by hand',
    };
  }
  if ('error' in probe) return { ...item, reasons: [...item.reasons, `its uid could not be learned (${probe.error}): deleted by name`] };
  return { ...item, uid: probe.uid, createdAt: probe.createdAt, reasons: [...reasons, `${now} is deleted only if it still has that uid; never read`] };
}
