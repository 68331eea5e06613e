/**
 * Reads a case's timeline events from its database, opened read-only, in bounded memory whatever the
 * size of the custody log. Sources whose events each come from one row alone (the custody log, notes)
 * are read in rowid order and handed over in batches of at most TIMELINE_BATCH_ROWS rows or
 * TIMELINE_BATCH_CHARS characters; the other sources (captured tables, bounded per capture, and the
 * audit source, capped by its own query) are read whole. A table or column an older case lacks reads
 * as empty (or NULL); names are kustody's own constants, checked against a strict pattern before they
 * reach SQL. Never writes. Callers keep what they need of the events: the report its earliest ones,
 * `kustody timeline` all of them, sorted outside memory (sorted-timeline.ts).
 */
import { BugError } from '../../core/errors.js';
import { TIMELINE_SOURCES, parseIsoTime, type SourceRow, type TableRead, type TimelineEvent, type TimelineRange, type TimelineSource } from '../../core/timeline/index.js';
import type { ReadableDb } from '../store/open-store.js';

/** Most rows of a row-by-row source held at once. */
export const TIMELINE_BATCH_ROWS = 128;
/** Most characters (and bytes of blobs) of a row-by-row source held at once; a single larger row is one batch. */
export const TIMELINE_BATCH_CHARS = 256 * 1024;
/** Sources whose events each come from one row alone: safe to derive batch by batch. */
export const ROW_BY_ROW_SOURCES: ReadonlySet<string> = new Set(['custody', 'notes']);
/** What could not be dated is kept up to this many items; the rest are counted. */
export const KEPT_GAPS = 50;

const NAME = /^[a-z_][a-z0-9_]*$/;

/** What the reader found besides the events: the first KEPT_GAPS items that could not be dated, and how many there were. */
export interface TimelineGaps {
  readonly gaps: string[];
  gapTotal: number;
}

function selectFor(db: ReadableDb, read: TableRead): string | null {
  if (!NAME.test(read.table) || !read.columns.every((c) => NAME.test(c))) throw new BugError(`timeline source reads an invalid name in ${read.table}`);
  const present = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').all(read.table) as { name: string }[]).map((c) => c.name));
  if (present.size === 0) return null;
  // A column this case's schema lacks reads as NULL, as in the schema that added it before any row.
  const list = read.columns.map((c) => (present.has(c) ? c : `NULL AS ${c}`)).join(', ');
  return `SELECT rowid AS rowid, ${list} FROM ${read.table}${read.where === undefined ? '' : ` WHERE ${read.where}`} ORDER BY rowid`;
}

function rowsOf(db: ReadableDb, read: TableRead): Iterable<SourceRow> {
  const sql = selectFor(db, read);
  return sql === null ? [] : (db.prepare(sql).iterate() as Iterable<SourceRow>);
}

function sizeOf(row: SourceRow): number {
  let size = 0;
  for (const value of Object.values(row)) if (typeof value === 'string' || value instanceof Uint8Array) size += value.length;
  return size;
}

function* batchesOf(db: ReadableDb, source: TimelineSource): Generator<Record<string, SourceRow[]>> {
  const entries = Object.entries(source.reads);
  const single = entries.length === 1 ? entries[0] : undefined;
  if (single === undefined || !ROW_BY_ROW_SOURCES.has(source.id)) {
    yield Object.fromEntries(entries.map(([alias, read]) => [alias, [...rowsOf(db, read)]]));
    return;
  }
  const [alias, read] = single;
  let batch: SourceRow[] = [];
  let chars = 0;
  for (const row of rowsOf(db, read)) {
    batch.push(row);
    chars += sizeOf(row);
    if (batch.length >= TIMELINE_BATCH_ROWS || chars >= TIMELINE_BATCH_CHARS) {
      yield { [alias]: batch };
      batch = [];
      chars = 0;
    }
  }
  if (batch.length > 0) yield { [alias]: batch };
}

/**
 * Reads every source's events within `range` and hands them to `keep`, batch by batch, in no
 * particular order; returns what could not be dated. Memory: one batch of rows and its events, plus
 * whatever `keep` holds.
 */
export function readTimelineEvents(db: ReadableDb, keep: (events: readonly TimelineEvent[]) => void, range: TimelineRange = {}, sources: readonly TimelineSource[] = TIMELINE_SOURCES): TimelineGaps {
  const found: TimelineGaps = { gaps: [], gapTotal: 0 };
  for (const source of sources) {
    for (const rows of batchesOf(db, source)) {
      const gaps: string[] = [];
      const events = source.events(rows, gaps).filter((event) => {
        const ms = parseIsoTime(event.datetime);
        return ms !== null && (range.since === undefined || ms >= range.since) && (range.until === undefined || ms <= range.until);
      });
      keep(events);
      found.gapTotal += gaps.length;
      found.gaps.push(...gaps.slice(0, Math.max(0, KEPT_GAPS - found.gaps.length)));
    }
  }
  return found;
}
