/** The messages between the ingest's main thread and its parsing worker (audit-parse-worker.ts). */
import type { AuditBatch, FileTally } from './audit-batches.js';
import type { FileFacts, OpenedLog, ReadLimits } from './read-audit-file.js';

/** Bounds on one file, but the decompressed bytes it may give: the worker keeps what is left of the run's total. */
export type FileLimits = Omit<ReadLimits, 'maxBytes'>;

/** What the worker is started with: the case key (for fingerprints) and the decompressed bytes the whole run may read. */
export interface ParserWorkerData {
  caseKey: Uint8Array;
  maxTotalBytes: number;
}

/**
 * Main thread to worker: parse this opened file after those sent before it (its number names it in
 * the replies), one more batch was stored, or a raw-bytes buffer comes back hashed.
 */
export type ParserRequest =
  | { type: 'file'; fileNumber: number; opened: OpenedLog; file: string; limits: FileLimits }
  | { type: 'ack' }
  | { type: 'raw-back'; buffer: ArrayBuffer };

/**
 * Worker to main thread: the file's next raw bytes to hash (the first `length` bytes of a transferred
 * buffer, sent back once hashed), rows of the next batch (sent ahead of it), a batch to store (its
 * last rows), or the end of the file with what it gave. Files are parsed in the order sent, so the
 * batches and end of one come before any of the next.
 */
export type ParserReply =
  | { type: 'raw'; fileNumber: number; buffer: ArrayBuffer; length: number }
  | { type: 'rows'; rows: string[] }
  | { type: 'batch'; batch: AuditBatch }
  | { type: 'end'; fileNumber: number; facts: FileFacts; tally: FileTally };
