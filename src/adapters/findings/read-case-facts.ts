/**
 * Reads the facts the finding rules derive from, read-only, in one pass per table. Only the columns
 * the rules use are read (no environments, no artifact content), so a case of 100,000 rows fits
 * comfortably in memory. Tables a case predates read as empty.
 */
import { FINDING_ACTION_KINDS, type ActionFact, type CaseFacts, type FactRow } from '../../core/findings/types.js';
import type { JsonValue } from '../../core/custody/canonical-json.js';
import type { ReadableDb } from '../store/open-store.js';
import { readAuditFacts } from './read-audit-facts.js';

/** Optional tables other modules add to a case (one line each): read whole, as empty when absent. The audit log is read by readAuditFacts (only the case's identities' requests). */
export const EXTRA_FACT_TABLES: readonly string[] = [];

const COLUMNS: Readonly<Record<string, readonly string[]>> = {
  captures: ['capture_id', 'target', 'vantage', 'started_at', 'finished_at', 'status', 'detail'],
  processes: ['capture_id', 'target', 'pid', 'ppid', 'uid', 'comm', 'exe', 'exe_sha256', 'exe_deleted', 'cap_eff', 'seccomp', 'no_new_privs', 'container_id'],
  connections: ['capture_id', 'target', 'proto', 'local_addr', 'local_port', 'remote_addr', 'remote_port', 'state', 'pid'],
  mounts: ['capture_id', 'target', 'pid', 'mount_point', 'fs_type', 'source', 'options', 'flagged', 'root'],
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

/** How many rows of one table may be read, and the tables that had more. */
interface RowBudget {
  readonly max: number;
  readonly limited: { table: string; read: number }[];
}

/** Collects rows up to the budget; a table with more is noted in `budget.limited`. */
function within<T>(rows: Iterable<Record<string, unknown>>, table: string, budget: RowBudget, convert: (raw: Record<string, unknown>) => T): T[] {
  const out: T[] = [];
  for (const raw of rows) {
    if (out.length >= budget.max) {
      budget.limited.push({ table, read: out.length });
      break;
    }
    out.push(convert(raw));
  }
  return out;
}

/** Reads `columns` of `table` (those that exist) with the rowid, in rowid order; a missing table reads as []. */
function readTable(db: ReadableDb, table: string, columns: readonly string[] | 'all', budget: RowBudget, where = ''): FactRow[] {
  const present = tableColumns(db, table);
  if (present.size === 0) return [];
  const wanted = columns === 'all' ? [...present] : columns.filter((c) => present.has(c));
  const sql = `SELECT rowid AS rowid${wanted.map((c) => `, ${quote(c)}`).join('')} FROM ${quote(table)} ${where} ORDER BY rowid`;
  return within(db.prepare(sql).iterate() as Iterable<Record<string, unknown>>, table, budget, toFact);
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return { unparseable_detail: text.slice(0, 200) };
  }
}

/** Reads the custody log as facts (detail parsed): every row, or only those of `kinds`. */
function readActions(db: ReadableDb, kinds: readonly string[] | 'all', budget: RowBudget): ActionFact[] {
  const where = kinds === 'all' ? '' : `WHERE kind IN (${kinds.map(() => '?').join(', ')})`;
  const rows = db.prepare(`SELECT seq, at, actor, kind, target, outcome, detail FROM actions ${where} ORDER BY seq`).iterate(...(kinds === 'all' ? [] : kinds)) as Iterable<Record<string, unknown>>;
  return within(rows, 'actions', budget, (raw) => ({ seq: Number(raw.seq), at: String(raw.at), actor: String(raw.actor), kind: String(raw.kind), target: String(raw.target), outcome: String(raw.outcome), detail: parseJson(String(raw.detail)) }));
}

/**
 * Everything the finding rules read from one case, judged at `now`. With `findingsOnly`, custody rows
 * no rule reads (notes, however many and large) stay on disk; with `maxRowsPerTable`, no table is read
 * past that many rows (the facts name each table cut), so review's memory stays bounded for any case.
 */
export function readCaseFacts(db: ReadableDb, now: string, options: { findingsOnly?: boolean; maxRowsPerTable?: number } = {}): CaseFacts {
  const caseRow = db.prepare('SELECT id FROM cases').get() as { id?: unknown } | undefined;
  const budget: RowBudget = { max: options.maxRowsPerTable ?? Number.POSITIVE_INFINITY, limited: [] };
  const extra: Record<string, FactRow[]> = {};
  for (const table of EXTRA_FACT_TABLES) extra[table] = readTable(db, table, 'all', budget);
  const audit = readAuditFacts(db, budget.max);
  Object.assign(extra, audit.tables);
  budget.limited.push(...audit.limited);
  return {
    caseId: String(caseRow?.id ?? ''),
    now,
    actions: readActions(db, options.findingsOnly === true ? FINDING_ACTION_KINDS : 'all', budget),
    captures: readTable(db, 'captures', COLUMNS.captures!, budget),
    processes: readTable(db, 'processes', COLUMNS.processes!, budget),
    connections: readTable(db, 'connections', COLUMNS.connections!, budget),
    mounts: readTable(db, 'mounts', COLUMNS.mounts!, budget),
    credentials: readTable(db, 'credentials', COLUMNS.credentials!, budget),
    warnings: readTable(db, 'capture_warnings', COLUMNS.capture_warnings!, budget),
    pods: readTable(db, 'k8s_objects', ['capture_id', 'target', 'namespace', 'name', 'uid', 'json'], budget, "WHERE kind = 'Pod'"),
    extra,
    limited: budget.limited,
  };
}
