/**
 * Stores ingested audit events: each batch is one transaction holding its rows and the custody row
 * that names the source file, line range and SHA-256 of those bytes, and the rows' digest. An event
 * already in the case (same audit ID and stage) is skipped, so ingesting a file twice, or a file and
 * its rotated copy, adds nothing.
 */
import { createHash } from 'node:crypto';
import type { StoredAuditRow } from '../../core/audit/audit-row.js';
import { auditRowHead, ROW_JSON_COLUMNS, storableAs, storedRowJson } from '../../core/audit/audit-row-line.js';
import { ROWS_DIGEST_TAG } from '../../core/capture/digest-rows.js';
import type { JsonValue } from '../../core/custody/canonical-json.js';
import { KustodyError } from '../../core/errors.js';
import { recordAction, type InsertedRows, type RecordedAction } from './case-store.js';
import type { ReadableDb, WritableDb } from './open-store.js';

/** Who and when, for the custody row. */
export interface IngestStamp {
  at: string;
  actor: string;
}

// The columns in the order of a row's JSON text, then action_seq (the custody row's): each row is
// bound from the values parsed back from its text, in that text's order.
const INSERT = `INSERT INTO audit_events (${[...ROW_JSON_COLUMNS, 'action_seq'].join(', ')}) VALUES (${ROW_JSON_COLUMNS.map(() => '?').join(', ')}, ?) ON CONFLICT(event_key) DO NOTHING`;
const WIDTH = ROW_JSON_COLUMNS.length;

/** Stores one batch of row objects and its custody row in one transaction (tests and small writers); returns the row and how many events were new. */
export function commitAuditBatch(db: WritableDb, input: { target: string; detail: Record<string, JsonValue>; rows: readonly StoredAuditRow[] }, stamp: IngestStamp): { action: RecordedAction; inserted: number } {
  const rows = input.rows.map((row) => {
    const json = storedRowJson(row);
    if (json === null) throw new KustodyError('CASE_STORAGE', `The audit row ${JSON.stringify(row.event_key)} could not be used: it holds text that is not well-formed UTF-16 or a number that is not a safe integer.`);
    return json;
  });
  return commitAuditRows(db, { target: input.target, detail: input.detail, rows }, stamp);
}

/**
 * Stores one batch and its custody row in one transaction: `rows` holds each row's JSON text
 * (audit-row-line.ts). Each row is bound from the values parsed back from its text, and the rows'
 * digest hashes that same text, new rows only. Returns the custody row and how many events were new.
 */
export function commitAuditRows(db: WritableDb, input: { target: string; detail: Record<string, JsonValue>; rows: readonly string[] }, stamp: IngestStamp): { action: RecordedAction; inserted: number } {
  const insert = db.prepare(INSERT);
  let inserted = 0;
  const action = recordAction(db, { ...stamp, kind: 'observe', target: input.target, detail: input.detail, outcome: 'ok' }, (seq): InsertedRows => {
    const digest = createHash('sha256').update(`${ROWS_DIGEST_TAG}\n`);
    const head = auditRowHead(seq);
    const values: unknown[] = new Array<unknown>(WIDTH + 1);
    values[WIDTH] = seq;
    for (const json of input.rows) {
      // Bound in the text's own key order, which must be the columns' (SQLite refuses a value that is not text, a number or null).
      const row = JSON.parse(json) as Record<string, unknown>;
      let index = 0;
      for (const key in row) {
        if (key !== ROW_JSON_COLUMNS[index]) throw new KustodyError('CASE_STORAGE', `An audit row's text does not list the audit_events columns in order (${JSON.stringify(key.slice(0, 64))} at ${index}); nothing of this batch was stored.`);
        const value = row[key];
        // Of the kind its STRICT column stores as given (SQLite would convert '200' bound to an INTEGER column, and the stored row would differ from the text hashed).
        if (!storableAs(key, value)) throw new KustodyError('CASE_STORAGE', `An audit row's text holds ${value === null ? 'NULL' : `a ${typeof value}`} for ${key}, which its column would not store as given; nothing of this batch was stored.`);
        values[index] = value;
        index += 1;
      }
      if (index !== WIDTH) throw new KustodyError('CASE_STORAGE', `An audit row's text holds ${index} values instead of ${WIDTH}; nothing of this batch was stored.`);
      if (insert.run(values).changes === 0) continue;
      inserted += 1;
      // The digest line: `{"action_seq":N,` then the row's text after its opening brace, then a newline.
      digest.update(head).update(json.substring(1)).update('\n');
    }
    return { table: 'audit_events', count: inserted, sha256: digest.digest('hex') };
  });
  return { action, inserted };
}

// WAL pages between automatic checkpoints during an ingest (SQLite's default is 1,000): each checkpoint
// writes every page changed since the last one into evidence.db and fsyncs it, and the indexes' pages
// change in every batch, so checkpointing less often writes each of them fewer times. The WAL may grow
// to about this size (64 MiB) on disk; every commit is still fsynced.
const INGEST_CHECKPOINT_PAGES = 16_384;

/** Checkpoints less often for a long run of batches; returns what restores the connection's setting. */
export function bulkCheckpoints(db: WritableDb): () => void {
  const before = Number(db.pragma('wal_autocheckpoint', { simple: true }));
  db.pragma(`wal_autocheckpoint = ${INGEST_CHECKPOINT_PAGES}`);
  return () => {
    db.pragma(`wal_autocheckpoint = ${before}`);
  };
}

/** True when the case's schema has the audit_events table (cases made before migration 3, opened read-only, do not). */
export function hasAuditTable(db: ReadableDb): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").get() !== undefined;
}
