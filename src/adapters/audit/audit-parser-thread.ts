/**
 * Runs audit log parsing on a worker thread (audit-parse-worker.ts), so reading and parsing one batch
 * overlaps with storing the one before it. One file at a time: its batches come in order, and each
 * must be acknowledged once stored. The file's bytes as read come over too, and are hashed here as
 * they arrive (the worker's other hashing, of each batch's lines, keeps it the busier thread).
 */
import { createHash, type Hash } from 'node:crypto';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AuditBatch, FileTally } from './audit-batches.js';
import type { ParserReply, ParserRequest } from './audit-parse-protocol.js';
import type { FileFacts, OpenedLog, ReadLimits } from './read-audit-file.js';

// The worker is the sibling module, compiled (.js) or, under tsx in tests, as source (.ts).
const WORKER_URL = new URL(`./audit-parse-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** A parsing worker for one ingest run. */
export class AuditParserThread {
  private readonly worker: Worker;
  private readonly replies: ParserReply[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private fileNumber = 0;
  private fileHash: Hash = createHash('sha256');
  private hashedBytes = 0;
  private onRawBytes: (n: number) => void = () => undefined;

  constructor(caseKey: Uint8Array) {
    // A small young generation: a batch's strings are promoted soon anyway, and the heap stays compact.
    const options = { workerData: { caseKey }, resourceLimits: { maxYoungGenerationSizeMb: 8 } };
    this.worker = WORKER_URL.pathname.endsWith('.ts')
      // Run from source (tests under tsx): a worker does not inherit tsx's loader, so it registers it first.
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`, { ...options, eval: true })
      : new Worker(WORKER_URL, options);
    this.worker.on('message', (reply: ParserReply) => {
      if (reply.type === 'raw') this.hashRaw(reply);
      else this.push(reply);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the audit parsing thread stopped (exit code ${code})`)));
  }

  /** Yields the batches of one opened file in order; returns the file's facts and tally. Call acknowledge after storing each batch. */
  async *parse(opened: OpenedLog, file: string, limits: ReadLimits, onRawBytes: (n: number) => void): AsyncGenerator<AuditBatch, { facts: FileFacts; tally: FileTally }> {
    this.fileNumber += 1;
    this.fileHash = createHash('sha256');
    this.hashedBytes = 0;
    this.onRawBytes = onRawBytes;
    this.send({ type: 'file', fileNumber: this.fileNumber, opened, file, limits });
    for (;;) {
      const reply = await this.next();
      if (reply.type === 'batch') yield reply.batch;
      else if (reply.type === 'end') {
        const { facts, tally } = reply;
        // Every raw message of the file came before its end, on the same channel.
        if (this.hashedBytes !== facts.size) throw new Error(`audit-parser-thread: ${this.hashedBytes} bytes were hashed of the ${facts.size} read`);
        facts.sha256 = this.fileHash.digest('hex');
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
    if (reply.fileNumber === this.fileNumber) {
      this.fileHash.update(new Uint8Array(reply.buffer, 0, reply.length));
      this.hashedBytes += reply.length;
      this.onRawBytes(reply.length);
    }
    this.worker.postMessage({ type: 'raw-back', fileNumber: reply.fileNumber, buffer: reply.buffer } satisfies ParserRequest, [reply.buffer]);
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
