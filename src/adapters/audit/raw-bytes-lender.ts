/**
 * The parsing worker's side of hashing a file on the storing thread: it lends buffers to read the
 * file into and transfers each filled one (no copy) to the main thread, which hashes it and sends it
 * back. At most MAX_LENT buffers are out at once, whichever files they hold, so however far the
 * hashing falls behind (during a long commit, while the next files are read), the bytes waiting for it stay bounded.
 */
import { CHUNK_BYTES, type RawBytesSink } from './read-audit-file.js';
import type { ParserReply } from './audit-parse-protocol.js';

// 32 MiB of file bytes at most between reading and hashing.
const MAX_LENT = 32;

/** Buffers shared by every file of a run; each file gets its own RawBytesSink from `forFile`. */
export class RawBytesLender {
  private readonly free: ArrayBuffer[] = [];
  private lent = 0;
  private waiting: (() => void) | null = null;

  constructor(private readonly post: (reply: ParserReply, transfer: ArrayBuffer[]) => void) {}

  /** The sink for the next file (numbered as the main thread numbered it). */
  forFile(fileNumber: number): RawBytesSink {
    return {
      buffer: async () => {
        while (this.lent >= MAX_LENT) await new Promise<void>((resolve) => { this.waiting = resolve; });
        this.lent += 1;
        return Buffer.from(this.free.pop() ?? new ArrayBuffer(CHUNK_BYTES));
      },
      give: (chunk) => {
        if (chunk.byteOffset !== 0 || chunk.buffer.byteLength !== CHUNK_BYTES) throw new Error('raw-bytes-lender: only a lent buffer can be given');
        const buffer = chunk.buffer as ArrayBuffer;
        this.post({ type: 'raw', fileNumber, buffer, length: chunk.length }, [buffer]);
      },
      putBack: (buffer) => this.returned(buffer.buffer as ArrayBuffer),
    };
  }

  /** Takes a buffer back: from the main thread, hashed, or from the reader, unused. */
  returned(buffer: ArrayBuffer): void {
    if (this.free.length < MAX_LENT) this.free.push(buffer);
    this.lent -= 1;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.();
  }
}
