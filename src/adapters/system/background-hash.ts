/**
 * A SHA-256 computed on a worker thread over bytes in shared memory, so the main thread can read the
 * next chunk while the previous one is hashed (and libuv's pool writes it): on two cores a copy that
 * hashes what it copies then costs about the slowest of read, hash and write instead of their sum.
 * The bytes are not copied to the worker; the caller must not change a range until its `update`
 * has resolved.
 */
import { Worker } from 'node:worker_threads';

// CommonJS evaluated in the worker: no file to resolve, so it runs the same from dist/ and under tsx.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (m) => {
  if (m.length === undefined) parentPort.postMessage({ id: m.id, digest: hash.digest('hex') });
  else {
    hash.update(new Uint8Array(m.buffer, m.offset, m.length));
    parentPort.postMessage({ id: m.id });
  }
});
`;

const WASM_PAGE = 64 * 1024;

// The one part of the WebAssembly global used here (the project's type libraries do not declare it).
declare const WebAssembly: { Memory: new (size: { initial: number; maximum: number; shared?: boolean }) => { buffer: ArrayBufferLike } };

/** Page-aligned memory that a worker can read without a copy (a shared WebAssembly memory). */
export function sharedAlignedBuffer(bytes: number): Buffer {
  const pages = Math.ceil(bytes / WASM_PAGE);
  return Buffer.from(new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer).subarray(0, bytes);
}

/** A running SHA-256 on a worker thread. */
export class BackgroundHash {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private readonly waiting = new Map<number, { resolve: (digest: string | undefined) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor() {
    this.worker.on('message', (m: { id: number; digest?: string }) => {
      this.waiting.get(m.id)?.resolve(m.digest);
      this.waiting.delete(m.id);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', () => this.fail(new Error('the hashing thread ended')));
  }

  /** Hashes `bytes`, a view of memory from sharedAlignedBuffer; resolves once the worker is done with it. */
  async update(bytes: Buffer): Promise<void> {
    if (!(bytes.buffer instanceof SharedArrayBuffer)) throw new Error('BackgroundHash.update takes shared memory only');
    await this.send({ buffer: bytes.buffer, offset: bytes.byteOffset, length: bytes.length });
  }

  /** The hex digest of everything hashed; then the worker ends. */
  async digest(): Promise<string> {
    const digest = await this.send({});
    await this.close();
    return digest ?? '';
  }

  /** Ends the worker (also after an error); safe to call twice. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private send(message: object): Promise<string | undefined> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const { reject } of this.waiting.values()) reject(this.failure);
    this.waiting.clear();
  }
}
