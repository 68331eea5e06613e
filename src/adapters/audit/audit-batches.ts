/**
 * Turns one opened audit log into batches ready to store: each batch holds its rows' JSON text
 * (audit-row-line.ts, encoded as soon as a line is parsed, so nothing of a parsed line outlives it),
 * its line range, the SHA-256 of those lines and what was skipped and why. A batch's rows go out in
 * parts of ROWS_PER_PART as they are made, so few of them are alive here at once (the parsing
 * thread's garbage collector copies every live string again and again). What the whole file gave
 * (times, skips, invalid UTF-8) is tallied on the side. Nothing in a line is fatal: a malformed line is counted and skipped.
 */
import { createHash, type Hash } from 'node:crypto';
import { storedRowJson } from '../../core/audit/audit-row-line.js';
import { parseAuditLine, type SkipReason } from '../../core/audit/parse-line.js';
import type { Fingerprint } from '../../core/capture/redact-argv.js';
import type { JsonValue } from '../../core/custody/canonical-json.js';
import { readAuditFile, type FileFacts, type OpenedLog, type RawBytesSink, type ReadLimits } from './read-audit-file.js';

/** Rows of a batch sent ahead of its end: bounds how many encoded rows the parsing thread holds. */
export const ROWS_PER_PART = 64;

/** A piece of a batch: rows of it (more follow), or its end (its last rows and what its custody row records). */
export type BatchPart = { kind: 'rows'; rows: string[]; textChars: number } | { kind: 'end'; batch: AuditBatch };

/** One batch of a file: its rows' values and the facts its custody row records. */
export interface AuditBatch {
  lineFrom: number;
  lineTo: number;
  linesSha256: string;
  events: number;
  /** Each row's JSON text, in line order (from the parser, only those not sent ahead in parts). */
  rows: string[];
  /** Characters of row text in `rows`. */
  textChars: number;
  skipped: Record<string, number>;
  skippedLines: JsonValue[];
}

/** What a whole file gave, besides its batches. */
export interface FileTally {
  events: number;
  skipped: Record<SkipReason, number>;
  invalidUtf8Lines: number;
  outOfOrder: number;
  firstAt: string | null;
  lastAt: string | null;
}

/** Bounds on one batch (one transaction and custody row). */
export const BATCH_ROWS = 2_500;
const BATCH_BYTES = 64 * 1024 * 1024;
// Characters of row text per batch: rows of hostile events can each carry up to ~200 KB of bounded values.
const BATCH_TEXT_CHARS = 16 * 1024 * 1024;
const MAX_LISTED_SKIPS = 20;
// An event more than this far behind the latest seen in its file counts as out of order (clock skew, merged files).
const OUT_OF_ORDER_MS = 60_000;
const STAMP_LENGTH = '2026-12-07T06:00:00.000Z'.length;

/** A tally with nothing counted yet. */
export function emptyTally(): FileTally {
  return { events: 0, skipped: { 'not-json': 0, 'not-audit-event': 0, 'too-long': 0, blank: 0 }, invalidUtf8Lines: 0, outOfOrder: 0, firstAt: null, lastAt: null };
}

interface Pending {
  /** Rows not yet sent in a part, and their characters. */
  rows: string[];
  partChars: number;
  hash: Hash;
  bytes: number;
  textChars: number;
  events: number;
  lineFrom: number | null;
  lineTo: number;
  skipped: Record<string, number>;
  skippedLines: JsonValue[];
}

const newPending = (): Pending => ({ rows: [], partChars: 0, hash: createHash('sha256'), bytes: 0, textChars: 0, events: 0, lineFrom: null, lineTo: 0, skipped: {}, skippedLines: [] });

/** Reads `opened` (named `file` in the rows) into batches, in parts, its raw bytes going to `sink`; `facts` (but sha256) and `tally` are complete when the generator finishes. */
export async function* auditBatches(opened: OpenedLog, file: string, limits: ReadLimits, fingerprint: Fingerprint, facts: FileFacts, tally: FileTally, sink: RawBytesSink): AsyncGenerator<BatchPart> {
  let pending = newPending();
  // The latest time seen in the file, and its milliseconds once parsed.
  let latestAt: string | null = null;
  let latestMs: number | null = null;
  const take = (): AuditBatch | null => {
    const done = pending;
    pending = newPending();
    if (done.lineFrom === null) return null;
    return { lineFrom: done.lineFrom, lineTo: done.lineTo, linesSha256: done.hash.digest('hex'), events: done.events, rows: done.rows, textChars: done.partChars, skipped: done.skipped, skippedLines: done.skippedLines };
  };
  const skip = (reason: SkipReason, line: number, extra: Record<string, JsonValue>) => {
    tally.skipped[reason] += 1;
    if (reason === 'blank') return;
    pending.skipped[reason] = (pending.skipped[reason] ?? 0) + 1;
    if (pending.skippedLines.length < MAX_LISTED_SKIPS) pending.skippedLines.push({ line, reason, ...extra });
  };
  for await (const line of readAuditFile(opened, limits, facts, sink)) {
    // The digest is of the lines as `sed -n 'A,Bp'` prints them: the empty lines inside the range
    // included, a last line without its newline left so, lines over the size limit left out.
    if (pending.lineFrom === null) pending.lineFrom = line.line;
    else if (line.blankBefore > 0) pending.hash.update('\n'.repeat(line.blankBefore));
    pending.lineTo = line.line;
    if (line.kind === 'too-long') skip('too-long', line.line, { size: line.size });
    else {
      pending.hash.update(line.bytes);
      if (line.terminated) pending.hash.update('\n');
      pending.bytes += line.bytes.length;
      const parsed = parseAuditLine(line.bytes, fingerprint, { file, line: line.line });
      if (parsed.invalidUtf8) tally.invalidUtf8Lines += 1;
      if (!parsed.ok) skip(parsed.reason, line.line, {});
      else {
        for (const row of parsed.rows) {
          const json = storedRowJson(row);
          // normalizeEvent escapes every lone surrogate and keeps only safe integers: a row it built is always storable.
          if (json === null) throw new Error(`audit-batches: the row of line ${line.line} holds a value SQLite would not store as given`);
          pending.textChars += json.length;
          pending.partChars += json.length;
          pending.rows.push(json);
          if (pending.rows.length >= ROWS_PER_PART) {
            yield { kind: 'rows', rows: pending.rows, textChars: pending.partChars };
            pending.rows = [];
            pending.partChars = 0;
          }
          const at = row.stage_timestamp;
          if (at === null) continue;
          if (tally.firstAt === null || at < tally.firstAt) tally.firstAt = at;
          if (tally.lastAt === null || at > tally.lastAt) tally.lastAt = at;
          // Stamps of the one width (YYYY-MM-DDTHH:MM:SS.mmmZ) order as text: one at or after the latest needs no parsing.
          if (latestAt !== null && at.length === STAMP_LENGTH && latestAt.length === STAMP_LENGTH && at >= latestAt) {
            latestAt = at;
            latestMs = null;
            continue;
          }
          const ms = Date.parse(at);
          const latest: number = latestMs ?? (latestAt === null ? -Infinity : Date.parse(latestAt));
          if (ms < latest - OUT_OF_ORDER_MS) tally.outOfOrder += 1;
          if (ms > latest) {
            latestAt = at;
            latestMs = ms;
          } else latestMs = latest;
        }
        pending.events += parsed.rows.length;
        tally.events += parsed.rows.length;
      }
    }
    if (pending.events >= BATCH_ROWS || pending.bytes >= BATCH_BYTES || pending.textChars >= BATCH_TEXT_CHARS) {
      const batch = take();
      if (batch !== null) yield { kind: 'end', batch };
    }
  }
  const last = take();
  if (last !== null) yield { kind: 'end', batch: last };
  tally.skipped.blank = facts.blankLines;
}
