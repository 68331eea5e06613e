/**
 * What the case's identities did, from the ingested audit log: Secrets read, exec/attach/port-forward,
 * RBAC changes, tokens minted, refused requests (probing). One finding per identity and kind of act,
 * each citing the audit rows. A captured token is also the workload's own: when every request of a
 * kind came from the workload's known addresses and agents, the finding is one level less urgent.
 */
import { identityLabel, originJudge, requestLines, requestObject, requestsByIdentity, succeeded, wasDenied, type IdentityRequests } from '../audit-requests.js';
import { makeFinding, text } from '../make-finding.js';
import type { FactRow, Finding, FindingRule, Severity } from '../types.js';

const LOWER: Readonly<Record<Severity, Severity>> = { critical: 'high', high: 'medium', medium: 'low', low: 'low', info: 'info' };
const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

interface AuditActSpec {
  readonly id: string;
  readonly describes: string;
  readonly severity: Severity;
  readonly matches: (row: FactRow) => boolean;
  /** What the identity did, after its label (e.g. `read or listed Secrets`). */
  readonly did: string;
}

function objects(rows: readonly FactRow[]): string {
  const names = [...new Set(rows.map(requestObject))];
  return `${names.slice(0, 4).join(', ')}${names.length > 4 ? `, +${names.length - 4} more` : ''}`;
}

function provenance(entry: IdentityRequests): string {
  const { identity } = entry;
  const matched = identity.kind === 'credential' ? `matched by exact credential id (${identity.value})` : `matched by username ${identity.value} (the token has no credential id: every request of that user counts)`;
  const shown = identity.shownBy === null ? '' : ` The audit log shows the attacker ${identity.how === 'minted' ? 'minting this token' : 'creating this ServiceAccount'} (audit_events row ${identity.shownBy}).`;
  return `Requests ${matched}.${shown}`;
}

/** A rule of one kind of act: one finding per identity that did it. */
function auditActRule(spec: AuditActSpec): FindingRule {
  return {
    id: spec.id,
    describes: spec.describes,
    derive(facts) {
      const findings: Finding[] = [];
      for (const entry of requestsByIdentity(facts)) {
        const rows = entry.requests.filter(spec.matches);
        if (rows.length === 0) continue;
        const judge = originJudge(facts, entry);
        const origins = rows.map((r) => judge(r).origin);
        const allKnown = origins.every((o) => o === 'known');
        const fromNew = origins.filter((o) => o === 'new').length;
        const origin = allKnown ? ' All came from the workload\'s own addresses and user agents (the workload uses the same token), so this may be its normal work.'
          : fromNew === 0 ? '' : fromNew === rows.length ? ` ${rows.length === 1 ? 'It' : 'All'} came from an address or user agent the workload never used.` : ` ${fromNew} of them came from an address or user agent the workload never used.`;
        findings.push(makeFinding(spec.id, {
          key: `${entry.identity.value}`,
          severity: allKnown ? LOWER[spec.severity] : spec.severity,
          title: `${identityLabel(entry)} ${spec.did}: ${objects(rows)}`,
          detail: `${rows.length} request(s): ${requestLines(rows)}.${origin} ${provenance(entry)}`,
          evidence: [...(entry.identity.shownBy === null ? [] : [entry.identity.shownBy]), ...rows.map((r) => r.rowid)].map((rowid) => ({ table: 'audit_events', rowid })),
          at: text(rows[0]?.stage_timestamp) || null,
        }));
      }
      return findings;
    },
  };
}

/** Secrets read or listed (successfully) by a case identity. */
export const auditSecretsReadRule = auditActRule({
  id: 'audit-secrets-read', severity: 'high', did: 'read or listed Secrets',
  describes: 'Secrets a captured token (or one the attacker minted or created) read, listed or watched, from the audit log',
  matches: (r) => r.resource === 'secrets' && text(r.subresource) === '' && ['get', 'list', 'watch'].includes(text(r.verb)) && succeeded(r),
});

/** exec, attach or port-forward into pods. */
export const auditExecRule = auditActRule({
  id: 'audit-exec', severity: 'high', did: 'opened exec, attach or port-forward into pods',
  describes: 'exec, attach and port-forward requests of the case\'s identities into pods, from the audit log',
  matches: (r) => r.resource === 'pods' && ['exec', 'attach', 'portforward'].includes(text(r.subresource)) && !wasDenied(r) && (succeeded(r) || r.response_code === null),
});

/** Roles and bindings created, changed or deleted. */
export const auditRbacChangeRule = auditActRule({
  id: 'audit-rbac-change', severity: 'critical', did: 'changed RBAC',
  describes: 'Roles, ClusterRoles and (Cluster)RoleBindings the case\'s identities created, changed or deleted, from the audit log',
  matches: (r) => r.api_group === 'rbac.authorization.k8s.io' && MUTATING.has(text(r.verb)) && succeeded(r),
});

/** Tokens minted with TokenRequest. */
export const auditTokenMintedRule = auditActRule({
  id: 'audit-token-minted', severity: 'high', did: 'minted ServiceAccount tokens',
  describes: 'ServiceAccount tokens the case\'s identities minted (TokenRequest), from the audit log: each is a new credential to revoke',
  matches: (r) => r.resource === 'serviceaccounts' && r.subresource === 'token' && r.verb === 'create' && succeeded(r),
});

/** Requests the API server refused. */
export const auditDeniedRule = auditActRule({
  id: 'audit-denied', severity: 'medium', did: 'was refused requests (probing what it may do)',
  describes: 'requests of the case\'s identities the API server refused (401/403): probing for permissions, from the audit log',
  matches: wasDenied,
});
