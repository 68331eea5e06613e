/** Reads what `kustody audit who` needs from a case, read-only: captured token identities and the audit rows of one identity. */
import { MINT_WINDOW_MS, type WhoIdentity, type WhoInput, type WhoRow } from '../../core/audit/who.js';
import { ATTACKER_CTE } from '../../core/audit/attacker-sql.js';
import { hasAuditTable } from './audit-store.js';
import type { ReadableDb } from './open-store.js';

const COLUMNS = 'rowid, audit_id, stage, stage_timestamp, verb, request_uri, username, credential_id, source_ips_json, user_agent, api_group, resource, subresource, namespace, name, response_code, decision, issued_credential_id, kept_json, source_file, line';
const MAX_ROWS = 200_000;

type Json = Record<string, unknown>;
const record = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Every token identity the case's captures stored (credentials with decoded JWT claims), once per jti (or subject and pod when it has none), then each token or ServiceAccount the audit log shows them minting or creating. */
export function readCapturedIdentities(db: ReadableDb): WhoIdentity[] {
  const rows = db.prepare('SELECT kind, location, target, subject, claims_json FROM credentials WHERE claims_json IS NOT NULL ORDER BY rowid').iterate() as Iterable<{ kind: string; location: string; target: string; subject: string | null; claims_json: string }>;
  const seen = new Map<string, WhoIdentity>();
  for (const row of rows) {
    let jwt: Json | undefined;
    try {
      jwt = record(record(JSON.parse(row.claims_json))?.jwt);
    } catch {
      continue;
    }
    if (jwt === undefined) continue;
    const binding = record(jwt['kubernetes.io']);
    const namespace = text(binding?.namespace);
    const podName = text(record(binding?.pod)?.name);
    const sub = text(jwt.sub) ?? row.subject;
    const pod = namespace !== null && podName !== null ? { namespace, name: podName } : null;
    const jti = text(jwt.jti);
    const key = jti ?? `${sub ?? '?'}|${pod?.namespace ?? ''}/${pod?.name ?? ''}`;
    if (seen.has(key)) continue;
    seen.set(key, { label: `${row.kind} of ${sub ?? '?'} (captured at ${row.location} in ${row.target})`, jti, username: sub, pod, ip: null, issuedAt: epoch(jwt.iat), expiresAt: epoch(jwt.exp) });
  }
  return [...seen.values(), ...attackerMadeIdentities(db, new Set(seen.keys()))];
}

/** The tokens the audit log shows the case's identities minting and the ServiceAccounts it shows them creating, transitively (the rows that show it named). */
function attackerMadeIdentities(db: ReadableDb, captured: ReadonlySet<string>): WhoIdentity[] {
  if (!hasAuditTable(db)) return [];
  const rows = db.prepare(`${ATTACKER_CTE} SELECT a.kind AS kind, a.value AS value, MIN(a.audit_rowid) AS rowid, e.namespace AS namespace, e.name AS name, e.stage_timestamp AS at
    FROM attacker a JOIN audit_events e ON e.rowid = a.audit_rowid WHERE a.how <> 'captured' GROUP BY a.kind, a.value ORDER BY MIN(a.audit_rowid) LIMIT 1000`).all() as { kind: string; value: string; rowid: number; namespace: string | null; name: string | null; at: string | null }[];
  const base = { pod: null, ip: null, issuedAt: null, expiresAt: null };
  return rows.flatMap((r): WhoIdentity[] => {
    const sa = r.namespace !== null && r.name !== null ? `system:serviceaccount:${r.namespace}:${r.name}` : null;
    if (r.kind === 'credential') {
      const jti = r.value.startsWith('JTI=') ? r.value.slice(4) : null;
      if (jti === null || captured.has(jti)) return [];
      return [{ ...base, label: `token of ${sa ?? '?'} the attacker minted (audit_events row ${r.rowid}, ${r.at ?? '?'})`, jti, username: sa, issuedAt: r.at }];
    }
    return [{ ...base, label: `ServiceAccount ${r.value} the attacker created (audit_events row ${r.rowid}, ${r.at ?? '?'})`, jti: null, username: r.value }];
  });
}

function epoch(value: unknown): string | null {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e11 ? new Date(value * 1000).toISOString() : null;
}

/** The rows of one identity (exact credential id when it has a jti, else username and pod, username or address), the workload's own rows and addresses, the minting TokenRequest and what the log covers. */
export function readWhoRows(db: ReadableDb, identity: WhoIdentity, since: string | null): Omit<WhoInput, 'identity' | 'now'> {
  const coverage = readCoverage(db);
  const none = { rows: [], baseline: [], workloadAddresses: [], minted: [], mintCandidates: [], coverage };
  if (!hasAuditTable(db)) return { match: identity.jti !== null ? 'credential-id' : 'username', ...none };
  const after = since ?? '';
  const select = (where: string, ...params: unknown[]) => db.prepare(`SELECT ${COLUMNS} FROM audit_events WHERE ${where} AND coalesce(stage_timestamp, '') >= ? ORDER BY stage_timestamp, rowid LIMIT ${MAX_ROWS}`).all(...params, after) as WhoRow[];
  const workloadAddresses = identity.pod === null ? [] : podAddresses(db, identity.pod);
  if (identity.jti !== null) {
    const id = `JTI=${identity.jti}`;
    const sa = serviceAccountOf(identity.username);
    const iat = identity.issuedAt === null ? NaN : Date.parse(identity.issuedAt);
    const window = Number.isFinite(iat) ? [new Date(iat - MINT_WINDOW_MS).toISOString(), new Date(iat + MINT_WINDOW_MS).toISOString()] : null;
    const minted = db.prepare(`SELECT ${COLUMNS} FROM audit_events WHERE issued_credential_id = ?`).all(id) as WhoRow[];
    const mintCandidates = minted.length > 0 || sa === null || window === null ? [] : db.prepare(`SELECT ${COLUMNS} FROM audit_events WHERE resource = 'serviceaccounts' AND subresource = 'token' AND verb = 'create' AND namespace = ? AND name = ? AND stage_timestamp BETWEEN ? AND ?`).all(sa.namespace, sa.name, window[0], window[1]) as WhoRow[];
    return {
      match: 'credential-id', rows: select('credential_id = ?', id),
      baseline: identity.username === null ? [] : select("username = ? AND coalesce(credential_id, '') <> ?", identity.username, id),
      workloadAddresses, minted, mintCandidates, coverage,
    };
  }
  if (identity.pod !== null && identity.username !== null) {
    return { ...none, match: 'username+pod', rows: select('username = ? AND pod_name = ?', identity.username, identity.pod.name), baseline: select("username = ? AND coalesce(pod_name, '') <> ?", identity.username, identity.pod.name), workloadAddresses };
  }
  if (identity.pod !== null) return { ...none, match: 'username+pod', rows: select('sa_namespace = ? AND pod_name = ?', identity.pod.namespace, identity.pod.name), workloadAddresses };
  if (identity.username !== null) return { ...none, match: 'username', rows: select('username = ?', identity.username) };
  return { ...none, match: 'source-ip', rows: select('source_ips_json LIKE ?', `%${JSON.stringify(identity.ip ?? '')}%`) };
}

function serviceAccountOf(username: string | null): { namespace: string; name: string } | null {
  const parts = username?.startsWith('system:serviceaccount:') === true ? username.split(':') : [];
  return parts.length === 4 && parts[2] && parts[3] ? { namespace: parts[2], name: parts[3] } : null;
}

/** The pod IPs the case's captured Pod objects give for this pod. */
function podAddresses(db: ReadableDb, pod: { namespace: string; name: string }): string[] {
  const out = new Set<string>();
  for (const row of db.prepare("SELECT json FROM k8s_objects WHERE kind = 'Pod' AND namespace = ? AND name = ?").iterate(pod.namespace, pod.name) as Iterable<{ json: string }>) {
    try {
      const status = record(record(JSON.parse(row.json))?.status);
      const ip = text(status?.podIP);
      if (ip !== null) out.add(ip);
      for (const entry of Array.isArray(status?.podIPs) ? status.podIPs : []) {
        const more = text(record(entry)?.ip);
        if (more !== null) out.add(more);
      }
    } catch {
      continue;
    }
  }
  return [...out];
}

/** The time span and files the ingested log covers, from the custody rows `audit ingest` wrote per file (no scan of the events). */
function readCoverage(db: ReadableDb): WhoInput['coverage'] {
  const files = new Set<string>();
  let first: string | null = null;
  let last: string | null = null;
  for (const row of db.prepare("SELECT detail FROM actions WHERE kind = 'observe' AND target LIKE 'audit-log:%' AND detail LIKE '%\"step\":\"audit-ingest-file\"%'").iterate() as Iterable<{ detail: string }>) {
    let detail: Json | undefined;
    try {
      detail = record(JSON.parse(row.detail));
    } catch {
      continue;
    }
    const file = text(detail?.source_file);
    if (file !== null) files.add(file);
    const from = text(detail?.first_at);
    const to = text(detail?.last_at);
    if (from !== null && (first === null || from < first)) first = from;
    if (to !== null && (last === null || to > last)) last = to;
  }
  return { first, last, files: files.size };
}
