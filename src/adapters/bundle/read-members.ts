/**
 * Reads the members of a prescanned bundle: small members into bounded buffers, evidence.db into a
 * private copy (0600, in a 0700 temporary folder), hashing every byte as it passes. Local file names
 * are kustody's constants, never the member names.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import type { TarMember } from './tar-prescan.js';

/** A member read back with its hash. */
export interface ReadMember {
  name: string;
  size: number;
  sha256: string;
  bytes?: Buffer;
  copyPath?: string;
}

/** Copies one member's bytes to `workDir/<localName>` while hashing them. */
export async function copyMember(tarPath: string, member: TarMember, workDir: string, localName: string): Promise<ReadMember> {
  const hash = createHash('sha256');
  const copyPath = join(workDir, localName);
  await pipeline(
    memberStream(tarPath, member),
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    }),
    createWriteStream(copyPath, { flags: 'wx', mode: 0o600 }),
  );
  return { name: member.name, size: member.size, sha256: hash.digest('hex'), copyPath };
}

/** Reads one small member into memory (its size was bounded by the prescan) and hashes it. */
export async function readSmallMember(tarPath: string, member: TarMember): Promise<ReadMember> {
  const chunks: Buffer[] = [];
  for await (const chunk of memberStream(tarPath, member) as AsyncIterable<Buffer>) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  return { name: member.name, size: member.size, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
}

function memberStream(tarPath: string, member: TarMember) {
  if (member.size === 0) return Readable.from([]);
  return createReadStream(tarPath, { start: member.dataOffset, end: member.dataOffset + member.size - 1, highWaterMark: 1024 * 1024 });
}
