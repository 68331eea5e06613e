/**
 * Reads, from a case database opened read-only, the rows every timeline source asks for. A table or
 * column an older case lacks reads as empty (or NULL); names are kustody's own constants, checked
 * against a strict pattern before they reach SQL. Never writes.
 */
import { buildTimelineWithGaps, TIMELINE_SOURCES, type Timeline, type TimelineFacts, type TimelineRange, type TimelineSource, type SourceRow, type TableRead } from '../../core/timeline/index.js';
import { BugError } from '../../core/errors.js';
import type { ReadableDb } from '../store/open-store.js';

const NAME = /^[a-z_][a-z0-9_]*$/;

function columnsOf(db: ReadableDb, table: string): Set<string> | null {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
  if (exists === undefined) return null;
  return new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
}

function readTable(db: ReadableDb, read: TableRead, known: Map<string, Set<string> | null>): SourceRow[] {
  if (!NAME.test(read.table) || !read.columns.every((c) => NAME.test(c))) throw new BugError(`timeline source reads an invalid name in ${read.table}`);
  if (!known.has(read.table)) known.set(read.table, columnsOf(db, read.table));
  const columns = known.get(read.table);
  if (columns === null || columns === undefined) return [];
  // A column this case's schema lacks reads as NULL, as in the schema that added it before any row.
  const list = read.columns.map((c) => (columns.has(c) ? c : `NULL AS ${c}`)).join(', ');
  const sql = `SELECT rowid AS rowid, ${list} FROM ${read.table}${read.where === undefined ? '' : ` WHERE ${read.where}`} ORDER BY rowid`;
  return db.prepare(sql).all() as SourceRow[];
}

/** The rows of the case for every source (source id → alias → rows). */
export function readTimelineFacts(db: ReadableDb, sources: readonly TimelineSource[] = TIMELINE_SOURCES): TimelineFacts {
  const known = new Map<string, Set<string> | null>();
  const facts: Record<string, Record<string, SourceRow[]>> = {};
  for (const source of sources) {
    const rows: Record<string, SourceRow[]> = {};
    for (const [alias, read] of Object.entries(source.reads)) rows[alias] = readTable(db, read, known);
    facts[source.id] = rows;
  }
  return facts;
}

/** The case's timeline within `range`, read and built in one call (what `kustody timeline` and the report use). */
export function readTimeline(db: ReadableDb, range: TimelineRange = {}, sources: readonly TimelineSource[] = TIMELINE_SOURCES): Timeline {
  return buildTimelineWithGaps(readTimelineFacts(db, sources), range, sources);
}
