/**
 * Pulls chunks from an untrusted byte source under a wall-time deadline, an idle timeout, a minimum
 * throughput and an abort signal. Every wait is a race against a timer, so no read can hang.
 */
import { performance } from 'node:perf_hooks';
import type { TarStreamLimits, TarStreamStop } from './tar-stream-types.js';

/** A chunk, the end of the source, or the reason reading must stop. */
export type ReadOutcome = { kind: 'chunk'; chunk: Buffer } | { kind: 'done' } | { kind: 'stop'; stop: TarStreamStop };

/** The outcome of a bounded wait. */
export type Raced<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/** A byte source read under time limits; `destroy` stops it without waiting for it. */
export class BoundedSource {
  private readonly iterator: AsyncIterator<unknown>;
  private pending: Promise<IteratorResult<unknown>> | null = null;
  private readonly wallAt: number;
  private lastByteAt: number;
  private windowStart: number;
  private windowBytes = 0;

  constructor(
    private readonly source: AsyncIterable<unknown>,
    private readonly limits: TarStreamLimits,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
    const now = performance.now();
    this.wallAt = now + limits.wallTimeMs;
    this.lastByteAt = this.windowStart = now;
  }

  /** Waits for the next chunk, at most until the next deadline; `atByte` is the offset reported on a stop. */
  async next(atByte: number): Promise<ReadOutcome> {
    for (;;) {
      const stop = this.checkTime(performance.now(), atByte);
      if (stop !== null) return { kind: 'stop', stop };
      this.pending ??= this.iterator.next();
      const raced = await this.race(this.pending, this.nextDeadline() - performance.now());
      if (raced.kind === 'timeout') continue;
      this.pending = null;
      if (raced.kind === 'error') return { kind: 'stop', stop: { code: 'STREAM_ERROR', message: `the source failed: ${describe(raced.error)}`, atByte } };
      if (raced.value.done === true) return { kind: 'done' };
      const chunk = toBuffer(raced.value.value);
      if (chunk === null) return { kind: 'stop', stop: { code: 'STREAM_ERROR', message: `the source yielded a ${typeof raced.value.value} instead of bytes (was an encoding set on it?)`, atByte } };
      // Empty chunks (an exec adapter may pass on empty frames) are not a sign of life.
      if (chunk.length > 0) this.lastByteAt = performance.now();
      this.windowBytes += chunk.length;
      return { kind: 'chunk', chunk };
    }
  }

  /** Milliseconds left before the wall-time deadline. */
  remainingMs(): number {
    return Math.max(0, this.wallAt - performance.now());
  }

  /** Stops the source: destroys a Node stream, or asks an iterator to return, without waiting for either. */
  destroy(): void {
    this.pending?.catch(() => undefined);
    const { source } = this;
    try {
      if ('destroy' in source && typeof source.destroy === 'function') source.destroy();
      else this.iterator.return?.().catch(() => undefined);
    } catch {
      // A source that throws while being stopped is stopped as far as kustody is concerned.
    }
  }

  private checkTime(now: number, atByte: number): TarStreamStop | null {
    const { limits } = this;
    if (this.signal?.aborted === true) return { code: 'ABORTED', message: 'the read was cancelled', atByte };
    if (now >= this.wallAt) return { code: 'STREAM_WALL_TIME', message: `the stream took longer than ${limits.wallTimeMs} ms`, atByte };
    if (now >= this.lastByteAt + limits.idleTimeMs) return { code: 'STREAM_IDLE', message: `the stream sent nothing for ${limits.idleTimeMs} ms`, atByte };
    if (limits.minBytesPerSecond > 0 && now >= this.windowStart + limits.throughputWindowMs) {
      const rate = (this.windowBytes * 1000) / (now - this.windowStart);
      if (rate < limits.minBytesPerSecond) {
        return { code: 'STREAM_TOO_SLOW', message: `the stream sent ${this.windowBytes} bytes in ${Math.round(now - this.windowStart)} ms, slower than ${limits.minBytesPerSecond} bytes per second`, atByte };
      }
      this.windowStart = now;
      this.windowBytes = 0;
    }
    return null;
  }

  private nextDeadline(): number {
    const { limits } = this;
    const window = limits.minBytesPerSecond > 0 ? this.windowStart + limits.throughputWindowMs : Infinity;
    // One millisecond late rather than early: timers round, and an early wake would only loop.
    return Math.min(this.wallAt, this.lastByteAt + limits.idleTimeMs, window) + 1;
  }

  private race<T>(promise: Promise<T>, ms: number): Promise<Raced<T>> {
    return raceTimeout(promise, ms, this.signal);
  }
}

/** Settles with `promise`'s outcome, or with a timeout after `ms` or when `signal` aborts, whichever comes first. */
export function raceTimeout<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<Raced<T>> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Raced<T>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () => done({ kind: 'timeout' });
    const timer = setTimeout(onAbort, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then((value) => done({ kind: 'value', value }), (error: unknown) => done({ kind: 'error', error }));
  });
}

function toBuffer(value: unknown): Buffer | null {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 200);
}
