/**
 * Writes a new file sequentially through two page-aligned 8 MiB staging buffers, each full buffer
 * written with O_DIRECT on libuv's thread pool while the caller fills the other one. O_DIRECT sends
 * the bytes from the buffer to the device without first copying them into newly allocated page-cache
 * pages: on the virtual machines kustody was measured on, that copy into fresh pages was 92% of the
 * kernel time of a buffered 1 GiB write (5–7 s of system time against 0.3 s with O_DIRECT).
 *
 * Where the file system refuses O_DIRECT (EINVAL at open or at a write), the writer reopens the file
 * without it and carries on with ordinary writes, so the output is the same either way. O_DIRECT is
 * not a durability promise: the caller still fsyncs the file before relying on it.
 *
 * The buffers are a shared WebAssembly memory, because V8 places those on page boundaries, which
 * O_DIRECT requires (a Node Buffer's address has no such guarantee: its writes fail with EINVAL), and
 * a worker thread can hash them in place.
 */
import { closeSync, constants, openSync, write } from 'node:fs';
import { sharedAlignedBuffer } from './background-hash.js';

/** Bytes per staging buffer: a multiple of every block size O_DIRECT asks for. */
export const STAGE_BYTES = 8 * 1024 * 1024;

/** A file being written through aligned staging buffers. */
export class AlignedFileWriter {
  private readonly stages: Buffer[];
  private readonly writing: (Promise<void> | null)[] = [null, null];
  private readonly fds: number[];
  private current = 0;
  private fill = 0;
  private position = 0;
  private direct: boolean;

  private constructor(private readonly path: string, fd: number, private readonly openedDirect: boolean, private readonly observe: (bytes: Buffer) => Promise<void> | void) {
    this.fds = [fd];
    this.direct = openedDirect;
    const memory = sharedAlignedBuffer(2 * STAGE_BYTES);
    this.stages = [memory.subarray(0, STAGE_BYTES), memory.subarray(STAGE_BYTES)];
  }

  /**
   * Creates `path` (0600, must not exist); `observe` sees every byte, in order, as it is handed to the
   * disk, and may return a promise: the buffer is reused only once it and the write have settled.
   */
  static create(path: string, observe: (bytes: Buffer) => Promise<void> | void = () => undefined): AlignedFileWriter {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    try {
      return new AlignedFileWriter(path, openSync(path, flags | constants.O_DIRECT, 0o600), true, observe);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EINVAL') throw error;
      return new AlignedFileWriter(path, openSync(path, flags, 0o600), false, observe);
    }
  }

  /** Whether writes still bypass the page cache (false once the file system refused O_DIRECT). */
  get usesDirectIo(): boolean {
    return this.direct;
  }

  /** The free part of the current staging buffer, for reading into directly; `commit` what was put there. */
  space(): Buffer {
    return this.stages[this.current]!.subarray(this.fill);
  }

  /** Marks `length` bytes of `space()` as filled; hands the buffer to the disk when it is full. */
  async commit(length: number): Promise<void> {
    this.fill += length;
    if (this.fill >= STAGE_BYTES) await this.handOff();
  }

  /** Appends a copy of `bytes`. */
  async append(bytes: Uint8Array): Promise<void> {
    for (let done = 0; done < bytes.length; ) {
      const space = this.space();
      const length = Math.min(space.length, bytes.length - done);
      space.set(bytes.subarray(done, done + length));
      done += length;
      await this.commit(length);
    }
  }

  /** Writes what is staged and waits for every write; returns the file's size. */
  async finish(): Promise<number> {
    if (this.fill > 0) await this.handOff();
    await Promise.all(this.writing);
    return this.position;
  }

  /** Waits for writes still running (after an error too), then closes the file. */
  async close(): Promise<void> {
    await Promise.allSettled(this.writing);
    for (const fd of this.fds) closeSync(fd);
  }

  private async handOff(): Promise<void> {
    const bytes = this.stages[this.current]!.subarray(0, this.fill);
    const writing = Promise.all([this.writeAt(bytes, this.position), this.observe(bytes)]).then(() => undefined);
    // Marked handled now; the error still reaches whoever awaits it (the next hand-off or finish).
    writing.catch(() => undefined);
    this.writing[this.current] = writing;
    this.position += this.fill;
    this.current ^= 1;
    this.fill = 0;
    // The other buffer is filled next: its earlier write must be done first.
    const earlier = this.writing[this.current];
    this.writing[this.current] = null;
    await earlier;
  }

  private async writeAt(bytes: Buffer, position: number): Promise<void> {
    for (let done = 0; done < bytes.length; ) {
      const fd = this.fds[this.fds.length - 1]!;
      try {
        done += await writeOnce(fd, bytes.subarray(done), position + done);
      } catch (error) {
        // Only the O_DIRECT descriptor (the first, when direct) falls back; any other error is real.
        if (fd !== this.fds[0] || !this.openedDirect || (error as { code?: string }).code !== 'EINVAL') throw error;
        this.fallBack();
      }
    }
  }

  // The file system takes O_DIRECT at open but not these writes (block size, alignment): go on with
  // ordinary writes on a second descriptor of the same file, which this process created.
  private fallBack(): void {
    if (!this.direct) return;
    this.direct = false;
    this.fds.push(openSync(this.path, constants.O_WRONLY | constants.O_NOFOLLOW));
  }
}

function writeOnce(fd: number, bytes: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, bytes, 0, bytes.length, position, (error, written) => (error === null ? resolve(written) : reject(error)));
  });
}
