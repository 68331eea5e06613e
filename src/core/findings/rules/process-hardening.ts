/** Processes holding dangerous Linux capabilities, and processes running without a seccomp filter. */
import { capabilityNames } from '../../evidence/parsers/capabilities.js';
import { groupBy, makeFinding, refs, text } from '../make-finding.js';
import type { FactRow, Finding, FindingRule } from '../types.js';

/** Capabilities that let a process break out of its container or take over the node. */
export const DANGEROUS_CAPABILITIES: readonly string[] = [
  'CAP_SYS_ADMIN', 'CAP_SYS_MODULE', 'CAP_SYS_PTRACE', 'CAP_SYS_RAWIO', 'CAP_DAC_READ_SEARCH', 'CAP_NET_ADMIN', 'CAP_BPF', 'CAP_SYS_BOOT',
];
const ESCAPE_CAPABILITIES = new Set(['CAP_SYS_ADMIN', 'CAP_SYS_MODULE', 'CAP_SYS_PTRACE', 'CAP_SYS_RAWIO', 'CAP_DAC_READ_SEARCH']);

function capabilities(row: FactRow, cache: Map<string, string[]>): string[] {
  const hex = text(row.cap_eff);
  let names = cache.get(hex);
  if (names === undefined) {
    names = /^[0-9a-fA-F]{1,16}$/.test(hex) ? capabilityNames(BigInt(`0x${hex}`)) : [];
    cache.set(hex, names);
  }
  return names;
}

function pidList(rows: readonly FactRow[]): string {
  const pids = rows.map((p) => `${text(p.comm)} (pid ${text(p.pid)})`);
  return pids.slice(0, 8).join(', ') + (pids.length > 8 ? ` and ${pids.length - 8} more` : '');
}

/** One finding per target and set of dangerous capabilities held. */
export const dangerousCapabilitiesRule: FindingRule = {
  id: 'dangerous-capabilities',
  describes: 'processes whose effective capabilities include ones that allow escaping the container (CAP_SYS_ADMIN, CAP_SYS_PTRACE, …)',
  derive(facts) {
    const cache = new Map<string, string[]>();
    const holders = facts.processes.map((p) => ({ p, caps: capabilities(p, cache).filter((c) => DANGEROUS_CAPABILITIES.includes(c)), all: capabilities(p, cache).length >= 40 }))
      .filter((h) => h.caps.length > 0);
    const findings: Finding[] = [];
    for (const [key, group] of groupBy(holders, (h) => `${text(h.p.target)}|${h.all ? 'all' : h.caps.join(',')}`)) {
      const first = group[0]!;
      const escape = first.caps.some((c) => ESCAPE_CAPABILITIES.has(c));
      findings.push(makeFinding('dangerous-capabilities', {
        key,
        severity: first.all || escape ? 'high' : 'medium',
        title: first.all ? `Processes with every capability (privileged) in ${text(first.p.target)}` : `Processes with ${first.caps.join(', ')} in ${text(first.p.target)}`,
        detail: `${pidList(group.map((h) => h.p))} hold ${first.all ? 'the full capability set, as a privileged container does' : first.caps.join(', ')} in their effective set.${escape ? ' These allow escaping to the node.' : ''}`,
        evidence: refs('processes', group.map((h) => h.p)),
      }));
    }
    return findings;
  },
};

/** One finding per target whose processes run with seccomp off. */
export const noSeccompRule: FindingRule = {
  id: 'no-seccomp',
  describes: 'processes running without any seccomp filter (Seccomp: 0), so every system call is open to an attacker',
  derive(facts) {
    const open = facts.processes.filter((p) => p.seccomp === 0);
    return [...groupBy(open, (p) => text(p.target))].map(([target, rows]) => makeFinding('no-seccomp', {
      key: target,
      severity: 'low',
      title: `${rows.length} process(es) without seccomp in ${target}`,
      detail: `${pidList(rows)} run with seccomp disabled. Kubernetes leaves it off unless the pod sets seccompProfile (RuntimeDefault).`,
      evidence: refs('processes', rows),
    }));
  },
};
