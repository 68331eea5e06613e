/**
 * Writes a chunk on libuv's thread pool, so the main thread can hash the same bytes meanwhile: a copy
 * that hashes what it copies then costs about max(hash, write) instead of their sum on two cores.
 * The caller awaits the write before reusing the buffer or closing the descriptor.
 */
import { write } from 'node:fs';

/** Writes all of `chunk` at `position` (default: the descriptor's current position); resolves once every byte is written. */
export function writeBehind(fd: number, chunk: Uint8Array, position: number | null = null): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number): void => {
      if (offset >= chunk.length) {
        resolve();
        return;
      }
      write(fd, chunk, offset, chunk.length - offset, position === null ? null : position + offset, (error, written) => {
        if (error !== null) reject(error);
        else step(offset + written);
      });
    };
    step(0);
  });
}
