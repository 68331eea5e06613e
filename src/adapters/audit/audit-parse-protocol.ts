/** The messages between the ingest's main thread and its parsing worker (audit-parse-worker.ts). */
import type { AuditBatch, FileTally } from './audit-batches.js';
import type { FileFacts, OpenedLog, ReadLimits } from './read-audit-file.js';

/** Main thread to worker: parse this opened file (its number names it in the raw bytes' messages), one more batch was stored, or a raw-bytes buffer comes back hashed. */
export type ParserRequest =
  | { type: 'file'; fileNumber: number; opened: OpenedLog; file: string; limits: ReadLimits }
  | { type: 'ack' }
  | { type: 'raw-back'; fileNumber: number; buffer: ArrayBuffer };

/**
 * Worker to main thread: the file's next raw bytes to hash (the first `length` bytes of a transferred
 * buffer, sent back once hashed), a batch to store, or the end of the file with what it gave.
 */
export type ParserReply =
  | { type: 'raw'; fileNumber: number; buffer: ArrayBuffer; length: number }
  | { type: 'batch'; batch: AuditBatch }
  | { type: 'end'; facts: FileFacts; tally: FileTally };
