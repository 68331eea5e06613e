/// <reference lib="es2024.string" />
/**
 * The row digest's line (src/core/capture/digest-rows.ts) of one audit_events row, computed from the
 * very values bound into its INSERT instead of reading the row back: keys sorted, text as a JSON
 * string, integers in decimal, NULL as null. SQLite stores a well-formed JS string as its UTF-8 and
 * an integer as itself, so the line equals what `bundle verify` and the Python judge recompute from
 * the stored row; a value SQLite would not store as given (a lone surrogate, a non-integer number)
 * gives no line, and the caller digests the stored rows instead.
 */
import { AUDIT_COLUMNS } from './audit-row.js';

/** The audit_events columns in schema order: the order of the INSERT's values. */
export const STORED_AUDIT_COLUMNS = [...AUDIT_COLUMNS, 'source_file', 'line', 'action_seq'] as const;

/** A value bound into the INSERT. */
export type BoundValue = string | number | null;

const SEQ_INDEX = STORED_AUDIT_COLUMNS.indexOf('action_seq');
// Sorted by name, as the canonical line orders keys; action_seq sorts first, so a row's line is
// `{"action_seq":N` + its tail, and the tail can be encoded before the custody row's seq is known.
const SORTED = STORED_AUDIT_COLUMNS.map((name, index) => ({ name, index })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
const TAIL = SORTED.filter((c) => c.index !== SEQ_INDEX);
const TAIL_INDEXES = TAIL.map((c) => c.index);
const TAIL_PREFIXES = TAIL.map((c) => `,${JSON.stringify(c.name)}:`);

if (SORTED[0]?.name !== 'action_seq') throw new Error('audit-row-line: action_seq must sort first among the audit_events columns');

/** The line of a row after its `{"action_seq":N` opening, newline included; null when a value would not be stored as given. */
export function auditRowTail(values: readonly BoundValue[]): string | null {
  let tail = '';
  for (let k = 0; k < TAIL_INDEXES.length; k += 1) {
    const value = values[TAIL_INDEXES[k] as number];
    let encoded: string;
    if (value === null || value === undefined) encoded = 'null';
    else if (typeof value === 'string') {
      if (!value.isWellFormed()) return null;
      encoded = JSON.stringify(value);
    } else if (Number.isSafeInteger(value)) encoded = String(value);
    else return null;
    tail += TAIL_PREFIXES[k] + encoded;
  }
  return `${tail}}\n`;
}

/** The opening of a row's line: its action_seq. */
export function auditRowHead(seq: number): string {
  return `{"action_seq":${seq}`;
}
