/**
 * Splits a byte stream into lines in bounded memory: a line longer than the limit is never held
 * whole; its bytes are counted and dropped up to the next newline, and it is reported as too long.
 * Empty lines are only counted (each line says how many came right before it). The bytes of a line
 * still open at a chunk's end are copied out of it, so a chunk may be reused (or handed to another
 * thread) once the lines push returned are consumed.
 */

/** One complete line (without its newline), or the report of a line that was too long to keep. */
export type SplitLine =
  | { kind: 'line'; line: number; bytes: Buffer; offset: number; blankBefore: number; terminated: boolean }
  | { kind: 'too-long'; line: number; size: number; offset: number; blankBefore: number };

/** A line splitter for one file; feed chunks with push, then call end. */
export class LineSplitter {
  private pieces: Buffer[] = [];
  private pendingSize = 0;
  private skipping = false;
  private lineNo = 0;
  private offset = 0;
  private lineStart = 0;
  private blankRun = 0;
  /** Lines seen so far, blank ones included. */
  get lines(): number {
    return this.lineNo;
  }
  /** Empty lines seen: counted, never emitted (a stream of newlines costs no allocation). */
  blank = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Lines completed by this chunk, in order. */
  push(chunk: Buffer): SplitLine[] {
    const out: SplitLine[] = [];
    let position = 0;
    while (position < chunk.length) {
      const newline = chunk.indexOf(10, position);
      const end = newline < 0 ? chunk.length : newline;
      this.take(chunk, position, end, newline < 0);
      if (newline < 0) break;
      if (this.pendingSize === 0) {
        this.lineNo += 1;
        this.blank += 1;
        this.blankRun += 1;
      } else out.push(this.finish(true));
      this.offset += 1;
      this.lineStart = this.offset;
      position = newline + 1;
    }
    return out;
  }

  /** The last line when the stream did not end with a newline, or nothing. */
  end(): SplitLine[] {
    if (this.pendingSize === 0 && !this.skipping) return [];
    return [this.finish(false)];
  }

  private take(chunk: Buffer, from: number, to: number, open: boolean): void {
    const size = to - from;
    this.offset += size;
    this.pendingSize += size;
    if (this.skipping) return;
    if (this.pendingSize > this.maxLineBytes) {
      this.skipping = true;
      this.pieces = [];
      return;
    }
    if (size > 0) this.pieces.push(open ? Buffer.from(chunk.subarray(from, to)) : chunk.subarray(from, to));
  }

  // `terminated`: the line ended with a newline (only the last line of a stream may not).
  private finish(terminated: boolean): SplitLine {
    this.lineNo += 1;
    const blankBefore = this.blankRun;
    const result: SplitLine = this.skipping
      ? { kind: 'too-long', line: this.lineNo, size: this.pendingSize, offset: this.lineStart, blankBefore }
      : { kind: 'line', line: this.lineNo, bytes: this.pieces.length === 1 ? (this.pieces[0] as Buffer) : Buffer.concat(this.pieces, this.pendingSize), offset: this.lineStart, blankBefore, terminated };
    this.blankRun = 0;
    this.pieces = [];
    this.pendingSize = 0;
    this.skipping = false;
    return result;
  }
}
