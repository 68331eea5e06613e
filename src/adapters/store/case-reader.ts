/** Reads a case back: its metadata, its custody log and per-table counts. */
import type { StoredActionRow } from '../../core/custody/chain.js';
import type { JsonValue } from '../../core/custody/canonical-json.js';
import { UnreadableInputError } from '../../core/errors.js';
import { countRows, type EVIDENCE_TABLES } from './case-store.js';
import type { ReadableDb } from './open-store.js';

/** The `cases` row. */
export interface CaseMetadata {
  id: string;
  title: string;
  created_at: string;
  tool_name: string;
  tool_version: string;
  sqlite_version: string;
  host: string;
  os_user: string;
  clock_note: string;
}

/** Everything `case show` prints. */
export interface CaseSummary {
  case: CaseMetadata;
  schemaVersion: number;
  counts: Record<(typeof EVIDENCE_TABLES)[number], number>;
  actions: StoredActionRow[];
}

/** Reads the single `cases` row; a database without one is not a usable case. */
export function readCaseMetadata(db: ReadableDb): CaseMetadata {
  const row = db.prepare('SELECT id, title, created_at, tool_name, tool_version, sqlite_version, host, os_user, clock_note FROM cases').all() as CaseMetadata[];
  const first = row[0];
  if (row.length !== 1 || first === undefined) {
    throw new UnreadableInputError('CASE_CORRUPT', `The case database holds ${row.length} case records instead of one.`, 'Keep the file for examination and open a new case.');
  }
  return first;
}

/** Iterates the custody log in seq order without loading it all at once. */
export function* iterateActions(db: ReadableDb): Generator<StoredActionRow> {
  const statement = db.prepare('SELECT seq, at, actor, kind, target, detail, outcome, prev_hash, hash FROM actions ORDER BY seq');
  for (const raw of statement.iterate() as Iterable<Record<string, unknown>>) {
    yield {
      seq: Number(raw.seq),
      at: String(raw.at),
      actor: String(raw.actor),
      kind: String(raw.kind),
      target: String(raw.target),
      detail: parseDetail(raw.detail),
      outcome: String(raw.outcome),
      prev_hash: String(raw.prev_hash),
      hash: String(raw.hash),
    };
  }
}

/** The whole summary of a case, for `case show`. */
export function readCaseSummary(db: ReadableDb): CaseSummary {
  return {
    case: readCaseMetadata(db),
    schemaVersion: Number(db.pragma('user_version', { simple: true })),
    counts: countRows(db) as CaseSummary['counts'],
    actions: [...iterateActions(db)],
  };
}

function parseDetail(value: unknown): JsonValue {
  try {
    return JSON.parse(String(value)) as JsonValue;
  } catch {
    // Kept as text so the chain check reports the row instead of crashing on it.
    return { unparseable_detail: String(value) };
  }
}

/** The ServiceAccount name of the newest captured copy of pod `namespace/name` in this case, if any (used once the pod is gone). */
export function capturedServiceAccountName(db: ReadableDb, namespace: string, name: string): string | undefined {
  const row = db.prepare("SELECT json FROM k8s_objects WHERE kind = 'Pod' AND namespace = ? AND name = ? ORDER BY rowid DESC LIMIT 1").get(namespace, name) as { json?: unknown } | undefined;
  if (typeof row?.json !== 'string') return undefined;
  try {
    const pod = JSON.parse(row.json) as { spec?: { serviceAccountName?: unknown } };
    const sa = pod.spec?.serviceAccountName;
    // A Kubernetes name (DNS subdomain) or nothing: the captured JSON is evidence, not trusted input.
    return typeof sa === 'string' && /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(sa) ? sa : sa === undefined ? 'default' : undefined;
  } catch {
    return undefined;
  }
}
