/**
 * Streams one audit log file as lines, in bounded memory: plain or gzip (detected by its magic
 * bytes, several members as logrotate writes them), hashing the file's bytes as read. Decompression
 * is bounded (a gzip bomb stops at the ratio or total limit, the file marked cut), and an unreadable
 * or corrupt gzip stream ends the file early with the reason, never the run.
 */
import { createHash } from 'node:crypto';
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

const CHUNK_BYTES = 1024 * 1024;

/** Reads an opened log line by line (its descriptor is left open); `facts` is filled when the generator finishes. */
export async function* readAuditFile(opened: OpenedLog, limits: ReadLimits, facts: FileFacts, onRawBytes: (n: number) => void): AsyncGenerator<SplitLine> {
  const { fd } = opened;
  facts.size = opened.size;
  const magic = Buffer.alloc(2);
  const gzip = readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  facts.gzip = gzip;
  const hash = createHash('sha256');
  let raw = 0;
  const tapRaw = (chunk: Buffer) => {
    hash.update(chunk);
    raw += chunk.length;
    onRawBytes(chunk.length);
  };
  const splitter = new LineSplitter(limits.maxLineBytes);
  let bytes = 0;
  const chunks = gzip ? gunzipped(fd, tapRaw) : plainChunks(fd, tapRaw);
  try {
    for await (const chunk of chunks) {
      let piece = chunk;
      if (bytes + piece.length > limits.maxBytes) {
        piece = piece.subarray(0, Math.max(0, limits.maxBytes - bytes));
        facts.cut = `the total decompressed size limit (${limits.maxBytes} bytes left for this file) was reached`;
      } else if (gzip && bytes + piece.length > GZIP_GRACE_BYTES && bytes + piece.length > raw * limits.maxGzipRatio) {
        facts.cut = `decompressing gave more than ${limits.maxGzipRatio} times the compressed bytes read (a gzip bomb?)`;
      }
      bytes += piece.length;
      yield* splitter.push(piece);
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
  facts.sha256 = hash.digest('hex');
  facts.size = raw;
}

/** A plain file's bytes from offset 0, in fresh chunks (the splitter may keep a view of one until its line ends). */
async function* plainChunks(fd: number, tap: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for (let position = 0; ;) {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const n = readSync(fd, buffer, 0, CHUNK_BYTES, position);
    if (n === 0) return;
    const chunk = buffer.subarray(0, n);
    position += n;
    tap(chunk);
    yield chunk;
  }
}

/** A gzip file's decompressed bytes (several members as logrotate writes them); the compressed bytes go through `tap`. */
async function* gunzipped(fd: number, tap: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  // The descriptor is read by plainChunks, never handed to a stream (which would close it).
  const source = Readable.from(plainChunks(fd, tap), { objectMode: true, highWaterMark: 1 });
  // pipeline destroys every stream when one fails or the reader stops early; the error surfaces in the loop.
  const stream = pipeline(source, createGunzip({ chunkSize: 256 * 1024 }), () => undefined);
  try {
    yield* stream as AsyncIterable<Buffer>;
  } finally {
    stream.destroy();
    source.destroy();
  }
}
