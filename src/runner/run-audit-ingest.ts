/**
 * `kustody audit ingest`: reads audit logs as hostile input and stores their events in the case.
 * Files are streamed line by line and parsed on a worker thread while the main thread stores the
 * batch before (the next file is read while the last batches of one are stored); every batch of
 * events is one transaction with its custody row (source file, line range, SHA-256 of those lines,
 * row digest), and each file ends with a row
 * giving the SHA-256 of the whole file as read and what was skipped and why. Nothing in a log is
 * fatal: a malformed line is counted and skipped, a file that cannot be read to its end is marked cut.
 * A large ingest builds the lookup indexes once at its end (audit-indexes.ts).
 */
import { closeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SkipReason } from '../core/audit/parse-line.js';
import type { JsonValue } from '../core/custody/canonical-json.js';
import type { FileTally } from '../adapters/audit/audit-batches.js';
import { AuditParserThread } from '../adapters/audit/audit-parser-thread.js';
import { openAuditFile, type FileFacts } from '../adapters/audit/read-audit-file.js';
import { deferAuditIndexes } from '../adapters/store/audit-indexes.js';
import { bulkCheckpoints, commitAuditRows, type IngestStamp } from '../adapters/store/audit-store.js';
import { recordAction } from '../adapters/store/case-store.js';
import { pausePoint } from './pause-points.js';
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

/** Ingests the files in order into the case; returns one summary per file. */
export async function ingestAuditLogs(db: WritableDb, input: { files: readonly string[]; caseKey: Uint8Array; limits: IngestLimits; actor: string; now: () => string; sizes: readonly number[]; onProgress?: (p: IngestProgress) => void }): Promise<FileSummary[]> {
  const totalRawBytes = input.sizes.reduce((a, b) => a + b, 0);
  const summaries: FileSummary[] = [];
  let rawBytes = 0;
  let events = 0;
  let current = { file: '', fileIndex: 0 };
  const report = () => input.onProgress?.({ ...current, files: input.files.length, rawBytes, totalRawBytes, events });
  const parser = new AuditParserThread(input.caseKey, input.limits.maxTotalBytes, (n) => {
    rawBytes += n;
    report();
  });
  const fileLimits = { maxLineBytes: input.limits.maxLineBytes, maxGzipRatio: input.limits.maxGzipRatio };
  // Descriptors of started files not yet finished: the worker may be reading them until it stops.
  const open = new Set<number>();
  // The next file is opened and started while this one's batches are stored, so parsing runs on across
  // files; a file that cannot be opened fails the run when its turn comes, after those before it are stored.
  const startFile = (fileIndex: number): StartedFile | null => {
    const given = input.files[fileIndex];
    if (given === undefined) return null;
    const file = resolve(given);
    try {
      const opened = openAuditFile(file);
      open.add(opened.fd);
      return { file, fd: opened.fd, fileNumber: parser.start(opened, file, fileLimits) };
    } catch (error) {
      return { file, error };
    }
  };
  const restoreCheckpoints = bulkCheckpoints(db);
  const buildIndexes = deferAuditIndexes(db, totalRawBytes);
  try {
    let next = startFile(0);
    for (let fileIndex = 0; next !== null; fileIndex += 1) {
      const started = next;
      if ('error' in started) throw started.error;
      next = startFile(fileIndex + 1);
      const { file } = started;
      current = { file, fileIndex };
      const stamp = (): IngestStamp => ({ at: input.now(), actor: input.actor });
      let inserted = 0;
      const batches = parser.batches(started.fileNumber);
      let end: { facts: FileFacts; tally: FileTally };
      for (let step = await batches.next(); ; step = await batches.next()) {
        if (step.done === true) {
          end = step.value;
          break;
        }
        const batch = step.value;
        const detail: Record<string, JsonValue> = {
          step: 'audit-ingest', source_file: file, line_from: batch.lineFrom, line_to: batch.lineTo,
          lines_sha256: batch.linesSha256, events_parsed: batch.events, skipped: batch.skipped, skipped_lines: batch.skippedLines,
        };
        inserted += commitAuditRows(db, { target: `audit-log:${file}`, detail, rows: batch.rows }, stamp()).inserted;
        parser.acknowledge();
        events += batch.events;
        await pausePoint('audit-ingest:after-batch');
      }
      // The worker is done with this file (its end came after its last read).
      open.delete(started.fd);
      closeSync(started.fd);
      const { facts, tally } = end;
      const summary: FileSummary = {
        file, size: facts.size, sha256: facts.sha256, gzip: facts.gzip, lines: facts.lines, events: tally.events, inserted, duplicates: tally.events - inserted,
        skipped: tally.skipped, invalidUtf8Lines: tally.invalidUtf8Lines, outOfOrder: tally.outOfOrder, firstAt: tally.firstAt, lastAt: tally.lastAt, cut: facts.cut,
      };
      report();
      recordAction(db, { ...stamp(), kind: 'observe', target: `audit-log:${file}`, detail: fileDetail(summary), outcome: facts.cut === null ? 'ok' : 'partial' });
      summaries.push(summary);
    }
  } finally {
    try {
      // A file still open may still be read: the worker is stopped before its descriptor is closed (and its number reused).
      if (open.size > 0) await parser.close();
      for (const fd of open) closeSync(fd);
      buildIndexes();
    } finally {
      restoreCheckpoints();
      await parser.close();
    }
  }
  return summaries;
}

/** A file sent to the parsing worker, or why it could not be opened. */
type StartedFile = { file: string; fd: number; fileNumber: number } | { file: string; error: unknown };

function fileDetail(s: FileSummary): Record<string, JsonValue> {
  return {
    step: 'audit-ingest-file', source_file: s.file, size: s.size, sha256: s.sha256, gzip: s.gzip, lines: s.lines,
    events: s.events, inserted: s.inserted, duplicates: s.duplicates, skipped: { ...s.skipped }, invalid_utf8_lines: s.invalidUtf8Lines,
    out_of_order: s.outOfOrder, first_at: s.firstAt, last_at: s.lastAt, cut: s.cut,
  };
}
