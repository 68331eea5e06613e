/** Sockets listening for connections inside the workload: an unexpected one is a backdoor or a tool waiting for its operator. */
import { groupBy, makeFinding, refs, text } from '../make-finding.js';
import type { Finding, FindingRule } from '../types.js';

const RULE = 'listener';

/** One finding per (target, protocol, port) that listens, naming the processes that hold it. */
export const listenerRule: FindingRule = {
  id: RULE,
  describes: 'sockets listening in the captured workload (TCP LISTEN, bound UDP), with the processes holding them',
  derive(facts) {
    const listening = facts.connections.filter((c) => c.state === 'LISTEN' || (c.state === 'UNCONN' && String(c.proto).startsWith('udp') && Number(c.local_port) > 0));
    const comm = new Map<string, string>();
    for (const p of facts.processes) comm.set(`${text(p.capture_id)}|${text(p.pid)}`, text(p.comm));
    const findings: Finding[] = [];
    for (const [key, rows] of groupBy(listening, (c) => `${text(c.target)}|${text(c.proto)}|${text(c.local_port)}`)) {
      const first = rows[0]!;
      const port = Number(first.local_port);
      const holders = [...new Set(rows.filter((c) => c.pid !== null).map((c) => `${comm.get(`${text(c.capture_id)}|${text(c.pid)}`) ?? '?'} (pid ${text(c.pid)})`))];
      const anyAddress = ['0.0.0.0', '::', ''].includes(text(first.local_addr));
      findings.push(makeFinding(RULE, {
        key,
        severity: port === 22 || port === 2222 ? 'high' : anyAddress ? 'medium' : 'low',
        mappingKey: port === 22 || port === 2222 ? 'ssh' : undefined,
        title: `${text(first.proto)} port ${port} listening in ${text(first.target)}`,
        detail: `Bound to ${text(first.local_addr) || '*'}:${port}${anyAddress ? ' (every address)' : ''}; held by ${holders.length > 0 ? holders.slice(0, 10).join(', ') : 'no process seen'}. Compare with the ports the workload is meant to serve.`,
        evidence: refs('connections', rows),
      }));
    }
    return findings;
  },
};
