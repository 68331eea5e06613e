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
 * Copies one member's bytes to `workDir/<localName>` while hashing them. It yields to the event loop
 * between chunks, so Ctrl-C or SIGTERM during a large copy is handled at once (the copy is removed).
 */
export async function copyMember(tarPath: string, member: TarMember, workDir: string, localName: string): Promise<ReadMember> {
  const hash = createHash('sha256');
  const copyPath = join(workDir, localName);
  const input = openSync(tarPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const output = openSync(copyPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let done = 0; done < member.size; ) {
      const want = Math.min(CHUNK, member.size - done);
      const got = readSync(input, buffer, 0, want, member.dataOffset + done);
      if (got === 0) throw new Error(`the archive ended inside ${member.name}`);
      const chunk = buffer.subarray(0, got);
      // The write runs on the thread pool while this thread hashes the same bytes; awaiting it also
      // lets a Ctrl-C or SIGTERM be handled between chunks.
      const writing = writeBehind(output, chunk);
      hash.update(chunk);
      await writing;
      const before = done;
      done += got;
      if (before < member.size / 2 && done >= member.size / 2) await pausePoint(`copy-member:${localName}:half`);
    }
  } finally {
    closeSync(input);
    closeSync(output);
  }
  return { name: member.name, size: member.size, sha256: hash.digest('hex'), copyPath };
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

