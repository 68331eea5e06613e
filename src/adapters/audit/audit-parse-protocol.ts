/** The messages between the ingest's main thread and its parsing worker (audit-parse-worker.ts). */
import type { AuditBatch, FileTally } from './audit-batches.js';
import type { FileFacts, OpenedLog, ReadLimits } from './read-audit-file.js';

/** Main thread to worker: parse this opened file, or one more batch was stored. */
export type ParserRequest =
  | { type: 'file'; opened: OpenedLog; file: string; limits: ReadLimits }
  | { type: 'ack' };

/** Worker to main thread: bytes read, a batch to store, or the end of the file with what it gave. */
export type ParserReply =
  | { type: 'progress'; bytes: number }
  | { type: 'batch'; batch: AuditBatch }
  | { type: 'end'; facts: FileFacts; tally: FileTally };
