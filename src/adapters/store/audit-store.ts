/**
 * Stores ingested audit events: each batch is one transaction holding its rows and the custody row
 * that names the source file, line range and SHA-256 of those bytes (recordAction adds the rows'
 * digest). An event already in the case (same audit ID and stage) is skipped, so ingesting a file
 * twice, or a file and its rotated copy, adds nothing.
 */
import { createHash } from 'node:crypto';
import type { AuditRow } from '../../core/audit/audit-row.js';
import { auditRowHead, auditRowTail, STORED_AUDIT_COLUMNS, type BoundValue } from '../../core/audit/audit-row-line.js';
import { ROWS_DIGEST_TAG } from '../../core/capture/digest-rows.js';
import type { JsonValue } from '../../core/custody/canonical-json.js';
import { recordAction, type InsertedRows, type RecordedAction } from './case-store.js';
import type { ReadableDb, WritableDb } from './open-store.js';

/** A row ready to store: the derived columns plus where it was read. */
export interface StoredAuditRow extends AuditRow {
  source_file: string;
  line: number;
}

/** Who and when, for the custody row. */
export interface IngestStamp {
  at: string;
  actor: string;
}

const INSERT = `INSERT INTO audit_events (${STORED_AUDIT_COLUMNS.join(', ')}) VALUES (${STORED_AUDIT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT(event_key) DO NOTHING`;
const WIDTH = STORED_AUDIT_COLUMNS.length;
// action_seq is the last column: a row's values are the batch's values followed by the custody row's seq.
const SEQ_INDEX = WIDTH - 1;
if (STORED_AUDIT_COLUMNS[SEQ_INDEX] !== 'action_seq') throw new Error('audit-store: action_seq must be the last audit_events column');

/** Stores one batch of row objects and its custody row in one transaction; returns the row and how many events were new. */
export function commitAuditBatch(db: WritableDb, input: { target: string; detail: Record<string, JsonValue>; rows: readonly StoredAuditRow[] }, stamp: IngestStamp): { action: RecordedAction; inserted: number } {
  const values = input.rows.flatMap((row) => STORED_AUDIT_COLUMNS.slice(0, SEQ_INDEX).map((c) => row[c as keyof StoredAuditRow]));
  return commitAuditValues(db, { target: input.target, detail: input.detail, values }, stamp);
}

/**
 * Stores one batch and its custody row in one transaction: `values` holds each row's INSERT values
 * in STORED_AUDIT_COLUMNS order without action_seq (the custody row's seq). The rows' digest is taken
 * from the values bound (audit-row-line.ts), new rows only. Returns the row and how many events were new.
 */
export function commitAuditValues(db: WritableDb, input: { target: string; detail: Record<string, JsonValue>; values: readonly BoundValue[] }, stamp: IngestStamp): { action: RecordedAction; inserted: number } {
  const insert = db.prepare(INSERT);
  let inserted = 0;
  const action = recordAction(db, { ...stamp, kind: 'observe', target: input.target, detail: input.detail, outcome: 'ok' }, (seq): InsertedRows | undefined => {
    const digest = createHash('sha256').update(`${ROWS_DIGEST_TAG}\n`);
    const head = auditRowHead(seq);
    const bound: BoundValue[] = new Array<BoundValue>(WIDTH).fill(null);
    let vouched = true;
    for (let start = 0; start < input.values.length; start += SEQ_INDEX) {
      for (let k = 0; k < SEQ_INDEX; k += 1) bound[k] = input.values[start + k] ?? null;
      bound[SEQ_INDEX] = seq;
      if (insert.run(bound).changes === 0) continue;
      inserted += 1;
      const tail = vouched ? auditRowTail(bound) : null;
      if (tail === null) vouched = false;
      else digest.update(head).update(tail);
    }
    return vouched ? { table: 'audit_events', count: inserted, sha256: digest.digest('hex') } : undefined;
  });
  return { action, inserted };
}

/** True when the case's schema has the audit_events table (cases made before migration 3, opened read-only, do not). */
export function hasAuditTable(db: ReadableDb): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").get() !== undefined;
}
