/// <reference lib="es2024.string" />
/**
 * One audit_events row as the JSON text its row-digest line (src/core/capture/digest-rows.ts) is made
 * of: every column but action_seq, keys sorted, text as a JSON string, integers in decimal, NULL as
 * null. The parsing thread encodes each row once, natively (JSON.stringify of an object built in that
 * key order); the storing thread binds the values it parses back from that same text and hashes the
 * text itself, so what is hashed is exactly what is bound. SQLite stores a well-formed JS string as its
 * UTF-8 and a safe integer as itself, so the line equals what `bundle verify` and the Python judge
 * recompute from the stored row; a row holding anything else gets no text.
 */
import { AUDIT_COLUMNS, type StoredAuditRow } from './audit-row.js';

/** The audit_events columns in schema order: the order of the INSERT's values. */
export const STORED_AUDIT_COLUMNS = [...AUDIT_COLUMNS, 'source_file', 'line', 'action_seq'] as const;

/** A value bound into the INSERT. */
export type BoundValue = string | number | null;

type RowColumn = Exclude<(typeof STORED_AUDIT_COLUMNS)[number], 'action_seq'>;
/** A stored row without its custody row's seq, keyed by column. */
type StoredRowValues = Record<RowColumn, BoundValue>;

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** The columns of a row's JSON text, in the digest line's (sorted) order; action_seq sorts before all of them. */
export const ROW_JSON_COLUMNS: readonly RowColumn[] = STORED_AUDIT_COLUMNS.filter((c): c is RowColumn => c !== 'action_seq').sort(byName);
if ([...STORED_AUDIT_COLUMNS].sort(byName)[0] !== 'action_seq') throw new Error('audit-row-line: action_seq must sort first among the audit_events columns');

/** A row's values in digest-line key order (an object literal, so V8 builds it from one shape and stringifies it natively). */
function sortedValues(row: StoredAuditRow): StoredRowValues {
  return {
    annotations_json: row.annotations_json, api_group: row.api_group, audit_id: row.audit_id, credential_id: row.credential_id,
    decision: row.decision, event_key: row.event_key, format: row.format, groups_json: row.groups_json, impersonated_user: row.impersonated_user,
    issued_credential_id: row.issued_credential_id, kept_json: row.kept_json, level: row.level, line: row.line, name: row.name, namespace: row.namespace,
    node_name: row.node_name, object_uid: row.object_uid, pod_name: row.pod_name, pod_uid: row.pod_uid, reason: row.reason,
    request_received_timestamp: row.request_received_timestamp, request_uri: row.request_uri, resource: row.resource,
    response_code: row.response_code, response_message: row.response_message, sa_name: row.sa_name, sa_namespace: row.sa_namespace,
    source_file: row.source_file, source_ips_json: row.source_ips_json, stage: row.stage, stage_timestamp: row.stage_timestamp,
    subresource: row.subresource, text_escaped: row.text_escaped, user_agent: row.user_agent, username: row.username, verb: row.verb,
  };
}

// The STRICT INTEGER columns; every other column is TEXT. SQLite converts a value of the other kind that
// converts losslessly ('200' into INTEGER, 7 into TEXT), so the stored value would differ from the text hashed.
const INTEGER_COLUMNS: ReadonlySet<string> = new Set(['response_code', 'text_escaped', 'line']);
const NOT_NULL_COLUMNS: ReadonlySet<string> = new Set(['format', 'text_escaped', 'event_key', 'source_file', 'line']);
/** True when `value` is stored in `column` exactly as given: text for a TEXT column, a safe integer for an INTEGER one, or NULL where allowed. */
export function storableAs(column: string, value: unknown): boolean {
  if (value === null) return !NOT_NULL_COLUMNS.has(column);
  if (INTEGER_COLUMNS.has(column)) return Number.isSafeInteger(value);
  return typeof value === 'string' && value.isWellFormed();
}

const probe = Object.keys(sortedValues(Object.fromEntries(STORED_AUDIT_COLUMNS.map((c) => [c, null])) as unknown as StoredAuditRow));
if (probe.join(',') !== ROW_JSON_COLUMNS.join(',')) throw new Error('audit-row-line: the row literal must list every column in sorted order');

/** The row's JSON text (`{"annotations_json":…}`), or null when a value would not be stored as given (a lone surrogate, a number that is not a safe integer, a value of the other kind than its column's). */
export function storedRowJson(row: StoredAuditRow): string | null {
  // A row built in sorted key order (normalizeEvent's) is stringified as it is; any other is rebuilt in that order.
  let index = 0;
  let sorted = true;
  for (const key in row) {
    if (key !== ROW_JSON_COLUMNS[index]) sorted = false;
    index += 1;
  }
  const values = sorted && index === ROW_JSON_COLUMNS.length ? row : sortedValues(row);
  for (const column in values) if (!storableAs(column, (values as unknown as Record<string, unknown>)[column])) return null;
  return JSON.stringify(values);
}

/** The opening of a row's digest line, before the row's JSON text from its second character on: `{"action_seq":N,`. */
export function auditRowHead(seq: number): string {
  return `{"action_seq":${seq},`;
}
