/**
 * Runs audit log parsing on a worker thread (audit-parse-worker.ts), so reading, hashing and parsing
 * one batch overlaps with storing the one before it. One file at a time: its batches come in order,
 * and each must be acknowledged once stored before the worker posts the next.
 */
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

  constructor(caseKey: Uint8Array) {
    // A small young generation: a batch's strings are promoted soon anyway, and the heap stays compact.
    const options = { workerData: { caseKey }, resourceLimits: { maxYoungGenerationSizeMb: 8 } };
    this.worker = WORKER_URL.pathname.endsWith('.ts')
      // Run from source (tests under tsx): a worker does not inherit tsx's loader, so it registers it first.
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`, { ...options, eval: true })
      : new Worker(WORKER_URL, options);
    this.worker.on('message', (reply: ParserReply) => this.push(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the audit parsing thread stopped (exit code ${code})`)));
  }

  /** Yields the batches of one opened file in order; returns the file's facts and tally. Call acknowledge after storing each batch. */
  async *parse(opened: OpenedLog, file: string, limits: ReadLimits, onRawBytes: (n: number) => void): AsyncGenerator<AuditBatch, { facts: FileFacts; tally: FileTally }> {
    this.send({ type: 'file', opened, file, limits });
    for (;;) {
      const reply = await this.next();
      if (reply.type === 'progress') onRawBytes(reply.bytes);
      else if (reply.type === 'batch') yield reply.batch;
      else return { facts: reply.facts, tally: reply.tally };
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
