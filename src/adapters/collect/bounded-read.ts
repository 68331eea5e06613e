/** Reads /proc files whole but bounded: /proc reports size 0, so a file is read until EOF or the cap. */
import { closeSync, constants, fstatSync, openSync, readSync, readlinkSync, statSync } from 'node:fs';
import type { RawFile, RawLink } from '../../core/capture/raw-capture.js';

/** Reads a file up to `maxBytes`; a missing or unreadable file becomes an error code, never a throw. */
export function readBounded(path: string, maxBytes: number, extraFlags = 0): RawFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK | extraFlags);
  } catch (error) {
    return { bytes: new Uint8Array(0), truncated: false, error: codeOf(error) };
  }
  try {
    if (!fstatSync(fd).isFile()) return { bytes: new Uint8Array(0), truncated: false, error: 'not a regular file' };
    // One scratch buffer for every read: thousands of small /proc files must not each allocate 64 KiB.
    const chunk = scratch();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(chunk.length, maxBytes + 1 - total);
      if (want <= 0) break;
      const got = readSync(fd, chunk, 0, want, null);
      if (got === 0) break;
      chunks.push(Buffer.from(chunk.subarray(0, got)));
      total += got;
    }
    const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    return total > maxBytes ? { bytes: bytes.subarray(0, maxBytes), truncated: true } : { bytes, truncated: false };
  } catch (error) {
    return { bytes: new Uint8Array(0), truncated: false, error: codeOf(error) };
  } finally {
    closeSync(fd);
  }
}

let scratchBuffer: Buffer | undefined;

function scratch(): Buffer {
  scratchBuffer ??= Buffer.allocUnsafe(64 * 1024);
  return scratchBuffer;
}

/** Reads a /proc link's text as bytes (names may not be UTF-8), with the target's st_mode when `statTarget`. */
export function readLink(path: string, statTarget = false): RawLink {
  try {
    const target = readlinkSync(path, { encoding: 'buffer' });
    if (!statTarget) return { target };
    try {
      return { target, stMode: statSync(path).mode };
    } catch {
      return { target };
    }
  } catch (error) {
    return { target: null, error: codeOf(error) };
  }
}

/** The errno code of a failed call, such as ENOENT when a process exited mid-read. */
export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'error';
}
