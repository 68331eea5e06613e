/**
 * Reads the facts the finding rules derive from, read-only, in one pass per table. Only the columns
 * the rules use are read (no environments, no artifact content), so a case of 100,000 rows fits
 * comfortably in memory. Tables a case predates read as empty.
 */
import { FINDING_ACTION_KINDS, type ActionFact, type CaseFacts, type FactRow } from '../../core/findings/types.js';
import type { JsonValue } from '../../core/custody/canonical-json.js';
import type { ReadableDb } from '../store/open-store.js';

/** Optional tables other modules add to a case (one line each): read whole, as empty when absent. */
export const EXTRA_FACT_TABLES: readonly string[] = [
  'audit_events',
];

const COLUMNS: Readonly<Record<string, readonly string[]>> = {
  captures: ['capture_id', 'target', 'vantage', 'started_at', 'finished_at', 'status', 'detail'],
  processes: ['capture_id', 'target', 'pid', 'ppid', 'uid', 'comm', 'exe', 'exe_sha256', 'exe_deleted', 'cap_eff', 'seccomp', 'no_new_privs', 'container_id'],
  connections: ['capture_id', 'target', 'proto', 'local_addr', 'local_port', 'remote_addr', 'remote_port', 'state', 'pid'],
  mounts: ['capture_id', 'target', 'pid', 'mount_point', 'fs_type', 'source', 'options', 'flagged'],
  credentials: ['capture_id', 'target', 'kind', 'location', 'subject', 'fingerprint', 'expires_at', 'claims_json'],
  capture_warnings: ['capture_id', 'target', 'step', 'pid', 'code', 'message'],
};

function tableColumns(db: ReadableDb, table: string): Set<string> {
  const rows = db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function toFact(raw: Record<string, unknown>): FactRow {
  const row: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(raw)) {
    row[key] = typeof value === 'string' || typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : null;
  }
  return row as FactRow;
}

/** Reads `columns` of `table` (those that exist) with the rowid, in rowid order; a missing table reads as []. */
function readTable(db: ReadableDb, table: string, columns: readonly string[] | 'all', where = ''): FactRow[] {
  const present = tableColumns(db, table);
  if (present.size === 0) return [];
  const wanted = columns === 'all' ? [...present] : columns.filter((c) => present.has(c));
  const sql = `SELECT rowid AS rowid${wanted.map((c) => `, ${quote(c)}`).join('')} FROM ${quote(table)} ${where} ORDER BY rowid`;
  const out: FactRow[] = [];
  for (const raw of db.prepare(sql).iterate() as Iterable<Record<string, unknown>>) out.push(toFact(raw));
  return out;
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return { unparseable_detail: text.slice(0, 200) };
  }
}

/** Reads the custody log as facts (detail parsed): every row, or only those of `kinds`. */
function readActions(db: ReadableDb, kinds: readonly string[] | 'all'): ActionFact[] {
  const out: ActionFact[] = [];
  const where = kinds === 'all' ? '' : `WHERE kind IN (${kinds.map(() => '?').join(', ')})`;
  for (const raw of db.prepare(`SELECT seq, at, actor, kind, target, outcome, detail FROM actions ${where} ORDER BY seq`).iterate(...(kinds === 'all' ? [] : kinds)) as Iterable<Record<string, unknown>>) {
    out.push({ seq: Number(raw.seq), at: String(raw.at), actor: String(raw.actor), kind: String(raw.kind), target: String(raw.target), outcome: String(raw.outcome), detail: parseJson(String(raw.detail)) });
  }
  return out;
}

/**
 * Everything the finding rules read from one case, judged at `now`. With `findingsOnly`, custody rows
 * no rule reads (notes, however many and large) stay on disk, so review's memory stays bounded.
 */
export function readCaseFacts(db: ReadableDb, now: string, options: { findingsOnly?: boolean } = {}): CaseFacts {
  const caseRow = db.prepare('SELECT id FROM cases').get() as { id?: unknown } | undefined;
  const extra: Record<string, FactRow[]> = {};
  for (const table of EXTRA_FACT_TABLES) extra[table] = readTable(db, table, 'all');
  return {
    caseId: String(caseRow?.id ?? ''),
    now,
    actions: readActions(db, options.findingsOnly === true ? FINDING_ACTION_KINDS : 'all'),
    captures: readTable(db, 'captures', COLUMNS.captures!),
    processes: readTable(db, 'processes', COLUMNS.processes!),
    connections: readTable(db, 'connections', COLUMNS.connections!),
    mounts: readTable(db, 'mounts', COLUMNS.mounts!),
    credentials: readTable(db, 'credentials', COLUMNS.credentials!),
    warnings: readTable(db, 'capture_warnings', COLUMNS.capture_warnings!),
    pods: readTable(db, 'k8s_objects', ['capture_id', 'target', 'namespace', 'name', 'uid', 'json'], "WHERE kind = 'Pod'"),
    extra,
  };
}
