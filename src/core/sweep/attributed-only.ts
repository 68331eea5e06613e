/**
 * A playbook's sweep removes only what the audit log ties to the attacker's identities: a scan alone
 * cannot tell a planted CronJob from a team's deployment of the same hour, and a headless run with
 * --yes must never delete the latter. Scan-only items stay in the case, reported for review. Pure.
 */
import type { PersistenceItem } from './types.js';

/** The items with every removable one the audit log does not attribute turned into a reported one, saying why and what removes it. */
export function removeAttributedOnly(items: readonly PersistenceItem[], auditUsed: boolean): PersistenceItem[] {
  return items.map((item) => {
    if (!item.removable || item.source !== 'scan') return item;
    const keptBecause = auditUsed
      ? 'created in the window, but the audit log does not tie it to an identity of this case: review it, then remove it with kustody audit sweep --yes'
      : 'created in the window, but no audit log is in the case to tie it to the attacker: review it, then remove it with kustody audit sweep --yes';
    return { ...item, removable: false, keptBecause };
  });
}
