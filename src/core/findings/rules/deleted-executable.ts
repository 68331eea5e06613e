/** Processes whose executable was deleted from disk or lives only in memory (memfd): a classic way to run a dropped tool and leave no file. */
import { groupBy, makeFinding, refs, text } from '../make-finding.js';
import type { Finding, FindingRule } from '../types.js';

const RULE = 'deleted-executable';

/** Flags every (target, executable) whose process runs a deleted or memfd file. */
export const deletedExecutableRule: FindingRule = {
  id: RULE,
  describes: 'processes running an executable that was deleted from disk or exists only in memory (memfd)',
  derive(facts) {
    const suspicious = facts.processes.filter((p) => p.exe_deleted === 1 || text(p.exe).startsWith('/memfd:'));
    const findings: Finding[] = [];
    for (const [key, rows] of groupBy(suspicious, (p) => `${text(p.target)}|${text(p.exe)}`)) {
      const first = rows[0]!;
      const memfd = text(first.exe).startsWith('/memfd:');
      const pids = [...new Set(rows.map((p) => text(p.pid)))];
      const hash = text(first.exe_sha256);
      findings.push(makeFinding(RULE, {
        key,
        severity: 'high',
        mappingKey: memfd ? 'memfd' : undefined,
        title: memfd ? `In-memory (memfd) executable running in ${text(first.target)}` : `Deleted executable still running in ${text(first.target)}`,
        detail: `${text(first.comm)} (pid ${pids.slice(0, 10).join(', ')}${pids.length > 10 ? `, +${pids.length - 10}` : ''}) runs ${text(first.exe)}, which ${memfd ? 'has no file on disk' : 'was deleted after it started'}. `
          + (hash !== '' ? `Its bytes were hashed at capture: sha256 ${hash}.` : 'Its bytes could not be hashed.'),
        evidence: refs('processes', rows),
      }));
    }
    return findings;
  },
};
