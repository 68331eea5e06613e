/**
 * A sweep removes only what the audit log shows an identity of the case creating, unless the responder
 * asks for more (`audit sweep --include-unattributed`): a scan alone cannot tell a planted CronJob from a
 * team's deployment of the same hour, and an object the attacker only changed may be the team's. What
 * is not attributed stays in the case, reported for review, with what removes it. Pure.
 */
import type { PersistenceItem } from './types.js';

/** The items with every removable one whose creation the audit log does not attribute turned into a reported one, saying why and what removes it. */
export function removeAttributedOnly(items: readonly PersistenceItem[], auditUsed: boolean): PersistenceItem[] {
  return items.map((item) => {
    if (!item.removable || item.createdBy !== null) return item;
    const keptBecause = !auditUsed
      ? 'created in the window, but no audit log is in the case to tie it to the attacker: review it, then remove it with kustody audit sweep --include-unattributed --yes'
      : item.source === 'scan'
        ? 'created in the window, but the audit log does not tie it to an identity of this case: review it, then remove it with kustody audit sweep --include-unattributed --yes'
        : 'created in the window by someone else; an identity of this case only changed it: review it, then remove it with kustody audit sweep --include-unattributed --yes';
    return { ...item, removable: false, keptBecause };
  });
}

/** One line saying whether an item is attributed and by which audit rows (for previews). */
export function attributionLine(item: PersistenceItem): string {
  if (item.createdBy !== null) return `attributed: created by ${item.createdBy.username} at ${item.createdBy.at} (audit_events rows ${item.createdBy.auditRowids.join(', ')})`;
  if (item.auditRowids.length > 0) return `not attributed: only changed by an identity of this case (audit_events rows ${item.auditRowids.join(', ')})`;
  return 'not attributed: found by creation time only (no audit event of this case\'s identities)';
}
