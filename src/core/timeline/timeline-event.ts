/**
 * The shapes of kustody's timeline: one event per dated fact of a case, the sources that derive them
 * from rows of the case, and the rows an adapter reads for each source. Pure types.
 */

/** One dated fact of a case, pointing back at the row it rests on. */
export interface TimelineEvent {
  /** ISO 8601 UTC with milliseconds (`2026-12-07T03:47:34.000Z`). */
  datetime: string;
  /** What the time means ("Process start", "Custody action", "Container finish"). */
  timestampDesc: string;
  /** One line of untrusted text: escape it before a terminal, encode it for files. */
  message: string;
  /** The row it comes from; `line` numbers lines within one row (log lines of one artifact). */
  source: { table: string; rowid: number; line?: number };
  /** How the time was derived when it is not read as stored (e.g. 'boot time + start ticks'). */
  derived?: string;
}

/** One row as read for a source: the columns it asked for, plus `rowid`. */
export type SourceRow = Readonly<Record<string, unknown>> & { readonly rowid: number };

/** What a source reads from one table: kustody's own table and column names, and an optional constant filter. */
export interface TableRead {
  table: string;
  columns: readonly string[];
  /** A constant SQL condition of kustody's own (never built from evidence). */
  where?: string;
}

/** A source of timeline events: what it reads (by alias), and how it derives events from those rows. */
export interface TimelineSource {
  /** Stable id, e.g. 'custody', 'notes', 'process-start'. */
  id: string;
  reads: Readonly<Record<string, TableRead>>;
  /** Events from the rows read (alias → rows in rowid order); `gaps` collects what could not be dated and why. */
  events(rows: Readonly<Record<string, readonly SourceRow[]>>, gaps: string[]): TimelineEvent[];
}

/** The rows of a case for every source: source id → alias → rows. A table the case lacks reads as empty. */
export type TimelineFacts = Readonly<Record<string, Readonly<Record<string, readonly SourceRow[]>>>>;

/** A timeline: its events in order, and what could not be placed on it. */
export interface Timeline {
  events: TimelineEvent[];
  gaps: string[];
}
