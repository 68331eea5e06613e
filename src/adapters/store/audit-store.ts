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

/**
 * Stores one batch and its custody row in one transaction; returns the row and how many events were
 * new. The rows' digest is taken from the values bound (audit-row-line.ts), new rows only.
 */
export function commitAuditBatch(db: WritableDb, input: { target: string; detail: Record<string, JsonValue>; rows: readonly StoredAuditRow[] }, stamp: IngestStamp): { action: RecordedAction; inserted: number } {
  const insert = db.prepare(INSERT);
  let inserted = 0;
  const action = recordAction(db, { ...stamp, kind: 'observe', target: input.target, detail: input.detail, outcome: 'ok' }, (seq): InsertedRows | undefined => {
    const digest = createHash('sha256').update(`${ROWS_DIGEST_TAG}\n`);
    const head = auditRowHead(seq);
    let vouched = true;
    for (const row of input.rows) {
      const values: BoundValue[] = STORED_AUDIT_COLUMNS.map((c) => (c === 'action_seq' ? seq : row[c]));
      if (insert.run(values).changes === 0) continue;
      inserted += 1;
      const tail = vouched ? auditRowTail(values) : null;
      if (tail === null) vouched = false;
      else digest.update(head + tail);
    }
    return vouched ? { table: 'audit_events', count: inserted, sha256: digest.digest('hex') } : undefined;
  });
  return { action, inserted };
}

/** True when the case's schema has the audit_events table (cases made before migration 3, opened read-only, do not). */
export function hasAuditTable(db: ReadableDb): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").get() !== undefined;
}
