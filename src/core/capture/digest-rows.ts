/**
 * The row digest: a SHA-256 over stored rows, recorded in the custody row that inserted them
 * (`rows_sha256`), and recomputed by `bundle verify` and by the Python snippet in
 * docs/evidence-schema.md. Each row is one canonical JSON line: every column as stored (keys sorted,
 * integers exact in decimal, text as a JSON string, NULL as null), after the tag line.
 */
import { createHash, type Hash } from 'node:crypto';

/** The first line hashed, so a row digest can never be mistaken for any other SHA-256. */
export const ROWS_DIGEST_TAG = 'kustody-rows-v1';

/** A column value as read from a STRICT table: NULL, an exact integer, or text. */
export type StoredValue = null | bigint | number | string;

/** One stored row, by column name. */
export type StoredRow = Record<string, StoredValue>;

// The sorted keys and their encoded `"key":` prefixes, per column list (a table has one): rows of millions of
// audit events are digested, and sorting and encoding the same keys for each was a tenth of an ingest.
const layouts = new Map<string, { keys: string[]; prefixes: string[] }>();
const MAX_LAYOUTS = 64;

/** Encodes one row as its canonical JSON line (without the newline). */
export function rowLine(row: StoredRow): string {
  const own = Object.keys(row);
  const id = own.join('\u0000');
  let layout = layouts.get(id);
  if (layout === undefined) {
    const keys = own.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    layout = { keys, prefixes: keys.map((key, index) => `${index === 0 ? '' : ','}${JSON.stringify(key)}:`) };
    if (layouts.size < MAX_LAYOUTS) layouts.set(id, layout);
  }
  let line = '{';
  for (let index = 0; index < layout.keys.length; index += 1) line += `${layout.prefixes[index] ?? ''}${encodeValue(row[layout.keys[index] ?? ''] ?? null)}`;
  return `${line}}`;
}

function encodeValue(value: StoredValue): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`a row digest carries integers only, not ${value}`);
    return String(value);
  }
  return JSON.stringify(value);
}

/** A digest fed one row at a time, so any number of rows hash in constant memory. */
export class RowsDigest {
  private readonly hash: Hash = createHash('sha256').update(`${ROWS_DIGEST_TAG}\n`, 'utf8');
  /** How many rows were added. */
  count = 0;

  /** Adds the next row. */
  add(row: StoredRow): void {
    this.hash.update(`${rowLine(row)}\n`, 'utf8');
    this.count += 1;
  }

  /** The hex SHA-256 of the tag and every row added. */
  hex(): string {
    return this.hash.digest('hex');
  }
}

/** Digests rows already in memory, in order. */
export function digestRows(rows: Iterable<StoredRow>): string {
  const digest = new RowsDigest();
  for (const row of rows) digest.add(row);
  return digest.hex();
}
