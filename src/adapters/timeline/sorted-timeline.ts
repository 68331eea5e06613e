/**
 * A case's whole timeline in order, for `kustody timeline`, in bounded memory: the events are written,
 * as the reader hands them over, into a scratch SQLite table whose primary key is the timeline order
 * (time, source table, row id, line, then order of reading), in a private temporary folder (0700,
 * removed on close and on signals), and read back one by one. What it holds is derived from evidence
 * rows, which hold no secret in plaintext.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TIMELINE_SOURCES, type TimelineEvent, type TimelineRange, type TimelineSource } from '../../core/timeline/index.js';
import type { ReadableDb } from '../store/open-store.js';
import { makeOwnedTempDir } from '../system/owned-temp-dir.js';
import { readTimelineEvents, type TimelineGaps } from './read-timeline-events.js';

/** Pages of the scratch database kept in memory (SQLite's cache_size, in KiB when negative). */
const SCRATCH_CACHE_KIB = 8 * 1024;

/** A sorted timeline; call close() when done (it removes the scratch file). */
export interface SortedTimeline {
  readonly count: number;
  readonly gaps: TimelineGaps;
  /** The events in timeline order (as compareEvents orders them), read one at a time. */
  events(): Iterable<TimelineEvent>;
  close(): void;
}

/** Reads and sorts the timeline of the case in `db` within `range`. */
export function sortTimeline(db: ReadableDb, range: TimelineRange = {}, sources: readonly TimelineSource[] = TIMELINE_SOURCES): SortedTimeline {
  const temp = makeOwnedTempDir('kustody-timeline-');
  let scratch: Database.Database | undefined;
  try {
    scratch = new Database(join(temp.path, 'sort.db'));
    scratch.pragma('journal_mode = OFF');
    scratch.pragma('synchronous = OFF');
    scratch.pragma(`cache_size = -${SCRATCH_CACHE_KIB}`);
    scratch.exec('CREATE TABLE events (datetime TEXT NOT NULL, tbl TEXT NOT NULL, row INTEGER NOT NULL, line INTEGER NOT NULL, n INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (datetime, tbl, row, line, n)) WITHOUT ROWID');
    const insert = scratch.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)');
    let count = 0;
    const keep = scratch.transaction((events: readonly TimelineEvent[]) => {
      for (const e of events) insert.run(e.datetime, e.source.table, e.source.rowid, e.source.line ?? 0, count++, JSON.stringify(e));
    });
    const gaps = readTimelineEvents(db, keep, range, sources);
    const open = scratch;
    return {
      count,
      gaps,
      *events() {
        for (const row of open.prepare('SELECT event FROM events ORDER BY datetime, tbl, row, line, n').iterate() as Iterable<{ event: string }>) {
          yield JSON.parse(row.event) as TimelineEvent;
        }
      },
      close() {
        open.close();
        temp.remove();
      },
    };
  } catch (error) {
    scratch?.close();
    temp.remove();
    throw error;
  }
}
