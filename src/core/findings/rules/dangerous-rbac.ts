/** RBAC reach flagged dangerous by the identity inventory (`observe` identities rows), and whether revocation took it away. */
import { asArray, asObject, asString } from '../json-fields.js';
import { makeFinding } from '../make-finding.js';
import type { ActionFact, Finding, FindingRule, Severity } from '../types.js';

const CRITICAL = new Set(['wildcard', 'escalate', 'bind', 'impersonate', 'nodes-proxy']);

/** One finding per pod and dangerous kind, from the latest identities row of each pod. */
export const dangerousRbacRule: FindingRule = {
  id: 'dangerous-rbac',
  describes: 'RBAC rules in reach of the pod\'s ServiceAccount that allow reading Secrets, exec, creating workloads, escalation, binding, impersonation, nodes/proxy or minting tokens',
  derive(facts) {
    const latest = new Map<string, ActionFact>();
    const denied = new Map<string, ActionFact>();
    for (const a of facts.actions) {
      const step = asObject(a.detail).step;
      if (a.kind === 'observe' && step === 'identities' && a.outcome !== 'failed') latest.set(a.target, a);
      if (a.kind === 'revoke' && step === 'verify-rbac' && a.outcome === 'denied') denied.set(a.target, a);
    }
    const findings: Finding[] = [];
    for (const [target, row] of latest) {
      const rbac = asObject(asObject(row.detail).rbac);
      const subject = asString(asObject(asObject(row.detail).serviceAccount).user) ?? 'its ServiceAccount';
      const byKind = new Map<string, { label: string; grantedBy: Set<string> }>();
      for (const rule of asArray(rbac.effectiveRules)) {
        const r = asObject(rule);
        for (const danger of asArray(r.dangers)) {
          const d = asObject(danger);
          const kind = asString(d.kind);
          if (kind === null) continue;
          const entry = byKind.get(kind) ?? { label: asString(d.label) ?? kind, grantedBy: new Set<string>() };
          for (const g of asArray(r.grantedBy)) if (typeof g === 'string') entry.grantedBy.add(g);
          byKind.set(kind, entry);
        }
      }
      const revoked = [...denied.values()].find((d) => d.seq > row.seq && (d.target === target || d.target.endsWith(target.replace(/^pod:/, ''))));
      for (const [kind, entry] of byKind) {
        const severity: Severity = revoked !== undefined ? 'low' : CRITICAL.has(kind) ? 'critical' : 'high';
        const grants = [...entry.grantedBy];
        findings.push(makeFinding('dangerous-rbac', {
          key: `${target}|${kind}`,
          severity,
          mappingKey: kind,
          title: `${subject} can ${entry.label}`,
          detail: `Granted by ${grants.slice(0, 6).join(', ') || 'an unnamed binding'}${grants.length > 6 ? ` and ${grants.length - 6} more` : ''} (inventory of ${target} at ${row.at}).`
            + (revoked !== undefined ? ` Revocation was verified: the API server denied the probes (custody row ${revoked.seq}).` : ' Not revoked in this case: `kustody revoke --rbac`.'),
          evidence: [{ table: 'actions', rowid: row.seq }, ...(revoked !== undefined ? [{ table: 'actions', rowid: revoked.seq }] : [])],
          at: row.at,
        }));
      }
    }
    return findings;
  },
};
