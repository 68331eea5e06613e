/**
 * The audit facts as the audit rules read them: each of the case's identities (a captured token, or
 * one the audit log shows the attacker minted or created) with its requests, one per request (the
 * most complete stage), in time order. Pure.
 */
import { text } from './make-finding.js';
import type { CaseFacts, FactRow } from './types.js';

/** One of the case's identities in the audit log. */
export interface CaseAuditIdentity {
  /** `JTI=…` for a token, the username otherwise. */
  readonly value: string;
  readonly kind: 'credential' | 'user';
  readonly how: 'captured' | 'minted' | 'created';
  /** The audit row that showed the attacker minting or creating it (null when captured). */
  readonly shownBy: number | null;
}

/** An identity and its requests. */
export interface IdentityRequests {
  readonly identity: CaseAuditIdentity;
  /** The username its requests were made as (the first seen), if any. */
  readonly username: string | null;
  readonly requests: readonly FactRow[];
}

const STAGE_RANK: Readonly<Record<string, number>> = { Panic: 4, ResponseComplete: 3, ResponseStarted: 2, RequestReceived: 1 };

/** The case's identities with their requests (identities with none left out). */
export function requestsByIdentity(facts: CaseFacts): IdentityRequests[] {
  const identities = (facts.extra.audit_identities ?? []).map(toIdentity).filter((i): i is CaseAuditIdentity => i !== null);
  const credentials = new Map(identities.filter((i) => i.kind === 'credential').map((i) => [i.value, i]));
  const users = new Map(identities.filter((i) => i.kind === 'user').map((i) => [i.value, i]));
  const best = new Map<string, { row: FactRow; identity: CaseAuditIdentity }>();
  for (const row of facts.extra.audit_events ?? []) {
    const identity = credentials.get(text(row.credential_id)) ?? users.get(text(row.username));
    if (identity === undefined) continue;
    const key = row.audit_id === null ? `row:${row.rowid}` : `id:${text(row.audit_id)}`;
    const held = best.get(key);
    if (held === undefined || (STAGE_RANK[text(row.stage)] ?? 0) > (STAGE_RANK[text(held.row.stage)] ?? 0)) best.set(key, { row, identity });
  }
  const grouped = new Map<string, FactRow[]>();
  for (const { row, identity } of best.values()) {
    const list = grouped.get(identity.value) ?? [];
    list.push(row);
    grouped.set(identity.value, list);
  }
  return identities.flatMap((identity) => {
    const requests = (grouped.get(identity.value) ?? []).sort((a, b) => text(a.stage_timestamp).localeCompare(text(b.stage_timestamp)) || a.rowid - b.rowid);
    if (requests.length === 0) return [];
    const username = requests.map((r) => text(r.username)).find((u) => u !== '') ?? null;
    return [{ identity, username, requests }];
  });
}

function toIdentity(row: FactRow): CaseAuditIdentity | null {
  const kind = row.kind === 'credential' || row.kind === 'user' ? row.kind : null;
  const how = row.how === 'captured' || row.how === 'minted' || row.how === 'created' ? row.how : null;
  if (kind === null || how === null || typeof row.value !== 'string' || row.value === '') return null;
  return { value: row.value, kind, how, shownBy: how === 'captured' || row.rowid <= 0 ? null : row.rowid };
}

/** Names the identity for a title: whose it is and how the case holds it. */
export function identityLabel(entry: IdentityRequests): string {
  const { identity, username } = entry;
  if (identity.kind === 'user') return `${identity.value} (${identity.how === 'created' ? 'a ServiceAccount the attacker created' : 'captured token'})`;
  return `${username ?? '?'} (${identity.how === 'minted' ? 'token the attacker minted' : 'captured token'} ${identity.value})`;
}

/** Whether the request was refused (authentication or authorization). */
export function wasDenied(row: FactRow): boolean {
  return row.response_code === 401 || row.response_code === 403 || row.decision === 'forbid';
}

/** Whether the request succeeded (a 2xx, or 101 for an upgraded exec/attach/port-forward stream). */
export function succeeded(row: FactRow): boolean {
  const code = typeof row.response_code === 'number' ? row.response_code : null;
  return code !== null && ((code >= 200 && code < 300) || code === 101);
}

/** The first source address of a request, or '?'. */
export function sourceIp(row: FactRow): string {
  return sourceIps(row)[0] ?? '?';
}

/** Every source address of a request (the audit's sourceIPs list). */
export function sourceIps(row: FactRow): string[] {
  try {
    const parsed = JSON.parse(text(row.source_ips_json) || '[]') as unknown;
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string').slice(0, 64) : [];
  } catch {
    return [];
  }
}

/** The object a request was about, e.g. `pods/exec shop/web-1` or `secrets in shop`. */
export function requestObject(row: FactRow): string {
  const group = text(row.api_group);
  const resource = `${text(row.resource) || '?'}${group === '' ? '' : `.${group}`}${text(row.subresource) === '' ? '' : `/${text(row.subresource)}`}`;
  const ns = text(row.namespace);
  const name = text(row.name);
  return name !== '' ? `${resource} ${ns === '' ? '' : `${ns}/`}${name}` : ns !== '' ? `${resource} in ${ns}` : resource;
}

/** One request as a line of a finding's detail. */
export function requestLine(row: FactRow): string {
  return `${text(row.stage_timestamp) || '?'} ${text(row.verb) || '?'} ${requestObject(row)} → ${text(row.response_code) || '?'} from ${sourceIp(row)} (${text(row.user_agent) || 'no user agent'})`;
}

/** Up to `max` request lines, then how many more. */
export function requestLines(rows: readonly FactRow[], max = 8): string {
  const shown = rows.slice(0, max).map(requestLine).join('; ');
  return rows.length > max ? `${shown}; and ${rows.length - max} more` : shown;
}

/** Whether a request came from where the legitimate workload never did: 'new', 'known', or 'unknown' (nothing to compare with). */
export type Origin = 'new' | 'known' | 'unknown';

/** Judges the origin of a captured token's requests against its ServiceAccount's other credentials and its pods' IPs (`audit_workload`). */
export function originJudge(facts: CaseFacts, entry: IdentityRequests): (row: FactRow) => { origin: Origin; newIp: string | null; newAgent: string | null } {
  const workload = (facts.extra.audit_workload ?? []).filter((w) => entry.username !== null && w.username === entry.username);
  const knownIps = new Set(workload.flatMap(sourceIps));
  const audited = workload.filter((w) => w.kind === 'audit');
  const knownAgents = new Set(audited.map((w) => text(w.user_agent)));
  if (entry.identity.how !== 'captured' || (knownIps.size === 0 && audited.length === 0)) return () => ({ origin: 'unknown', newIp: null, newAgent: null });
  return (row) => {
    const ip = sourceIp(row);
    const agent = text(row.user_agent);
    const newIp = knownIps.size > 0 && !knownIps.has(ip) ? ip : null;
    const newAgent = audited.length > 0 && !knownAgents.has(agent) ? agent : null;
    return { origin: newIp !== null || newAgent !== null ? 'new' : 'known', newIp, newAgent };
  };
}
