/**
 * Reads the tar a capture collector streams out of (or next to) a suspect workload, with tar-stream,
 * under hard limits. It never touches the file system and returns names only as data.
 *
 * What tar-stream 3.2.2 (installed; the threat model read 3.1.8) buffers and trusts, from reading its
 * extract.js and headers.js:
 * - PAX (`x`, `g`) and GNU long-name (`L`, `K`, `N`) records are held whole in its BufferList until
 *   complete, then concatenated and decoded; the only bound is a hard-coded 4 MiB per record
 *   (MAX_HEADER_SIZE), with no limit on how many. A `g` record is merged under every later `x`.
 * - Member data is not buffered: it is pushed to the entry stream as views of the written chunks,
 *   which it reads after `write()` returns (so a source that reuses its buffer would change what
 *   tar-stream parses after the guard checked it: each chunk is copied before it is written).
 * - Sizes are read leniently: octal by parseInt (`12x` reads as 10, `-1` reaches its `size >= 0`
 *   check), a PAX `size` overrides the header, and base-256 with a sign byte other than 0x80 or 0xFF
 *   yields `null`, which passes that check, frames as 0 and never ends the entry stream: a hang. A
 *   directory (or a type-0 member named `x/`) with a non-zero size hangs the same way.
 * - An empty long record leaves it in long-header mode, and it later consumes the next member's size
 *   as a header body: the framing desynchronises.
 * - Zero blocks are skipped rather than ending the archive, so members after the end marker are emitted.
 * - Names are decoded as UTF-8 (invalid bytes become U+FFFD); a GNU long name stops at its first NUL,
 *   while a PAX path keeps NULs.
 * So the raw stream is counted and capped here, and TarFramer walks it block by block ahead of
 * tar-stream, refusing each of these before tar-stream sees the block and keeping exact name bytes.
 */
import { performance } from 'node:perf_hooks';
import tar from 'tar-stream';
import { BoundedSource, raceTimeout } from './bounded-source.js';
import { EntryCollector } from './entry-collector.js';
import { TarFramer } from './tar-framer.js';
import { resolveLimits, type TarStreamLimits, type TarStreamResult, type TarStreamStop } from './tar-stream-types.js';

// tar-stream only has in-memory work left once the source is done; this bounds waiting for it.
const SETTLE_GRACE_MS = 1000;

/** Reads a capture tar from an untrusted byte stream under `limits`, keeping every entry read before any stop. */
export async function readTarStream(
  source: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
  limits: Partial<TarStreamLimits> = {},
  signal?: AbortSignal,
): Promise<TarStreamResult> {
  const resolved = resolveLimits(limits);
  const framer = new TarFramer(resolved);
  const extract = tar.extract();
  const collector = new EntryCollector(extract, framer, resolved.maxEntryBytes);
  const input = new BoundedSource(source, resolved, signal);
  const state = { bytesRead: 0 };
  try {
    let stopped = await pump(input, framer, extract, collector, resolved, state, signal);
    if (stopped !== null) input.destroy();
    if (!(await settle(collector))) {
      // Only a gap in the guard can leave tar-stream stuck; say so even when another stop came first.
      const stuck = 'tar-stream did not deliver every member it was given';
      stopped = stopped === null ? corrupt(stuck, state.bytesRead) : { ...stopped, message: `${stopped.message}; also, ${stuck}` };
    }
    if (stopped === null) {
      const ended = new Promise<void>((resolve) => {
        extract.once('close', resolve);
        extract.once('finish', resolve);
      });
      extract.end(undefined);
      if ((await raceTimeout(ended, SETTLE_GRACE_MS)).kind !== 'value') stopped = corrupt('tar-stream did not finish the archive', state.bytesRead);
    }
    if (collector.failure !== null && (stopped === null || stopped.code === 'TAR_CORRUPT')) stopped = corrupt(collector.failure, state.bytesRead);
    return { entries: collector.finish(), stopped, bytesRead: state.bytesRead, limits: resolved };
  } catch (error) {
    input.destroy();
    throw error;
  } finally {
    extract.destroy();
  }
}

async function pump(
  input: BoundedSource,
  framer: TarFramer,
  extract: tar.Extract,
  collector: EntryCollector,
  limits: TarStreamLimits,
  state: { bytesRead: number },
  signal: AbortSignal | undefined,
): Promise<TarStreamStop | null> {
  for (;;) {
    const outcome = await input.next(state.bytesRead);
    if (outcome.kind === 'stop') return outcome.stop;
    if (outcome.kind === 'done') return framer.finish();
    let { chunk } = outcome;
    let capped: TarStreamStop | null = null;
    // The cap applies to raw bytes, before the framer or tar-stream look at them.
    const room = limits.maxTotalBytes - state.bytesRead;
    if (chunk.length > room) {
      chunk = chunk.subarray(0, room);
      capped = { code: 'STREAM_BYTE_LIMIT', message: `the stream sent more than ${limits.maxTotalBytes} bytes`, atByte: limits.maxTotalBytes };
    }
    state.bytesRead += chunk.length;
    const framed = framer.push(chunk);
    // tar-stream reads the chunk later than the framer did: give it a copy so both see the same bytes
    // even if the source reuses its buffer.
    if (framed.pass > 0 && !extract.write(Buffer.from(chunk.subarray(0, framed.pass))) && collector.failure === null) {
      const drained = await raceTimeout(drainOrClose(extract), input.remainingMs(), signal);
      if (drained.kind === 'timeout') {
        return signal?.aborted === true
          ? { code: 'ABORTED', message: 'the read was cancelled', atByte: state.bytesRead }
          : { code: 'STREAM_WALL_TIME', message: `the stream took longer than ${limits.wallTimeMs} ms`, atByte: state.bytesRead };
      }
    }
    if (collector.failure !== null) return corrupt(collector.failure, state.bytesRead);
    const stop = framed.stop ?? capped;
    if (stop !== null) return stop;
  }
}

function drainOrClose(extract: tar.Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      extract.off('drain', done);
      extract.off('close', done);
      resolve();
    };
    extract.on('drain', done);
    extract.on('close', done);
  });
}

async function settle(collector: EntryCollector): Promise<boolean> {
  const until = performance.now() + SETTLE_GRACE_MS;
  while (!collector.settled() && performance.now() < until) await new Promise((resolve) => setImmediate(resolve));
  return collector.settled();
}

function corrupt(message: string, atByte: number): TarStreamStop {
  return { code: 'TAR_CORRUPT', message, atByte };
}
