/**
 * Runs audit log parsing on a worker thread (audit-parse-worker.ts), so reading and parsing one batch
 * overlaps with storing the one before it. Files are parsed in the order started, and the next may
 * be started while the batches of one are still being stored: its batches come after the one's end.
 * Each batch must be acknowledged once stored; its rows may come ahead of it, in parts. The files'
 * bytes as read come over too, and are hashed here as they arrive, each file on its own (the worker
 * hashes each batch's lines), so the two threads are about equally busy.
 */
import { createHash, type Hash } from 'node:crypto';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AuditBatch, FileTally } from './audit-batches.js';
import type { FileLimits, ParserReply, ParserRequest, ParserWorkerData } from './audit-parse-protocol.js';
import type { FileFacts, OpenedLog } from './read-audit-file.js';

// The worker is the sibling module, compiled (.js) or, under tsx in tests, as source (.ts).
const WORKER_URL = new URL(`./audit-parse-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** A parsing worker for one ingest run. */
export class AuditParserThread {
  private readonly worker: Worker;
  private readonly replies: ParserReply[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  // Rows of the next batch, sent ahead of it.
  private aheadRows: string[][] = [];
  private lastStarted = 0;
  private lastFinished = 0;
  // The file hash of each started file not yet finished, by file number.
  private readonly hashes = new Map<number, { hash: Hash; bytes: number }>();

  /** `maxTotalBytes` bounds the decompressed bytes of all files together; `onRawBytes` hears of every file's bytes as they are hashed. */
  constructor(caseKey: Uint8Array, maxTotalBytes: number, private readonly onRawBytes: (n: number) => void = () => undefined) {
    // A small young generation: a parsed line's objects die young, and rows leave in parts (audit-batches.ts), so little survives a scavenge.
    const options = { workerData: { caseKey, maxTotalBytes } satisfies ParserWorkerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } };
    this.worker = WORKER_URL.pathname.endsWith('.ts')
      // Run from source (tests under tsx): a worker does not inherit tsx's loader, so it registers it first.
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`, { ...options, eval: true })
      : new Worker(WORKER_URL, options);
    this.worker.on('message', (reply: ParserReply) => {
      if (reply.type === 'raw') this.hashRaw(reply);
      else if (reply.type === 'rows') this.aheadRows.push(reply.rows);
      else if (reply.type === 'batch') {
        // The rows sent ahead of a batch come first, in order.
        if (this.aheadRows.length > 0) reply.batch.rows = [...this.aheadRows, reply.batch.rows].flat();
        this.aheadRows = [];
        this.push(reply);
      } else this.push(reply);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the audit parsing thread stopped (exit code ${code})`)));
  }

  /** Sends an opened file to be parsed after those started before it; returns its number, for `batches`. */
  start(opened: OpenedLog, file: string, limits: FileLimits): number {
    this.lastStarted += 1;
    this.hashes.set(this.lastStarted, { hash: createHash('sha256'), bytes: 0 });
    this.send({ type: 'file', fileNumber: this.lastStarted, opened, file, limits });
    return this.lastStarted;
  }

  /**
   * Yields the batches of the started file numbered `fileNumber`, which must be the oldest not yet
   * finished; returns the file's facts (its SHA-256 as read included) and tally. Call acknowledge after storing each batch.
   */
  async *batches(fileNumber: number): AsyncGenerator<AuditBatch, { facts: FileFacts; tally: FileTally }> {
    if (fileNumber !== this.lastFinished + 1 || fileNumber > this.lastStarted) throw new Error(`audit-parser-thread: file ${fileNumber} is not the next to finish (${this.lastFinished + 1})`);
    for (;;) {
      const reply = await this.next();
      if (reply.type === 'batch') yield reply.batch;
      else if (reply.type === 'end') {
        const { facts, tally } = reply;
        const hashed = this.hashes.get(fileNumber);
        if (reply.fileNumber !== fileNumber || hashed === undefined) throw new Error(`audit-parser-thread: the end of file ${reply.fileNumber} came while reading file ${fileNumber}`);
        // Every raw message of the file came before its end, on the same channel.
        if (hashed.bytes !== facts.size) throw new Error(`audit-parser-thread: ${hashed.bytes} bytes were hashed of the ${facts.size} read`);
        facts.sha256 = hashed.hash.digest('hex');
        this.hashes.delete(fileNumber);
        this.lastFinished = fileNumber;
        return { facts, tally };
      }
    }
  }

  /** Tells the worker one more batch was stored. */
  acknowledge(): void {
    this.send({ type: 'ack' });
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private send(request: ParserRequest): void {
    this.worker.postMessage(request);
  }

  // Hashed as soon as it arrives (in file order), then the buffer goes back to be read into again.
  private hashRaw(reply: Extract<ParserReply, { type: 'raw' }>): void {
    const hashed = this.hashes.get(reply.fileNumber);
    if (hashed !== undefined) {
      hashed.hash.update(new Uint8Array(reply.buffer, 0, reply.length));
      hashed.bytes += reply.length;
      this.onRawBytes(reply.length);
    }
    this.worker.postMessage({ type: 'raw-back', buffer: reply.buffer } satisfies ParserRequest, [reply.buffer]);
  }

  private async next(): Promise<ParserReply> {
    for (;;) {
      const reply = this.replies.shift();
      if (reply !== undefined) return reply;
      if (this.failure !== null) throw this.failure;
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  private push(reply: ParserReply): void {
    this.replies.push(reply);
    this.wakeUp();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
