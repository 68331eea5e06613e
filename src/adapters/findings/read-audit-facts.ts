/**
 * The audit facts the finding rules read, read-only and bounded: the case's identities in the audit
 * log (captured tokens, and what they minted or created), the requests those identities made (never
 * the whole log: a large cluster's log is millions of rows), and what the legitimate workload looked
 * like (its other credentials' addresses and agents, its pods' IPs). A case without an audit log reads as empty.
 */
import { ATTACKER_CTE } from '../../core/audit/attacker-sql.js';
import { tokenClaims } from '../../core/identities/captured-tokens.js';
import type { FactRow } from '../../core/findings/types.js';
import type { ReadableDb } from '../store/open-store.js';

/** The extra fact tables this reader fills (names the rules read). */
export const AUDIT_FACT_TABLES = { requests: 'audit_events', identities: 'audit_identities', workload: 'audit_workload' } as const;

/** How the cut of the requests is named when a case has more than the budget. */
export const AUDIT_REQUESTS_LIMITED = 'audit_events (requests by the case\'s identities)';

const REQUEST_COLUMNS = 'rowid AS rowid, audit_id, stage, stage_timestamp, verb, username, credential_id, pod_name, source_ips_json, user_agent, api_group, resource, subresource, namespace, name, response_code, decision';
const MAX_IDENTITIES = 1_000;
const MAX_WORKLOAD_ROWS = 10_000;

type Raw = Record<string, unknown>;

function toFact(raw: Raw): FactRow {
  const row: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(raw)) row[key] = typeof value === 'string' || typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : null;
  return row as FactRow;
}

function hasAuditTable(db: ReadableDb): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").get() !== undefined;
}

/** The audit fact tables, at most `max` request rows (in ingest order); `limited` names the cut when there were more. */
export function readAuditFacts(db: ReadableDb, max: number): { tables: Record<string, FactRow[]>; limited: { table: string; read: number }[] } {
  const empty = { tables: { [AUDIT_FACT_TABLES.requests]: [], [AUDIT_FACT_TABLES.identities]: [], [AUDIT_FACT_TABLES.workload]: [] }, limited: [] };
  if (!hasAuditTable(db)) return empty;
  const identities = (db.prepare(`${ATTACKER_CTE} SELECT MIN(audit_rowid) AS rowid, kind, value, MIN(how) AS how FROM attacker GROUP BY kind, value ORDER BY MIN(how), kind, value LIMIT ${MAX_IDENTITIES}`).all() as Raw[])
    .map((raw) => toFact({ ...raw, rowid: raw.rowid ?? 0 }));
  const credentials = identities.filter((i) => i.kind === 'credential').map((i) => String(i.value));
  const users = identities.filter((i) => i.kind === 'user').map((i) => String(i.value));
  if (identities.length === 0) return empty;
  const limit = Number.isFinite(max) ? Math.max(0, Math.floor(max)) + 1 : -1;
  const byRow = new Map<number, FactRow>();
  let cut = false;
  const inList = (n: number) => Array.from({ length: n }, () => '?').join(', ') || "''";
  for (const [column, values] of [['credential_id', credentials], ['username', users]] as const) {
    if (values.length === 0) continue;
    const rows = db.prepare(`SELECT ${REQUEST_COLUMNS} FROM audit_events WHERE ${column} IN (${inList(values.length)}) ORDER BY rowid LIMIT ${limit}`).all(...values) as Raw[];
    if (limit > 0 && rows.length >= limit) cut = true;
    for (const raw of rows) byRow.set(Number(raw.rowid), toFact(raw));
  }
  let requests = [...byRow.values()].sort((a, b) => a.rowid - b.rowid);
  if (Number.isFinite(max) && requests.length > max) {
    requests = requests.slice(0, max);
    cut = true;
  }
  const limited = cut ? [{ table: AUDIT_REQUESTS_LIMITED, read: requests.length }] : [];
  return { tables: { [AUDIT_FACT_TABLES.requests]: requests, [AUDIT_FACT_TABLES.identities]: identities, [AUDIT_FACT_TABLES.workload]: readWorkload(db, credentials, users) }, limited };
}

/**
 * The legitimate workload of each captured token's ServiceAccount: its requests with credentials the
 * case does not hold, one row per (username, addresses, agent), and its captured pods' IPs.
 */
function readWorkload(db: ReadableDb, credentials: readonly string[], users: readonly string[]): FactRow[] {
  if (credentials.length === 0) return [];
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ') || "''";
  const usernames = (db.prepare(`SELECT DISTINCT username FROM audit_events WHERE credential_id IN (${marks(credentials.length)}) AND username IS NOT NULL LIMIT ${MAX_IDENTITIES}`).all(...credentials) as { username: string }[])
    .map((r) => r.username).filter((u) => !users.includes(u));
  const out: FactRow[] = [];
  if (usernames.length > 0) {
    const rows = db.prepare(`SELECT MIN(rowid) AS rowid, 'audit' AS kind, username, source_ips_json, user_agent, COUNT(*) AS requests FROM audit_events
      WHERE username IN (${marks(usernames.length)}) AND coalesce(credential_id, '') NOT IN (${marks(credentials.length)})
      GROUP BY username, source_ips_json, user_agent ORDER BY MIN(rowid) LIMIT ${MAX_WORKLOAD_ROWS}`).all(...usernames, ...credentials) as Raw[];
    out.push(...rows.map(toFact));
  }
  for (const pod of capturedTokenPods(db)) {
    for (const row of db.prepare("SELECT rowid AS rowid, json FROM k8s_objects WHERE kind = 'Pod' AND namespace = ? AND name = ? ORDER BY rowid LIMIT 100").all(pod.namespace, pod.name) as { rowid: number; json: string }[]) {
      const ips = podIps(row.json);
      if (ips.length > 0) out.push({ rowid: row.rowid, kind: 'pod', username: pod.username, source_ips_json: JSON.stringify(ips), user_agent: null, requests: 0 });
    }
  }
  return out;
}

/** The pods the captured tokens are bound to, with the token's subject. */
function capturedTokenPods(db: ReadableDb): { namespace: string; name: string; username: string }[] {
  const found = new Map<string, { namespace: string; name: string; username: string }>();
  for (const row of db.prepare('SELECT claims_json FROM credentials WHERE claims_json IS NOT NULL LIMIT 10000').iterate() as Iterable<{ claims_json: string }>) {
    const claims = tokenClaims(row.claims_json);
    if (claims?.namespace && claims.pod?.name && claims.serviceAccount?.name) {
      const username = `system:serviceaccount:${claims.namespace}:${claims.serviceAccount.name}`;
      found.set(`${claims.namespace}/${claims.pod.name}`, { namespace: claims.namespace, name: claims.pod.name, username });
    }
  }
  return [...found.values()].slice(0, 100);
}

function podIps(json: string): string[] {
  try {
    const status = (JSON.parse(json) as { status?: { podIP?: unknown; podIPs?: unknown } } | null)?.status;
    const ips = new Set<string>();
    if (typeof status?.podIP === 'string') ips.add(status.podIP);
    for (const entry of Array.isArray(status?.podIPs) ? status.podIPs : []) {
      const ip = (entry as { ip?: unknown } | null)?.ip;
      if (typeof ip === 'string') ips.add(ip);
    }
    return [...ips];
  } catch {
    return [];
  }
}
