/**
 * Writes a new file sequentially through two page-aligned 8 MiB staging buffers, each full buffer
 * written with O_DIRECT on libuv's thread pool while the caller fills the other one. O_DIRECT sends
 * the bytes from the buffer to the device without first copying them into newly allocated page-cache
 * pages: on the virtual machines kustody was measured on, that copy into fresh pages was 92% of the
 * kernel time of a buffered 1 GiB write (5–7 s of system time against 0.3 s with O_DIRECT).
 *
 * The file is created without O_DIRECT and opened a second time with it; where the file system
 * refuses O_DIRECT (EINVAL at that open or at a write), the writer carries on with ordinary writes on
 * the first descriptor, so the output is the same either way. O_DIRECT is not a durability promise:
 * the caller still fsyncs the file before relying on it.
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
  private current = 0;
  private fill = 0;
  private position = 0;
  private direct: boolean;

  private constructor(memory: Buffer, private readonly bufferedFd: number, private readonly directFd: number | null, private readonly observe: (bytes: Buffer) => Promise<void> | void) {
    this.direct = directFd !== null;
    this.stages = [memory.subarray(0, STAGE_BYTES), memory.subarray(STAGE_BYTES)];
  }

  /**
   * Creates `path` (0600, must not exist); `observe` sees every byte, in order, as it is handed to the
   * disk, and may return a promise: the buffer is reused only once it and the write have settled.
   */
  static create(path: string, observe: (bytes: Buffer) => Promise<void> | void = () => undefined): AlignedFileWriter {
    // Allocated first, so a refused allocation leaves no descriptor open.
    const memory = sharedAlignedBuffer(2 * STAGE_BYTES);
    // Created without O_DIRECT: a file system that refuses O_DIRECT at open (tmpfs before Linux 6.6,
    // ramfs) has already created the file when open(2) fails, so a second O_EXCL open would find it.
    const bufferedFd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    let directFd: number | null = null;
    try {
      // The same file (not the path again) opened a second time, with O_DIRECT.
      directFd = openSync(`/proc/self/fd/${bufferedFd}`, constants.O_WRONLY | constants.O_DIRECT);
    } catch {
      // Refused (EINVAL), or no /proc mounted: O_DIRECT only saves time, ordinary writes give the same file.
    }
    return new AlignedFileWriter(memory, bufferedFd, directFd, observe);
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
    try {
      if (this.directFd !== null) closeSync(this.directFd);
    } finally {
      closeSync(this.bufferedFd);
    }
  }

  private async handOff(): Promise<void> {
    const bytes = this.stages[this.current]!.subarray(0, this.fill);
    // Settles only once both have (Promise.all would reject at the first failure while the write
    // still runs, and close() would then close its descriptor under it).
    const writing = allSettledOrThrow([this.writeAt(bytes, this.position), new Promise<void>((resolve) => resolve(this.observe(bytes)))]);
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
      const fd = this.direct && this.directFd !== null ? this.directFd : this.bufferedFd;
      try {
        done += await writeOnce(fd, bytes.subarray(done), position + done);
      } catch (error) {
        // The file system takes O_DIRECT at open but not this write (block size, alignment): go on
        // with ordinary writes on the other descriptor. Any other error is real.
        if (fd !== this.directFd || (error as { code?: string }).code !== 'EINVAL') throw error;
        this.direct = false;
      }
    }
  }
}

/** Waits for every promise to settle, then rejects with the first failure, if any. */
async function allSettledOrThrow(promises: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}

function writeOnce(fd: number, bytes: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, bytes, 0, bytes.length, position, (error, written) => (error === null ? resolve(written) : reject(error)));
  });
}
