/**
 * Stores ingested audit events: each batch is one transaction holding its rows and the custody row
 * that names the source file, line range and SHA-256 of those bytes (recordAction adds the rows'
 * digest). An event already in the case (same audit ID and stage) is skipped, so ingesting a file
 * twice, or a file and its rotated copy, adds nothing.
 */
import { AUDIT_COLUMNS, type AuditRow } from '../../core/audit/audit-row.js';
import type { JsonValue } from '../../core/custody/canonical-json.js';
import { recordAction, type RecordedAction } from './case-store.js';
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

/** Stores one batch and its custody row in one transaction; returns the row and how many events were new. */
export function commitAuditBatch(db: WritableDb, input: { target: string; detail: Record<string, JsonValue>; rows: readonly StoredAuditRow[] }, stamp: IngestStamp): { action: RecordedAction; inserted: number } {
  const columns = [...AUDIT_COLUMNS, 'source_file', 'line'] as const;
  const insert = db.prepare(`INSERT INTO audit_events (${columns.join(', ')}, action_seq) VALUES (${columns.map(() => '?').join(', ')}, ?) ON CONFLICT(event_key) DO NOTHING`);
  let inserted = 0;
  const action = recordAction(db, { ...stamp, kind: 'observe', target: input.target, detail: input.detail, outcome: 'ok' }, (seq) => {
    for (const row of input.rows) inserted += insert.run(...columns.map((c) => row[c]), seq).changes;
  });
  return { action, inserted };
}

/** True when the case's schema has the audit_events table (cases made before migration 3, opened read-only, do not). */
export function hasAuditTable(db: ReadableDb): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").get() !== undefined;
}
