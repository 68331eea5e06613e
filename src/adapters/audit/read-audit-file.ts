/**
 * Streams one audit log file as lines, in bounded memory: plain or gzip (detected by its magic
 * bytes, several members as logrotate writes them). The file's bytes as read go, in order, to a
 * RawBytesSink, which hashes them (on the storing thread, so the two threads share the work).
 * Decompression is bounded (a gzip bomb stops at the ratio or total limit, the file marked cut), and
 * an unreadable or corrupt gzip stream ends the file early with the reason, never the run.
 */
import { readSync } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LineSplitter, type SplitLine } from '../../core/audit/line-splitter.js';
import { openRegularFile } from '../system/input-path.js';

/** Bounds on reading one file. */
export interface ReadLimits {
  maxLineBytes: number;
  /** Decompressed bytes this file may still produce (what is left of the run's total). */
  maxBytes: number;
  /** Decompressed bytes may exceed this multiple of the compressed bytes read (past the first 16 MiB). */
  maxGzipRatio: number;
}

/** What reading a file found out besides its lines, known once the lines are consumed. */
export interface FileFacts {
  size: number;
  /** Of the bytes read; filled by whoever hashes what the RawBytesSink was given. */
  sha256: string;
  gzip: boolean;
  /** Decompressed (or plain) bytes consumed. */
  bytes: number;
  /** Why the file was not read to its end, or null. */
  cut: string | null;
  /** Lines read (blank ones included) and how many were blank. */
  lines: number;
  blankLines: number;
}

const GZIP_GRACE_BYTES = 16 * 1024 * 1024;

/** An audit log opened for reading: its descriptor (closed by whoever opened it) and size at open. */
export interface OpenedLog {
  fd: number;
  size: number;
}

/** Opens an audit log: a regular file only (a link, folder or pipe is refused with the next step). */
export function openAuditFile(path: string): OpenedLog {
  const { fd, stat } = openRegularFile(path, { what: 'audit log', nextStep: 'Pass the audit log file itself (kube-apiserver --audit-log-path, or an export), not a link, folder or pipe.' });
  return { fd, size: stat.size };
}

/** Bytes read from a file at a time. */
export const CHUNK_BYTES = 1024 * 1024;

/** Takes a file's bytes as read, in order, and lends the buffers they are read into. */
export interface RawBytesSink {
  /** A buffer of CHUNK_BYTES at offset 0 of its own ArrayBuffer, to read into; may wait until one is free. */
  buffer(): Promise<Buffer>;
  /** Takes a buffer from `buffer()` holding the file's next bytes (`chunk` is a view of its start); the reader never touches it again. */
  give(chunk: Buffer): void;
  /** Takes back a buffer from `buffer()` that holds none of the file's bytes (the read that found its end, or failed). */
  putBack(buffer: Buffer): void;
}

/** Reads an opened log line by line (its descriptor is left open); `facts` (but sha256) is filled when the generator finishes. */
export async function* readAuditFile(opened: OpenedLog, limits: ReadLimits, facts: FileFacts, sink: RawBytesSink): AsyncGenerator<SplitLine> {
  const { fd } = opened;
  facts.size = opened.size;
  const magic = Buffer.alloc(2);
  const gzip = readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  facts.gzip = gzip;
  let raw = 0;
  const splitter = new LineSplitter(limits.maxLineBytes);
  let bytes = 0;
  // A plain chunk is handed over once its lines are consumed (the splitter copies out an unfinished
  // line); a compressed one is copied at once, since zlib may still be reading it.
  const chunks = gzip
    ? gunzipped(fd, async (chunk) => {
      raw += chunk.length;
      const copy = await sink.buffer();
      chunk.copy(copy);
      sink.give(copy.subarray(0, chunk.length));
    })
    : readChunks(fd, () => sink.buffer(), (buffer) => sink.putBack(buffer));
  try {
    for await (const chunk of chunks) {
      let piece = chunk;
      if (!gzip) raw += chunk.length;
      if (bytes + piece.length > limits.maxBytes) {
        piece = piece.subarray(0, Math.max(0, limits.maxBytes - bytes));
        facts.cut = `the total decompressed size limit (${limits.maxBytes} bytes left for this file) was reached`;
      } else if (gzip && bytes + piece.length > GZIP_GRACE_BYTES && bytes + piece.length > raw * limits.maxGzipRatio) {
        facts.cut = `decompressing gave more than ${limits.maxGzipRatio} times the compressed bytes read (a gzip bomb?)`;
      }
      bytes += piece.length;
      yield* splitter.push(piece);
      if (!gzip) sink.give(chunk);
      if (facts.cut !== null) break;
    }
  } catch (error) {
    facts.cut = `the file could not be read to its end: ${gzip ? 'the gzip stream is corrupt or truncated' : (error as NodeJS.ErrnoException).code ?? 'read error'}`;
  } finally {
    await chunks.return(undefined);
  }
  if (facts.cut === null) yield* splitter.end();
  facts.bytes = bytes;
  facts.lines = splitter.lines;
  facts.blankLines = splitter.blank;
  // The digest covers the file's bytes as read; when reading stopped early it covers only those.
  if (facts.cut === null && raw < opened.size) facts.cut = `the file grew or shrank while it was read (${opened.size} bytes at open, ${raw} read)`;
  facts.size = raw;
}

/** A file's bytes from offset 0, each chunk read into a buffer from `next`; one that gets no bytes goes to `unused`. */
async function* readChunks(fd: number, next: () => Promise<Buffer>, unused: (buffer: Buffer) => void = () => undefined): AsyncGenerator<Buffer> {
  for (let position = 0; ;) {
    const buffer = await next();
    let n: number;
    try {
      n = readSync(fd, buffer, 0, CHUNK_BYTES, position);
    } catch (error) {
      unused(buffer);
      throw error;
    }
    if (n === 0) {
      unused(buffer);
      return;
    }
    position += n;
    yield buffer.subarray(0, n);
  }
}

/** A gzip file's decompressed bytes (several members as logrotate writes them); each compressed chunk goes through `tap` first. */
async function* gunzipped(fd: number, tap: (chunk: Buffer) => Promise<void>): AsyncGenerator<Buffer> {
  // The descriptor is read here, never handed to a stream (which would close it); zlib may hold a chunk, so each is fresh.
  async function* compressed(): AsyncGenerator<Buffer> {
    for await (const chunk of readChunks(fd, async () => Buffer.allocUnsafe(CHUNK_BYTES))) {
      await tap(chunk);
      yield chunk;
    }
  }
  const source = Readable.from(compressed(), { objectMode: true, highWaterMark: 1 });
  // pipeline destroys every stream when one fails or the reader stops early; the error surfaces in the loop.
  const stream = pipeline(source, createGunzip({ chunkSize: 256 * 1024 }), () => undefined);
  try {
    yield* stream as AsyncIterable<Buffer>;
  } finally {
    stream.destroy();
    source.destroy();
  }
}
