/**
 * Recomputes every row digest the custody log commits to (`rows_sha256`, see
 * src/core/evidence/table-coverage.ts) from the tables of an evidence.db, in one pass: each table is
 * read in rowid order alongside the custody log in seq order, and each custody row that inserted rows
 * takes exactly its count from that table's stream. Memory stays constant whatever the table sizes.
 */
import type Database from 'better-sqlite3';
import { RowsDigest, type StoredRow } from '../../core/capture/digest-rows.js';
import { DIGESTED_TABLES, TABLE_COVERAGE, type DigestedTable } from '../../core/evidence/table-coverage.js';
import { decodeRow, digestColumns, digestSelect, StoredTextError } from '../store/stored-rows.js';
import type { VerifyFinding } from './verify-bundle.js';

/** A custody row as the row check needs it. */
export interface CustodyFacts {
  seq: number;
  at: string;
  kind: string;
  detail: unknown;
}

interface Pending {
  key: string;
  row: StoredRow;
}

const MAX_FINDINGS = 20;
const MAX_PENDING_ENDS = 1000;

/** Follows one table in rowid order, one row of look-ahead. */
class TableStream {
  private iterator: Iterator<Record<string, unknown>> | undefined;
  private readonly columns: ReturnType<typeof digestColumns>;
  // Null when the table does not exist in this schema version: it then holds no rows.
  private readonly statement: Database.Statement | null;
  private buffered: Pending | null | undefined;
  lastKey: string | undefined;
  lastWhere = '';

  constructor(db: Database.Database, readonly table: DigestedTable, private readonly onBadText: (error: StoredTextError) => void) {
    this.columns = digestColumns(db, table);
    this.statement = this.columns.length === 0 ? null : db.prepare(digestSelect(table, this.columns)).safeIntegers(true);
  }

  peek(): Pending | null {
    if (this.statement === null) return null;
    if (this.buffered === undefined) {
      this.iterator ??= (this.statement.iterate() as IterableIterator<Record<string, unknown>>)[Symbol.iterator]();
      const next = this.iterator.next();
      this.buffered = next.done === true ? null : this.decode(next.value);
    }
    return this.buffered;
  }

  take(): Pending | null {
    const row = this.peek();
    this.buffered = undefined;
    return row;
  }

  close(): void {
    this.iterator?.return?.();
  }

  private decode(raw: Record<string, unknown>): Pending {
    let row: StoredRow;
    try {
      row = decodeRow(this.table, this.columns, raw);
    } catch (error) {
      if (!(error instanceof StoredTextError)) throw error;
      this.onBadText(error);
      // Decoded leniently only to keep following the stream; the digest of this run cannot match.
      row = decodeRow(this.table, this.columns, Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Buffer.isBuffer(v) ? `\uFFFD${v.toString('latin1')}` : v])));
    }
    return { key: ownerKey(this.table, row), row };
  }
}

function ownerKey(table: DigestedTable, row: StoredRow): string {
  switch (TABLE_COVERAGE[table].owner) {
    case 'action_seq': return String(row.action_seq);
    case 'capture_id': return String(row.capture_id);
    case 'capture_step': return `${String(row.capture_id)}\u0000${String(row.step)}`;
    default: return '';
  }
}

function expectedKey(table: DigestedTable, seq: number, detail: Record<string, unknown>): string {
  switch (TABLE_COVERAGE[table].owner) {
    case 'action_seq': return String(seq);
    case 'capture_id': return String(detail.capture_id);
    case 'capture_step': return `${String(detail.capture_id)}\u0000${String(detail.step)}`;
    default: return '';
  }
}

function describeKey(table: DigestedTable, key: string): string {
  const owner = TABLE_COVERAGE[table].owner;
  if (owner === 'none') return 'the case';
  if (owner === 'action_seq') return `custody row ${key}`;
  const [capture, step] = key.split('\u0000');
  return step === undefined ? `capture ${(capture ?? '').slice(0, 80)}` : `capture ${(capture ?? '').slice(0, 80)}, step ${step.slice(0, 40)}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Walks the custody log's row digests against the tables; feed it every custody row in seq order, then call finish. */
export class StoredRowsCheck {
  private readonly streams = new Map<DigestedTable, TableStream>();
  private readonly pendingEnds = new Set<string>();
  private pendingOverflow = 0;
  private reported = 0;

  private readonly captureEnd: Database.Statement;

  // Every statement is prepared here: while the custody log is being iterated, the connection runs no pragma.
  constructor(db: Database.Database, private readonly findings: VerifyFinding[]) {
    for (const table of DIGESTED_TABLES) {
      this.streams.set(table, new TableStream(db, table, (error) => this.report('ROWS_NOT_UTF8', `${error.table}: column ${error.column} holds bytes that are not UTF-8 text: it was edited outside SQLite`)));
    }
    this.captureEnd = db.prepare('SELECT finished_at, status FROM captures WHERE capture_id = ?');
  }

  /** Checks the rows one custody row says it inserted, and a capture-end row's update. */
  onAction(action: CustodyFacts): void {
    const detail = isRecord(action.detail) ? action.detail : {};
    const digests = detail.rows_sha256;
    const counts = detail.rows;
    if (digests !== undefined) {
      if (!isRecord(digests) || !isRecord(counts)) {
        this.report('ROWS_DIGEST_MALFORMED', `custody row ${action.seq}: rows and rows_sha256 are not the maps kustody writes`);
      } else {
        for (const [table, digest] of Object.entries(digests)) this.checkRun(action, detail, table, counts[table], digest);
      }
    }
    if (action.kind === 'observe' && detail.step === 'capture-end') this.checkCaptureEnd(action, detail);
  }

  /** Reports rows no custody row recorded, and finished captures without a capture-end row; closes the streams. */
  finish(): void {
    try {
      for (const table of DIGESTED_TABLES) {
        const stream = this.stream(table);
        let extra = 0;
        let first: Pending | null = null;
        for (let row = stream.take(); row !== null; row = stream.take()) {
          first ??= row;
          extra += 1;
        }
        if (first !== null) this.report('ROWS_EXTRA', `${table}: ${extra} row(s) (the first of ${describeKey(table, first.key)}) were recorded by no custody row: they were inserted`);
      }
      for (const capture of this.pendingEnds) this.report('CAPTURE_END_MISSING', `captures: capture ${capture} is marked finished, but no capture-end custody row says so: its status or finished_at was changed`);
      if (this.pendingOverflow > 0) this.report('CAPTURE_END_MISSING', `captures: ${this.pendingOverflow} more captures are marked finished without a capture-end custody row`);
    } finally {
      this.close();
    }
  }

  /** Closes every open table stream (also after an error). */
  close(): void {
    for (const stream of this.streams.values()) stream.close();
    this.streams.clear();
  }

  private checkRun(action: CustodyFacts, detail: Record<string, unknown>, table: string, count: unknown, digest: unknown): void {
    if (!(DIGESTED_TABLES as readonly string[]).includes(table)) {
      this.report('ROWS_UNKNOWN_TABLE', `custody row ${action.seq}: rows_sha256 names ${table.slice(0, 40)}, which is not a digested table`);
      return;
    }
    const known = table as DigestedTable;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || typeof digest !== 'string') {
      this.report('ROWS_DIGEST_MALFORMED', `custody row ${action.seq}: the count or digest for ${known} is not what kustody writes`);
      return;
    }
    const stream = this.stream(known);
    const key = expectedKey(known, action.seq, detail);
    const owner = TABLE_COVERAGE[known].owner;
    const where = `${known}: custody row ${action.seq} (${owner === 'none' || owner === 'action_seq' ? `kind ${action.kind}` : `capture ${String(detail.capture_id).slice(0, 80)}, step ${String(detail.step).slice(0, 40)}`})`;
    let extra = 0;
    while (stream.lastKey !== undefined && stream.lastKey !== key && stream.peek()?.key === stream.lastKey) {
      stream.take();
      extra += 1;
    }
    if (extra > 0) this.report('ROWS_EXTRA', `${stream.lastWhere}: ${extra} row(s) more than it recorded follow its rows: they were inserted`);
    const computed = new RowsDigest();
    while (computed.count < count && stream.peek()?.key === key) {
      const next = stream.take();
      if (next === null) break;
      computed.add(known === 'captures' ? this.asInserted(next.row) : next.row);
    }
    stream.lastKey = key;
    stream.lastWhere = where;
    if (computed.count < count) this.report('ROWS_MISSING', `${where}: ${count - computed.count} of the ${count} rows it recorded are missing: they were deleted`);
    else if (computed.hex() !== digest) this.report('ROWS_CHANGED', `${where}: its ${count} rows do not match rows_sha256: a row was changed`);
  }

  /** A captures row as capture-start inserted it; the capture-end row vouches for the two columns it sets. */
  private asInserted(row: StoredRow): StoredRow {
    if (row.finished_at !== null || row.status !== 'running') {
      if (this.pendingEnds.size < MAX_PENDING_ENDS) this.pendingEnds.add(String(row.capture_id));
      else this.pendingOverflow += 1;
    }
    return { ...row, finished_at: null, status: 'running' };
  }

  private checkCaptureEnd(action: CustodyFacts, detail: Record<string, unknown>): void {
    const capture = String(detail.capture_id);
    this.pendingEnds.delete(capture);
    const row = this.captureEnd.get(capture) as { finished_at: unknown; status: unknown } | undefined;
    if (row === undefined) this.report('ROWS_MISSING', `captures: custody row ${action.seq} ends capture ${capture.slice(0, 80)}, which has no captures row: it was deleted`);
    else if (row.finished_at !== action.at || row.status !== detail.status) this.report('ROWS_CHANGED', `captures: capture ${capture.slice(0, 80)} does not show the status and finish time its capture-end custody row ${action.seq} recorded: it was changed`);
  }

  private stream(table: DigestedTable): TableStream {
    const stream = this.streams.get(table);
    if (stream === undefined) throw new Error('the row check was used after it was closed');
    return stream;
  }

  private report(code: string, message: string): void {
    if (this.reported++ < MAX_FINDINGS) this.findings.push({ code, message });
  }
}
