/**
 * Writes a plain ustar archive straight to a file descriptor, hashing every byte of it as it goes
 * (the tar's SHA-256 for the custody log) and, for a streamed member, the member's own bytes in the
 * same pass (its SHA-256 for the manifest). Headers are fixed: regular file, mode 0444, owner 0,
 * uname/gname `kustody`, the given mtime, so the same members always give the same bytes.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, fdatasync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { KustodyError } from '../../core/errors.js';
import { writeBehind } from '../system/write-behind.js';

const BLOCK = 512;
/** The largest member a plain octal ustar size field holds (8 GiB - 1); kustody's reader accepts no other encoding. */
export const MAX_USTAR_MEMBER = 8 ** 11 - 1;
const CHUNK = 8 * 1024 * 1024;
/** How much is written between flushes started in the background, so the final fsync finds little left. */
const FLUSH_EVERY = 64 * 1024 * 1024;

/** A tar being written: members are appended in order, then `finish` writes the end-of-archive blocks. */
export class TarWriter {
  private readonly hash: Hash = createHash('sha256');
  private size = 0;
  private flushedAt = 0;
  private flushing: Promise<void> | null = null;

  constructor(private readonly fd: number, private readonly mtime: Date) {}

  /** Appends a member held in memory. */
  addBytes(name: string, bytes: Uint8Array): void {
    this.emit(ustarHeader(name, bytes.length, this.mtime));
    this.emit(bytes);
    this.pad(bytes.length);
  }

  /** Appends the regular file at `path` as member `name`, reading it once; returns its size and SHA-256. */
  async addFile(name: string, path: string): Promise<{ size: number; sha256: string }> {
    const input = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const size = fstatSync(input).size;
      if (size > MAX_USTAR_MEMBER) throw new KustodyError('EXPORT_TOO_LARGE', `${name} would be ${size} bytes; a bundle member holds at most ${MAX_USTAR_MEMBER}.`, { nextStep: 'Split the evidence across cases; bundles of more than 8 GiB are not supported.' });
      this.emit(ustarHeader(name, size, this.mtime));
      const member = createHash('sha256');
      // One buffer reused: every write below is synchronous, so nothing holds on to it.
      const buffer = Buffer.allocUnsafe(CHUNK);
      let done = 0;
      while (done < size) {
        const got = readSync(input, buffer, 0, Math.min(CHUNK, size - done), done);
        if (got === 0) throw new KustodyError('EXPORT_SHORT_READ', `${name} shrank while it was being written into the bundle.`);
        const chunk = buffer.subarray(0, got);
        // Written on the thread pool while both hashes run here; awaiting it also lets a Ctrl-C or
        // SIGTERM be handled between chunks (the work folder is then removed).
        const writing = writeBehind(this.fd, chunk);
        member.update(chunk);
        this.hash.update(chunk);
        this.size += got;
        await writing;
        done += got;
        this.flushInBackground();
      }
      this.pad(size);
      return { size, sha256: member.digest('hex') };
    } finally {
      closeSync(input);
    }
  }

  /** Writes the two zero blocks that end a tar; returns the whole tar's size and SHA-256. */
  finish(): { size: number; sha256: string } {
    this.emit(Buffer.alloc(2 * BLOCK));
    return { size: this.size, sha256: this.hash.digest('hex') };
  }

  /** Waits for a background flush still running; call before closing the descriptor. */
  async settle(): Promise<void> {
    await this.flushing;
  }

  // Starts writeback of what is written so far on the thread pool while hashing and writing go on.
  private flushInBackground(): void {
    if (this.flushing !== null || this.size - this.flushedAt < FLUSH_EVERY) return;
    this.flushedAt = this.size;
    this.flushing = new Promise<void>((resolve) => {
      // A failed early flush is not fatal: the caller's final fsync reports any real error.
      fdatasync(this.fd, () => {
        this.flushing = null;
        resolve();
      });
    });
  }

  private pad(length: number): void {
    const rest = length % BLOCK;
    if (rest !== 0) this.emit(Buffer.alloc(BLOCK - rest));
  }

  private emit(bytes: Uint8Array): void {
    this.hash.update(bytes);
    for (let written = 0; written < bytes.length; ) written += writeSync(this.fd, bytes, written, bytes.length - written);
    this.size += bytes.length;
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
