/**
 * Reads stored rows the way the row digest sees them (src/core/capture/digest-rows.ts): every column
 * the coverage map does not exclude, integers exact, text taken as its stored bytes and decoded as
 * strict UTF-8 (a byte sequence that is not UTF-8 is an error, never a silent U+FFFD).
 */
import type Database from 'better-sqlite3';
import { RowsDigest, type StoredRow, type StoredValue } from '../../core/capture/digest-rows.js';
import { DIGESTED_TABLES, TABLE_COVERAGE, type DigestedTable, type TableCoverage } from '../../core/evidence/table-coverage.js';

/** A stored text value that is not valid UTF-8: the database was edited outside SQLite's text API. */
export class StoredTextError extends Error {
  constructor(readonly table: string, readonly column: string) {
    super(`${table}.${column} holds text that is not valid UTF-8`);
  }
}

interface Column {
  name: string;
  text: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The digested columns of a table, in schema order, from the database's own table_info. */
export function digestColumns(db: Database.Database, table: DigestedTable): Column[] {
  const coverage: TableCoverage = TABLE_COVERAGE[table];
  const excluded = new Set(coverage.excluded ?? []);
  const info = db.pragma(`table_info(${table})`) as { name: string; type: string }[];
  return info.filter((c) => !excluded.has(c.name)).map((c) => ({ name: c.name, text: c.type.toUpperCase() === 'TEXT' }));
}

/** The SELECT that reads a table's digested columns in rowid order, with an optional WHERE clause of kustody's own. */
export function digestSelect(table: DigestedTable, columns: readonly Column[], where = ''): string {
  // Names come from kustody's coverage map and the schema checked against kustody's migrations.
  const list = columns.map((c) => (c.text ? `CAST("${c.name}" AS BLOB) AS "${c.name}"` : `"${c.name}"`)).join(', ');
  return `SELECT ${list} FROM ${table} ${where} ORDER BY rowid`;
}

/** Turns one raw result row (text as bytes) into the row the digest hashes. */
export function decodeRow(table: string, columns: readonly Column[], raw: Record<string, unknown>): StoredRow {
  const row: StoredRow = {};
  for (const column of columns) {
    const value = raw[column.name];
    if (value === null || value === undefined) row[column.name] = null;
    else if (Buffer.isBuffer(value)) {
      try {
        row[column.name] = strictUtf8.decode(value);
      } catch {
        throw new StoredTextError(table, column.name);
      }
    } else row[column.name] = value as StoredValue;
  }
  return row;
}

/** The highest rowid of every digested table, taken before a transaction inserts. */
export function rowidMarks(db: Database.Database): Map<DigestedTable, bigint> {
  const marks = new Map<DigestedTable, bigint>();
  for (const table of DIGESTED_TABLES) {
    const max = db.prepare(`SELECT max(rowid) FROM ${table}`).pluck().safeIntegers(true).get() as bigint | null;
    marks.set(table, max ?? 0n);
  }
  return marks;
}

/** Counts and digests the rows inserted since `marks`, per table that received any. */
export function digestInserted(db: Database.Database, marks: Map<DigestedTable, bigint>): { rows: Record<string, number>; rows_sha256: Record<string, string> } {
  const rows: Record<string, number> = {};
  const digests: Record<string, string> = {};
  const now = rowidMarks(db);
  for (const [table, mark] of marks) {
    if ((now.get(table) ?? 0n) <= mark) continue;
    const columns = digestColumns(db, table);
    const digest = new RowsDigest();
    const statement = db.prepare(digestSelect(table, columns, 'WHERE rowid > ?')).safeIntegers(true);
    for (const raw of statement.iterate(mark) as Iterable<Record<string, unknown>>) digest.add(decodeRow(table, columns, raw));
    if (digest.count === 0) continue;
    rows[table] = digest.count;
    digests[table] = digest.hex();
  }
  return { rows, rows_sha256: digests };
}
