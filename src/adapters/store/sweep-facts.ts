/**
 * What a persistence sweep reads from the case: the identities it holds (captured tokens' subjects and
 * credential ids), the completed writes the ingested audit log attributes to them (none when the case
 * has no `audit_events` table), and the objects kustody itself created for the case.
 */
import { tokenClaims } from '../../core/identities/captured-tokens.js';
import type { AuditWrite } from '../../core/sweep/types.js';
import { RESOURCE_KINDS } from '../../core/sweep/detect-persistence.js';
import { iterateActions } from './case-reader.js';
import type { ReadableDb, WritableDb } from './open-store.js';

/** An identity to follow in the audit log: a user name, or an exact credential id (`JTI=…`). */
export interface CaseIdentities {
  usernames: string[];
  credentialIds: string[];
}

/** The identities of the tokens this case captured. */
export function capturedIdentities(db: ReadableDb | WritableDb): CaseIdentities {
  const usernames = new Set<string>();
  const credentialIds = new Set<string>();
  for (const row of db.prepare('SELECT claims_json FROM credentials').iterate() as Iterable<{ claims_json: string | null }>) {
    const claims = tokenClaims(row.claims_json);
    if (claims === null) continue;
    if (claims.namespace !== null && claims.serviceAccount?.name) usernames.add(`system:serviceaccount:${claims.namespace}:${claims.serviceAccount.name}`);
    if (claims.jti !== null) credentialIds.add(`JTI=${claims.jti}`);
  }
  return { usernames: [...usernames], credentialIds: [...credentialIds] };
}

/** Whether the case holds an ingested audit log. */
export function hasAuditEvents(db: ReadableDb | WritableDb): boolean {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").get();
  return table !== undefined && db.prepare('SELECT 1 FROM audit_events LIMIT 1').get() !== undefined;
}

/**
 * The completed create/update/patch requests of the identities, following every ServiceAccount they
 * created (its username) and every token they minted (its credential id, when the TokenRequest's event
 * names it: a token minted for a kube-system controller must not make the controller's own writes the
 * attacker's; else the ServiceAccount's username) until no new one appears.
 */
export function auditWritesOf(db: ReadableDb | WritableDb, identities: CaseIdentities, since: string): { writes: AuditWrite[]; usernames: string[]; credentialIds: string[] } {
  if (!hasAuditEvents(db)) return { writes: [], usernames: identities.usernames, credentialIds: identities.credentialIds };
  const resources = Object.keys(RESOURCE_KINDS);
  const users = new Set(identities.usernames);
  const credentials = new Set(identities.credentialIds);
  const byRow = new Map<number, AuditWrite>();
  for (let round = 0; round < 8; round += 1) {
    const names = [...users];
    const ids = [...credentials];
    const rows = db.prepare(`SELECT rowid, verb, resource, subresource, namespace, name, username, stage_timestamp, object_uid, response_code, issued_credential_id, kept_json FROM audit_events
      WHERE stage = 'ResponseComplete' AND verb IN ('create', 'update', 'patch') AND stage_timestamp >= ?
      AND resource IN (${resources.map(() => '?').join(', ')})
      AND (username IN (${names.map(() => '?').join(', ') || "''"}) OR credential_id IN (${ids.map(() => '?').join(', ') || "''"}))`)
      .all(since, ...resources, ...names, ...ids) as Array<Record<string, unknown>>;
    for (const r of rows) {
      const code = r.response_code === null || r.response_code === undefined ? null : Number(r.response_code);
      byRow.set(Number(r.rowid), {
        rowid: Number(r.rowid), verb: String(r.verb), resource: String(r.resource), subresource: text(r.subresource), namespace: text(r.namespace), name: text(r.name), username: String(r.username ?? ''),
        at: String(r.stage_timestamp), objectUid: text(r.object_uid), responseCode: code, issuedCredentialId: text(r.issued_credential_id),
        ...(r.subresource === 'token' ? { boundTo: boundObject(r.kept_json) } : {}),
      });
    }
    const before = users.size + credentials.size;
    for (const w of byRow.values()) {
      if (w.resource !== 'serviceaccounts' || w.verb !== 'create' || w.namespace === null || w.name === null || w.responseCode === null || w.responseCode < 200 || w.responseCode >= 300) continue;
      if (w.subresource === 'token' && typeof w.issuedCredentialId === 'string') credentials.add(w.issuedCredentialId);
      else if (w.subresource === null || w.subresource === 'token') users.add(`system:serviceaccount:${w.namespace}:${w.name}`);
    }
    if (users.size + credentials.size === before) break;
  }
  return { writes: [...byRow.values()].sort((a, b) => a.rowid - b.rowid), usernames: [...users], credentialIds: [...credentials] };
}

/** Uids of the objects this case's own plans created (isolation policies, guards, collector pods, a rotated ServiceAccount). */
export function caseOwnUids(db: ReadableDb | WritableDb): string[] {
  const uids: string[] = [];
  for (const row of iterateActions(db)) {
    const detail = row.detail as { plan?: string; change?: { action?: string }; after?: { metadata?: { uid?: unknown } } } | null;
    if (row.outcome !== 'applied' || detail?.change?.action !== 'create' || detail.plan === 'restore') continue;
    const uid = detail.after?.metadata?.uid;
    if (typeof uid === 'string') uids.push(uid);
  }
  return uids;
}

/** The object a TokenRequest's kept body binds the token to (`Pod NAME`), null when it names none, undefined when no body was kept (a Metadata-level policy). */
function boundObject(kept: unknown): string | null | undefined {
  try {
    const body = JSON.parse(typeof kept === 'string' ? kept : 'null') as { boundObjectRef?: { kind?: unknown; name?: unknown } | null } | null;
    if (body === null || typeof body !== 'object') return undefined;
    const bound = body.boundObjectRef;
    if (bound === null || bound === undefined) return null;
    return typeof bound.kind === 'string' && typeof bound.name === 'string' ? `${bound.kind} ${bound.name}` : undefined;
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** How many ingested audit events carry each credential id (`JTI=…`); 0 when the case has no audit log. */
export function auditEventsWithCredential(db: ReadableDb | WritableDb, credentialIds: readonly string[]): Map<string, number> {
  const counts = new Map(credentialIds.map((id) => [id, 0]));
  if (!hasAuditEvents(db)) return counts;
  const count = db.prepare('SELECT COUNT(*) AS n FROM audit_events WHERE credential_id = ?');
  for (const id of credentialIds) counts.set(id, Number((count.get(id) as { n: number }).n));
  return counts;
}

/** Completed deletes of Secret `namespace/name` by anyone (one by name, or of every Secret in its namespace), from the ingested audit log (dry runs left out), in time order. */
export function secretDeletes(db: ReadableDb | WritableDb, namespace: string, name: string): { username: string; at: string }[] {
  if (!hasAuditEvents(db)) return [];
  return db.prepare(`SELECT username, stage_timestamp AS at FROM audit_events WHERE stage = 'ResponseComplete' AND resource = 'secrets' AND (subresource IS NULL OR subresource = '')
    AND namespace = ? AND ((verb = 'delete' AND name = ?) OR (verb = 'deletecollection' AND name IS NULL))
    AND response_code BETWEEN 200 AND 299 AND coalesce(request_uri, '') NOT LIKE '%dryRun=%' ORDER BY stage_timestamp`)
    .all(namespace, name)
    .map((r) => ({ username: String((r as { username: unknown }).username ?? ''), at: String((r as { at: unknown }).at) }));
}
