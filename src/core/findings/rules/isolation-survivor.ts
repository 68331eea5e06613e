/** Connections that were still open after kustody isolated the pod (custody rows with outcome `isolation-incomplete`). */
import { makeFinding } from '../make-finding.js';
import type { Finding, FindingRule } from '../types.js';

const RULE = 'isolation-survivor';

interface Survivor {
  proto?: unknown; local_addr?: unknown; local_port?: unknown; remote_addr?: unknown; remote_port?: unknown; state?: unknown; pids?: unknown; pid?: unknown;
}

function describe(c: Survivor): string {
  return `${String(c.proto ?? '?')} ${String(c.local_addr ?? '?')}:${String(c.local_port ?? '?')} → ${String(c.remote_addr ?? '?')}:${String(c.remote_port ?? '?')}`;
}

/** One finding per isolation check that saw connections survive; the latest check for a pod says whether it is still open. */
export const isolationSurvivorRule: FindingRule = {
  id: RULE,
  describes: 'connections still established after the pod was isolated (a NetworkPolicy does not cut open connections)',
  derive(facts) {
    const checks = facts.actions.filter((a) => a.kind === 'observe' && typeof a.detail === 'object' && a.detail !== null && !Array.isArray(a.detail) && a.detail.step === 'isolation-check');
    const latest = new Map<string, number>();
    for (const check of checks) latest.set(check.target, check.seq);
    const cuts = facts.actions.filter((a) => a.kind === 'contain' && a.outcome === 'cut');
    const findings: Finding[] = [];
    for (const check of checks) {
      if (check.outcome !== 'isolation-incomplete') continue;
      const detail = check.detail as { established?: unknown };
      const established = Array.isArray(detail.established) ? (detail.established as Survivor[]) : [];
      const superseded = latest.get(check.target) !== check.seq;
      const cutAfter = cuts.find((c) => c.seq > check.seq && c.target.endsWith(check.target.replace(/^pod:/, '')));
      const shown = established.slice(0, 10).map(describe).join('; ');
      findings.push(makeFinding(RULE, {
        key: `${check.target}|${check.seq}`,
        severity: superseded || cutAfter !== undefined ? 'medium' : 'critical',
        title: `${established.length} connection(s) survived isolation of ${check.target}`,
        detail: `After the NetworkPolicy was applied, ${established.length} connection(s) were still established: ${shown}${established.length > 10 ? ` and ${established.length - 10} more` : ''}. `
          + (cutAfter !== undefined ? `A later cut (custody row ${cutAfter.seq}) ended with outcome ${cutAfter.outcome}.`
            : superseded ? 'A later isolation check of the same pod superseded this one.' : 'No later check or cut is recorded: treat the pod as still connected (`kustody isolate --cut-connections`).'),
        evidence: [{ table: 'actions', rowid: check.seq }, ...(cutAfter !== undefined ? [{ table: 'actions', rowid: cutAfter.seq }] : [])],
        at: check.at,
      }));
    }
    return findings;
  },
};
