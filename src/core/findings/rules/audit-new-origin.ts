/**
 * A captured token used from where its workload never was: source addresses that are not its pods'
 * and that its ServiceAccount's other credentials never used, user agents the workload never sent.
 * The strongest sign in the audit log that the token left the pod. Pure.
 */
import { identityLabel, originJudge, requestLines, requestsByIdentity } from '../audit-requests.js';
import { makeFinding, text } from '../make-finding.js';
import type { Finding, FindingRule } from '../types.js';

function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const list = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return `${list.slice(0, 6).map(([v, n]) => `${v || '(none)'} ×${n}`).join(', ')}${list.length > 6 ? `, +${list.length - 6} more` : ''}`;
}

/** One finding per captured token with requests from a new address or user agent. */
export const auditNewOriginRule: FindingRule = {
  id: 'audit-new-origin',
  describes: 'captured tokens used from a source address or with a user agent the legitimate workload (its pods, its other tokens) never used, from the audit log',
  derive(facts) {
    const findings: Finding[] = [];
    for (const entry of requestsByIdentity(facts)) {
      if (entry.identity.how !== 'captured') continue;
      const judge = originJudge(facts, entry);
      const judged = entry.requests.map((row) => ({ row, ...judge(row) })).filter((j) => j.origin === 'new');
      if (judged.length === 0) continue;
      const ips = judged.flatMap((j) => (j.newIp === null ? [] : [j.newIp]));
      const agents = judged.flatMap((j) => (j.newAgent === null ? [] : [j.newAgent]));
      const what = [ips.length > 0 ? `from ${tally(ips)}` : '', agents.length > 0 ? `with user agent ${tally(agents)}` : ''].filter((s) => s !== '').join(' and ');
      findings.push(makeFinding('audit-new-origin', {
        key: entry.identity.value,
        severity: 'high',
        title: `${identityLabel(entry)} used from where its workload never was: ${judged.length} of ${entry.requests.length} request(s)`,
        detail: `Used ${what}; the workload's pods and its ServiceAccount's other tokens never did. Someone else holds this token: revoke it. Requests: ${requestLines(judged.map((j) => j.row))}.`,
        evidence: judged.map((j) => ({ table: 'audit_events', rowid: j.row.rowid })),
        at: text(judged[0]?.row.stage_timestamp) || null,
      }));
    }
    return findings;
  },
};
