/**
 * `kustody audit ingest`: reads audit logs as hostile input and stores their events in the case.
 * Files are streamed line by line; every batch of events is one transaction with its custody row
 * (source file, line range, SHA-256 of those lines, row digest), and each file ends with a row
 * giving the SHA-256 of the whole file as read and what was skipped and why. Nothing in a log is
 * fatal: a malformed line is counted and skipped, a file that cannot be read to its end is marked cut.
 */
import { createHash, type Hash } from 'node:crypto';
import { resolve } from 'node:path';
import type { SkipReason } from '../core/audit/parse-line.js';
import { parseAuditLine } from '../core/audit/parse-line.js';
import type { JsonValue } from '../core/custody/canonical-json.js';
import { fingerprintSecret } from '../core/credentials/fingerprint.js';
import { readAuditFile, type FileFacts, type ReadLimits } from '../adapters/audit/read-audit-file.js';
import { commitAuditBatch, type IngestStamp, type StoredAuditRow } from '../adapters/store/audit-store.js';
import { recordAction } from '../adapters/store/case-store.js';
import type { WritableDb } from '../adapters/store/open-store.js';

/** Bounds on one ingest run. */
export interface IngestLimits {
  maxLineBytes: number;
  maxTotalBytes: number;
  maxGzipRatio: number;
}

/** The defaults: generous for real logs (an event at RequestResponse level is rarely over 3 MB), bounded for hostile ones. */
export const DEFAULT_INGEST_LIMITS: IngestLimits = { maxLineBytes: 8 * 1024 * 1024, maxTotalBytes: 64 * 1024 ** 3, maxGzipRatio: 200 };

/** Progress of a run, for a progress bar. */
export interface IngestProgress {
  file: string;
  fileIndex: number;
  files: number;
  rawBytes: number;
  totalRawBytes: number;
  events: number;
}

/** What one file gave. */
export interface FileSummary {
  file: string;
  size: number;
  sha256: string;
  gzip: boolean;
  lines: number;
  events: number;
  inserted: number;
  duplicates: number;
  skipped: Record<SkipReason, number>;
  invalidUtf8Lines: number;
  outOfOrder: number;
  firstAt: string | null;
  lastAt: string | null;
  cut: string | null;
}

const BATCH_ROWS = 10_000;
const BATCH_BYTES = 64 * 1024 * 1024;
const MAX_LISTED_SKIPS = 20;
// An event more than this far behind the latest seen in its file counts as out of order (clock skew, merged files).
const OUT_OF_ORDER_MS = 60_000;

/** Ingests the files in order into the case; returns one summary per file. */
export async function ingestAuditLogs(db: WritableDb, input: { files: readonly string[]; caseKey: Uint8Array; limits: IngestLimits; actor: string; now: () => string; sizes: readonly number[]; onProgress?: (p: IngestProgress) => void }): Promise<FileSummary[]> {
  const fingerprint = (value: string) => fingerprintSecret(input.caseKey, value);
  const totalRawBytes = input.sizes.reduce((a, b) => a + b, 0);
  const summaries: FileSummary[] = [];
  let rawBytes = 0;
  let events = 0;
  let bytesLeft = input.limits.maxTotalBytes;
  for (const [fileIndex, given] of input.files.entries()) {
    const file = resolve(given);
    const stamp = (): IngestStamp => ({ at: input.now(), actor: input.actor });
    const facts: FileFacts = { size: 0, sha256: '', gzip: false, bytes: 0, cut: null, lines: 0, blankLines: 0 };
    const summary: FileSummary = { file, size: 0, sha256: '', gzip: false, lines: 0, events: 0, inserted: 0, duplicates: 0, skipped: { 'not-json': 0, 'not-audit-event': 0, 'too-long': 0, blank: 0 }, invalidUtf8Lines: 0, outOfOrder: 0, firstAt: null, lastAt: null, cut: null };
    const limits: ReadLimits = { maxLineBytes: input.limits.maxLineBytes, maxBytes: bytesLeft, maxGzipRatio: input.limits.maxGzipRatio };
    let batch = newBatch();
    let latestMs = -Infinity;
    const report = () => input.onProgress?.({ file, fileIndex, files: input.files.length, rawBytes, totalRawBytes, events });
    const flush = () => {
      if (batch.lineFrom === null) return;
      const detail: Record<string, JsonValue> = {
        step: 'audit-ingest', source_file: file, line_from: batch.lineFrom, line_to: batch.lineTo,
        lines_sha256: batch.hash.digest('hex'), events_parsed: batch.rows.length,
        skipped: { ...batch.skipped }, skipped_lines: batch.skippedLines,
      };
      const { inserted } = commitAuditBatch(db, { target: `audit-log:${file}`, detail, rows: batch.rows }, stamp());
      summary.inserted += inserted;
      summary.duplicates += batch.rows.length - inserted;
      batch = newBatch();
    };
    let nextReport = 2000;
    for await (const line of readAuditFile(file, limits, facts, (n) => { rawBytes += n; })) {
      batch.lineFrom ??= line.line;
      batch.lineTo = line.line;
      if (line.kind === 'too-long') {
        skip(batch, summary, 'too-long', line.line, { size: line.size });
      } else {
        batch.hash.update(line.bytes).update('\n');
        batch.bytes += line.bytes.length;
        const parsed = parseAuditLine(line.bytes, fingerprint);
        if (parsed.invalidUtf8) summary.invalidUtf8Lines += 1;
        if (!parsed.ok) skip(batch, summary, parsed.reason, line.line, {});
        else {
          for (const row of parsed.rows) {
            batch.rows.push({ ...row, source_file: file, line: line.line });
            const at = row.stage_timestamp;
            if (at === null) continue;
            if (summary.firstAt === null || at < summary.firstAt) summary.firstAt = at;
            if (summary.lastAt === null || at > summary.lastAt) summary.lastAt = at;
            const ms = Date.parse(at);
            if (ms < latestMs - OUT_OF_ORDER_MS) summary.outOfOrder += 1;
            if (ms > latestMs) latestMs = ms;
          }
          summary.events += parsed.rows.length;
          events += parsed.rows.length;
        }
      }
      if (batch.rows.length >= BATCH_ROWS || batch.bytes >= BATCH_BYTES) flush();
      if (line.line >= nextReport) {
        nextReport = line.line + 2000;
        report();
      }
    }
    flush();
    report();
    bytesLeft -= facts.bytes;
    Object.assign(summary, { size: facts.size, sha256: facts.sha256, gzip: facts.gzip, cut: facts.cut, lines: facts.lines });
    summary.skipped.blank = facts.blankLines;
    recordAction(db, { ...stamp(), kind: 'observe', target: `audit-log:${file}`, detail: fileDetail(summary), outcome: facts.cut === null ? 'ok' : 'partial' });
    summaries.push(summary);
  }
  return summaries;
}

interface Batch {
  rows: StoredAuditRow[];
  hash: Hash;
  bytes: number;
  lineFrom: number | null;
  lineTo: number;
  skipped: Record<string, number>;
  skippedLines: JsonValue[];
}

function newBatch(): Batch {
  return { rows: [], hash: createHash('sha256'), bytes: 0, lineFrom: null, lineTo: 0, skipped: {}, skippedLines: [] };
}

function skip(batch: Batch, summary: FileSummary, reason: SkipReason, line: number, extra: Record<string, JsonValue>): void {
  summary.skipped[reason] += 1;
  if (reason === 'blank') return;
  batch.skipped[reason] = (batch.skipped[reason] ?? 0) + 1;
  if (batch.skippedLines.length < MAX_LISTED_SKIPS) batch.skippedLines.push({ line, reason, ...extra });
}

function fileDetail(s: FileSummary): Record<string, JsonValue> {
  return {
    step: 'audit-ingest-file', source_file: s.file, size: s.size, sha256: s.sha256, gzip: s.gzip, lines: s.lines,
    events: s.events, inserted: s.inserted, duplicates: s.duplicates, skipped: { ...s.skipped }, invalid_utf8_lines: s.invalidUtf8Lines,
    out_of_order: s.outOfOrder, first_at: s.firstAt, last_at: s.lastAt, cut: s.cut,
  };
}
