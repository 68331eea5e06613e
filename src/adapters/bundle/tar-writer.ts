/**
 * Writes a plain ustar archive to a new file, hashing every byte of it as it goes (the tar's SHA-256
 * for the custody log, on a worker thread) and, for a streamed member, the member's own bytes as they
 * are read (its SHA-256 for the manifest, on this thread): each byte is read once, into the aligned
 * buffer it is hashed and written from.
 * Headers are fixed: regular file, mode 0444, owner 0, uname/gname `kustody`, the given mtime, so
 * the same members always give the same bytes.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { KustodyError } from '../../core/errors.js';
import { AlignedFileWriter } from '../system/aligned-file-writer.js';
import { BackgroundHash } from '../system/background-hash.js';

const BLOCK = 512;
/** The largest member a plain octal ustar size field holds (8 GiB - 1); kustody's reader accepts no other encoding. */
export const MAX_USTAR_MEMBER = 8 ** 11 - 1;

/** A tar being written: members are appended in order, then `finish` writes the end-of-archive blocks. */
export class TarWriter {
  // The whole tar's hash runs on a worker thread over the staging buffers, beside the member's hash here.
  private readonly hash = new BackgroundHash();
  private readonly out: AlignedFileWriter;

  /** Creates the tar at `path` (0600, must not exist yet). */
  constructor(path: string, private readonly mtime: Date) {
    try {
      this.out = AlignedFileWriter.create(path, (bytes) => this.hash.update(bytes));
    } catch (error) {
      // No close() follows a constructor that throws: end the thread here, or it keeps the process alive.
      void this.hash.close();
      throw error;
    }
  }

  /** Whether the tar is written with O_DIRECT (false where the file system refused it). */
  get usesDirectIo(): boolean {
    return this.out.usesDirectIo;
  }

  /** Appends a member held in memory. */
  async addBytes(name: string, bytes: Uint8Array): Promise<void> {
    await this.out.append(ustarHeader(name, bytes.length, this.mtime));
    await this.out.append(bytes);
    await this.pad(bytes.length);
  }

  /** Appends the regular file at `path` as member `name`, reading it once; returns its size and SHA-256. */
  async addFile(name: string, path: string): Promise<{ size: number; sha256: string }> {
    const input = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const size = fstatSync(input).size;
      if (size > MAX_USTAR_MEMBER) throw new KustodyError('EXPORT_TOO_LARGE', `${name} would be ${size} bytes; a bundle member holds at most ${MAX_USTAR_MEMBER}.`, { nextStep: 'Split the evidence across cases; bundles of more than 8 GiB are not supported.' });
      await this.out.append(ustarHeader(name, size, this.mtime));
      const member = createHash('sha256');
      for (let done = 0; done < size; ) {
        // Read straight into the staging buffer the disk write takes; awaiting a full buffer's
        // hand-off also lets a Ctrl-C or SIGTERM be handled (the work folder is then removed).
        const space = this.out.space();
        const got = readSync(input, space, 0, Math.min(space.length, size - done), done);
        if (got === 0) throw new KustodyError('EXPORT_SHORT_READ', `${name} shrank while it was being written into the bundle.`);
        member.update(space.subarray(0, got));
        done += got;
        await this.out.commit(got);
      }
      await this.pad(size);
      return { size, sha256: member.digest('hex') };
    } finally {
      closeSync(input);
    }
  }

  /** Writes the two zero blocks that end a tar and waits for every write; returns the tar's size and SHA-256. */
  async finish(): Promise<{ size: number; sha256: string }> {
    await this.out.append(Buffer.alloc(2 * BLOCK));
    const size = await this.out.finish();
    return { size, sha256: await this.hash.digest() };
  }

  /** Waits for writes still running, then closes the file; call once, also after an error. */
  async close(): Promise<void> {
    try {
      await this.out.close();
    } finally {
      await this.hash.close();
    }
  }

  private async pad(length: number): Promise<void> {
    const rest = length % BLOCK;
    if (rest !== 0) await this.out.append(Buffer.alloc(BLOCK - rest));
  }
}

/** Encodes one ustar header for a regular file (ASCII name of at most 100 bytes). */
export function ustarHeader(name: string, size: number, mtime: Date): Buffer {
  if (!/^[\x21-\x7e]{1,100}$/.test(name)) throw new KustodyError('BUG', `bundle member name ${JSON.stringify(name)} is not a short ASCII name`);
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 'ascii');
  header.write(octal(0o444, 6), 100, 'ascii');
  header.write(octal(0, 6), 108, 'ascii');
  header.write(octal(0, 6), 116, 'ascii');
  header.write(octal(size, 11), 124, 'ascii');
  header.write(octal(Math.floor(mtime.getTime() / 1000), 11), 136, 'ascii');
  header[156] = 0x30; // '0': regular file
  header.write('ustar\x0000', 257, 'ascii');
  header.write('kustody', 265, 'ascii');
  header.write('kustody', 297, 'ascii');
  header.write(octal(0, 6), 329, 'ascii');
  header.write(octal(0, 6), 337, 'ascii');
  let sum = 8 * 0x20; // the checksum field counts as spaces
  for (let i = 0; i < BLOCK; i += 1) if (i < 148 || i >= 156) sum += header[i] ?? 0;
  header.write(octal(sum, 6), 148, 'ascii');
  return header;
}

/** `digits` octal digits, zero-padded, then a space (the form GNU tar and tar-stream write). */
function octal(value: number, digits: number): string {
  const text = value.toString(8);
  if (text.length > digits) throw new KustodyError('BUG', `${value} does not fit ${digits} octal digits`);
  return `${text.padStart(digits, '0')} `;
}
