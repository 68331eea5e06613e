/**
 * Reads the members of a prescanned bundle: small members into bounded buffers, evidence.db into a
 * private copy (0600, in a 0700 temporary folder), hashing every byte as it passes. Local file names
 * are kustody's constants, never the member names.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { TarMember } from './tar-prescan.js';
import { pausePoint } from '../../runner/pause-points.js';
import { BackgroundHash, sharedAlignedBuffer } from '../system/background-hash.js';
import { writeBehind } from '../system/write-behind.js';

/** A member read back with its hash. */
export interface ReadMember {
  name: string;
  size: number;
  sha256: string;
  bytes?: Buffer;
  copyPath?: string;
}

const CHUNK = 4 * 1024 * 1024;

/**
 * Copies one member's bytes to `workDir/<localName>` while hashing them. Two buffers alternate: while
 * this thread reads the next chunk, the previous one is hashed on a worker thread and written on
 * libuv's pool, each from the same memory, so every byte is read once and hashed once. Awaiting a
 * buffer's turn also yields to the event loop, so Ctrl-C or SIGTERM during a large copy is handled
 * at once (the copy is removed).
 */
export async function copyMember(tarPath: string, member: TarMember, workDir: string, localName: string): Promise<ReadMember> {
  const hash = new BackgroundHash();
  const copyPath = join(workDir, localName);
  const stages = [sharedAlignedBuffer(CHUNK), sharedAlignedBuffer(CHUNK)];
  const busy: (Promise<unknown> | null)[] = [null, null];
  let input: number | null = null;
  let output: number | null = null;
  try {
    input = openSync(tarPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    output = openSync(copyPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    for (let done = 0, turn = 0; done < member.size; turn ^= 1) {
      await busy[turn];
      const buffer = stages[turn]!;
      const got = readSync(input, buffer, 0, Math.min(CHUNK, member.size - done), member.dataOffset + done);
      if (got === 0) throw new Error(`the archive ended inside ${member.name}`);
      const chunk = buffer.subarray(0, got);
      // Settles once the write and the hash are both done with the buffer, even when one fails first.
      const step = bothSettled(writeBehind(output, chunk, done), hash.update(chunk));
      // Marked handled now; a failure still reaches the await on this buffer's next turn or below.
      step.catch(() => undefined);
      busy[turn] = step;
      const before = done;
      done += got;
      if (before < member.size / 2 && done >= member.size / 2) {
        // The pause point promises half the member is in the copy: let the writes in flight land first.
        await Promise.all(busy);
        await pausePoint(`copy-member:${localName}:half`);
      }
    }
    await Promise.all(busy);
    return { name: member.name, size: member.size, sha256: await hash.digest(), copyPath };
  } finally {
    await Promise.allSettled(busy);
    try {
      if (input !== null) closeSync(input);
      if (output !== null) closeSync(output);
    } finally {
      await hash.close();
    }
  }
}

/** Waits for both; then fails with the first one's error, if either failed. */
async function bothSettled(a: Promise<unknown>, b: Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled([a, b]);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}

/** Reads one small member into memory (its size was bounded by the prescan) and hashes it. */
export function readSmallMember(tarPath: string, member: TarMember): ReadMember {
  const bytes = Buffer.alloc(member.size);
  const input = openSync(tarPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    for (let done = 0; done < member.size; ) {
      const got = readSync(input, bytes, done, member.size - done, member.dataOffset + done);
      if (got === 0) throw new Error(`the archive ended inside ${member.name}`);
      done += got;
    }
  } finally {
    closeSync(input);
  }
  return { name: member.name, size: member.size, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
}

