/**
 * The report's timeline: the events of the timeline module's sources (those `kustody timeline` exports),
 * sorted the same way, of which the report keeps the earliest REPORT_LIMITS.timeline. Memory is bounded
 * whatever the size of the custody log: the sources that read only the custody log derive each event
 * from its own row, so their rows are streamed in batches and only the earliest events are kept; the
 * other sources (captured tables, bounded by capture) are read whole, as the timeline module reads them.
 */
import { BugError } from '../../core/errors.js';
import { compareEvents, TIMELINE_SOURCES, type SourceRow, type TableRead, type TimelineEvent, type TimelineSource } from '../../core/timeline/index.js';
import { REPORT_LIMITS, type ReportTimelineEvent } from '../../core/report/model.js';
import type { ReadableDb } from '../store/open-store.js';

/** Sources whose events each come from one row alone (custody rows, notes): safe to derive batch by batch. */
export const ROW_BY_ROW_SOURCES: ReadonlySet<string> = new Set(['custody', 'notes']);
/** Longest event message the report keeps, in characters (the rest stays in evidence.db). */
export const REPORT_MESSAGE_CHARS = 1000;
const BATCH_ROWS = 128;
const BATCH_CHARS = 256 * 1024;
const KEPT_GAPS = 50;
const NAME = /^[a-z_][a-z0-9_]*$/;

/** The report's share of the timeline: the earliest events, how many there are in all, and what could not be dated. */
export interface ReportTimeline {
  readonly events: ReportTimelineEvent[];
  readonly total: number;
  readonly source: string;
  readonly gaps: string[];
  readonly gapTotal: number;
}

/** Keeps the `limit` earliest events seen, sorting and cutting whenever twice as many are held. */
class EarliestEvents {
  private held: TimelineEvent[] = [];
  total = 0;
  constructor(private readonly limit: number) {}

  add(events: readonly TimelineEvent[]): void {
    for (const event of events) {
      this.total += 1;
      this.held.push(event.message.length > REPORT_MESSAGE_CHARS ? { ...event, message: cut(event.message) } : event);
      if (this.held.length >= 2 * this.limit) this.trim();
    }
  }

  earliest(): TimelineEvent[] {
    this.trim();
    return this.held;
  }

  private trim(): void {
    this.held.sort(compareEvents);
    this.held.length = Math.min(this.held.length, this.limit);
  }
}

function cut(message: string): string {
  let end = REPORT_MESSAGE_CHARS;
  const code = message.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  // A copy, not a slice: V8 keeps a sliced string's whole parent alive, and the parent may be a note of many MiB.
  const kept = JSON.parse(JSON.stringify(message.slice(0, end))) as string;
  return `${kept}… (cut: ${message.length - end} more characters in evidence.db)`;
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

function streamSource(db: ReadableDb, source: TimelineSource, keep: EarliestEvents, onGaps: (found: readonly string[]) => void): void {
  const [alias, read] = Object.entries(source.reads)[0] ?? [];
  if (alias === undefined || read === undefined) return;
  let batch: SourceRow[] = [];
  let chars = 0;
  const flush = () => {
    const found: string[] = [];
    keep.add(source.events({ [alias]: batch }, found));
    onGaps(found);
    batch = [];
    chars = 0;
  };
  for (const row of rowsOf(db, read)) {
    batch.push(row);
    chars += sizeOf(row);
    if (batch.length >= BATCH_ROWS || chars >= BATCH_CHARS) flush();
  }
  if (batch.length > 0) flush();
}

/** The timeline events of a case for its report: the earliest `limit` (REPORT_LIMITS.timeline), in timeline order. */
export function reportTimeline(db: ReadableDb, limit: number = REPORT_LIMITS.timeline, sources: readonly TimelineSource[] = TIMELINE_SOURCES): ReportTimeline {
  const keep = new EarliestEvents(limit);
  const gaps: string[] = [];
  let gapTotal = 0;
  const onGaps = (found: readonly string[]) => {
    gapTotal += found.length;
    gaps.push(...found.slice(0, Math.max(0, KEPT_GAPS - gaps.length)));
  };
  for (const source of sources) {
    if (ROW_BY_ROW_SOURCES.has(source.id) && Object.keys(source.reads).length === 1) {
      streamSource(db, source, keep, onGaps);
      continue;
    }
    const found: string[] = [];
    keep.add(source.events(Object.fromEntries(Object.entries(source.reads).map(([alias, read]) => [alias, [...rowsOf(db, read)]])), found));
    onGaps(found);
  }
  return {
    events: keep.earliest(),
    total: keep.total,
    source: 'Every dated row of the case (custody log, notes, process starts, containers, Kubernetes events and objects, log lines, audit events), UTC, as `kustody timeline` exports it.',
    gaps,
    gapTotal,
  };
}
