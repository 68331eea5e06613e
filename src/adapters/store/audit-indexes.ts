/**
 * The audit_events lookup indexes during a large ingest. Inserting hundreds of thousands of rows in
 * audit-ID order into an index keyed by username or credential costs a random B-tree descent each;
 * building the index afterwards sorts once. So an ingest much larger than what the case holds drops
 * these three indexes in its first transaction and builds them in its last.
 *
 * An ingest killed in between leaves the case without them: it holds every row it held, and every
 * query gives the same answers, only slower. The schema check accepts exactly their absence (never a
 * changed definition), the next ingest builds them, and an exported bundle always has them.
 */
import { AUDIT_LOOKUP_INDEXES } from './migrations/0003-audit-events.js';
import type { ReadableDb, WritableDb } from './open-store.js';

/** The names of the indexes a case may lack (an ingest was stopped before it rebuilt them). */
export const DEFERRABLE_INDEX_NAMES: ReadonlySet<string> = new Set(AUDIT_LOOKUP_INDEXES.map((index) => index.name));

// An ingest defers the indexes when its files hold at least this many bytes per row the case already has:
// audit events are rarely under 1 KiB, so it then adds at least about as many rows as the case holds.
const BYTES_PER_EXISTING_ROW = 1024;

/** Drops the lookup indexes when `incomingBytes` of logs dwarf the rows already stored; returns what builds them again (always call it). */
export function deferAuditIndexes(db: WritableDb, incomingBytes: number): () => void {
  const existing = Number((db.prepare('SELECT max(rowid) AS n FROM audit_events').get() as { n: number | null }).n ?? 0);
  if (incomingBytes >= existing * BYTES_PER_EXISTING_ROW) {
    db.transaction(() => {
      for (const index of AUDIT_LOOKUP_INDEXES) db.exec(`DROP INDEX IF EXISTS ${index.name}`);
    }).immediate();
  }
  return () => buildMissingAuditIndexes(db);
}

/** Builds whichever lookup index the case lacks, with the statement its migration has, in one transaction. */
export function buildMissingAuditIndexes(db: WritableDb): void {
  const missing = missingAuditIndexes(db);
  if (missing.length === 0) return;
  db.transaction(() => {
    for (const index of missing) db.exec(index.sql);
  }).immediate();
}

/** The lookup indexes (name and statement) a case with the audit_events table lacks. */
export function missingAuditIndexes(db: ReadableDb | WritableDb): { name: string; sql: string }[] {
  const present = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events'").all() as { name: string }[]).map((row) => row.name));
  return AUDIT_LOOKUP_INDEXES.filter((index) => !present.has(index.name));
}
