/**
 * Walks the raw bytes of a tar stream block by block, ahead of tar-stream, and decides how much of
 * each chunk tar-stream may see. It mirrors tar-stream's framing exactly and refuses, before they
 * reach tar-stream, every header tar-stream would buffer without bound, hang on, or frame
 * differently from a strict reader. It keeps each entry's exact name bytes, which tar-stream decodes lossily.
 */
import { BLOCK, cField, checksumMatches, firstNonZero, hasKnownMagic, isUstar, isZeroBlock, padding, parsePax, readPaxSize, readSize } from './tar-header-fields.js';
import type { CapturedEntryType, TarStreamLimits, TarStreamStop } from './tar-stream-types.js';

/** An entry as framed from the raw bytes: where its header is, its exact name bytes, and how much data passed. */
export interface FramedEntry {
  headerOffset: number;
  typeflag: string;
  type: CapturedEntryType;
  nameBytes: Buffer;
  linkBytes: Buffer | null;
  declaredSize: number;
  dataPassed: number;
}

/** How many bytes of a pushed chunk tar-stream may see, and the stop found in it, if any. */
export interface FrameResult {
  pass: number;
  stop: TarStreamStop | null;
}

const LONG_TYPES = new Set(['x', 'g', 'L', 'K', 'N']);
type State = 'header' | 'long' | 'data' | 'skip' | 'end';

/** The block-level reader that guards tar-stream. */
export class TarFramer {
  readonly entries: FramedEntry[] = [];
  private pos = 0;
  private state: State = 'header';
  private readonly block = Buffer.alloc(BLOCK);
  private fill = 0;
  private left = 0;
  private long: { type: string; offset: number; body: Buffer } | null = null;
  private longName: Buffer | null = null;
  private longLink: Buffer | null = null;
  private pax: Map<string, Buffer> | null = null;
  private globalPax: Map<string, Buffer> | null = null;
  private endZeros = 0;

  constructor(private readonly limits: Pick<TarStreamLimits, 'maxEntries' | 'maxHeaderBytes' | 'maxTotalBytes'>) {}

  /** Frames the next chunk of the raw stream. */
  push(chunk: Buffer): FrameResult {
    const base = this.pos;
    let i = 0;
    while (i < chunk.length) {
      const take = (n: number) => { i += n; this.pos += n; };
      if (this.state === 'end') {
        const nonZero = firstNonZero(chunk, i);
        if (nonZero !== -1) {
          const atByte = this.pos + nonZero - i;
          return { pass: atByte - base, stop: { code: 'TAR_CORRUPT', message: `the stream carries data at byte ${atByte}, after its end-of-archive marker (tar-stream would read it as more entries)`, atByte } };
        }
        this.endZeros += chunk.length - i;
        take(chunk.length - i);
      } else if (this.state === 'header') {
        const n = Math.min(BLOCK - this.fill, chunk.length - i);
        chunk.copy(this.block, this.fill, i, i + n);
        this.fill += n;
        take(n);
        if (this.fill < BLOCK) continue;
        this.fill = 0;
        const stop = this.onHeader(this.pos - BLOCK);
        if (stop !== null) return { pass: Math.max(0, stop.atByte - base), stop };
      } else if (this.state === 'long' && this.long !== null) {
        const long = this.long;
        const filled = long.body.length - this.left;
        const n = Math.min(this.left, chunk.length - i);
        chunk.copy(long.body, filled, i, i + n);
        this.left -= n;
        take(n);
        if (this.left > 0) continue;
        const stop = this.onLongBody(long.type, long.offset, long.body);
        if (stop !== null) return { pass: Math.max(0, stop.atByte - base), stop };
        this.long = null;
        this.skipTo(padding(long.body.length));
      } else {
        const n = Math.min(this.left, chunk.length - i);
        if (this.state === 'data') {
          const entry = this.entries[this.entries.length - 1];
          if (entry !== undefined) entry.dataPassed += n;
        }
        this.left -= n;
        take(n);
        if (this.left === 0) this.skipTo(this.state === 'data' ? padding(this.entries.at(-1)?.declaredSize ?? 0) : 0);
      }
    }
    return { pass: chunk.length, stop: null };
  }

  /** Says why the stream may not end here: a missing end-of-archive marker or a cut-off member. */
  finish(): TarStreamStop | null {
    if (this.state === 'end' && this.endZeros >= BLOCK) return null;
    const where = this.state === 'end' ? 'after a single zero block' : this.state === 'header' && this.fill === 0 ? 'between members' : `inside ${this.state === 'data' ? 'the data of a member' : 'a header'}`;
    return { code: 'TAR_CORRUPT', message: `the stream ended ${where}, without a complete end-of-archive marker: it is truncated`, atByte: this.pos };
  }

  private skipTo(bytes: number): void {
    this.left = bytes;
    this.state = bytes > 0 ? 'skip' : 'header';
  }

  private onHeader(offset: number): TarStreamStop | null {
    const block = this.block;
    const stop = (code: TarStreamStop['code'], message: string) => ({ code, message: `the header at byte ${offset}: ${message}`, atByte: offset });
    if (isZeroBlock(block)) {
      this.state = 'end';
      return null;
    }
    if (!checksumMatches(block)) return stop('TAR_CORRUPT', 'bad checksum');
    if (!hasKnownMagic(block)) return stop('TAR_CORRUPT', 'neither ustar nor GNU format');
    const typeflag = String.fromCharCode(block[156] ?? 0);
    const size = readSize(block.subarray(124, 136));
    if (!size.ok) return stop('TAR_HEADER_LIMIT', size.reason);
    if (LONG_TYPES.has(typeflag)) {
      // tar-stream mis-frames an empty long record: it later shifts the next member's size as a header body.
      if (size.value === 0) return stop('TAR_CORRUPT', `an empty ${typeflag} record`);
      if (size.value > this.limits.maxHeaderBytes) return stop('TAR_HEADER_LIMIT', `a ${typeflag} record of ${size.value} bytes, more than the ${this.limits.maxHeaderBytes} allowed`);
      this.long = { type: typeflag, offset, body: Buffer.alloc(size.value) };
      this.left = size.value;
      this.state = 'long';
      return null;
    }
    if (this.entries.length >= this.limits.maxEntries) return stop('TAR_ENTRY_LIMIT', `more than ${this.limits.maxEntries} entries`);
    return this.onEntry(offset, typeflag, size.value, stop);
  }

  private onEntry(offset: number, typeflag: string, ustarSize: number, stop: (code: TarStreamStop['code'], message: string) => TarStreamStop): TarStreamStop | null {
    const block = this.block;
    const field = cField(block, 0, 100);
    const prefix = isUstar(block) && block[345] !== 0 ? cField(block, 345, 155) : null;
    const ustarName = prefix === null ? Buffer.from(field) : Buffer.concat([prefix, Buffer.from('/'), field]);
    const type = entryType(typeflag, ustarName);
    const pax = this.pax;
    let nameBytes: Buffer = ustarName;
    let linkBytes: Buffer | null = block[157] === 0 ? null : Buffer.from(cField(block, 157, 100));
    if (this.longName !== null && this.longName.length > 0) nameBytes = this.longName;
    if (this.longLink !== null && this.longLink.length > 0) linkBytes = this.longLink;
    const paxPath = pax?.get('path');
    const paxLink = pax?.get('linkpath');
    if (paxPath !== undefined && paxPath.length > 0) nameBytes = Buffer.from(paxPath);
    if (paxLink !== undefined && paxLink.length > 0) linkBytes = Buffer.from(paxLink);
    this.longName = this.longLink = this.pax = null;
    let size = ustarSize;
    const paxSize = pax?.get('size');
    if (paxSize !== undefined) {
      const parsed = readPaxSize(paxSize);
      if (!parsed.ok) return stop('TAR_HEADER_LIMIT', parsed.reason);
      if (ustarSize !== 0 && parsed.value !== ustarSize) return stop('TAR_HEADER_LIMIT', `size mismatch: the header says ${ustarSize} bytes and its PAX record ${parsed.value}`);
      size = parsed.value;
    }
    // tar-stream never ends the stream of a directory with data, and other readers skip link data: only files carry data.
    if (size > 0 && (type === 'dir' || type === 'symlink' || type === 'hardlink' || '3456'.includes(typeflag))) return stop('TAR_HEADER_LIMIT', `size mismatch: a ${type} (type ${JSON.stringify(typeflag)}) claims ${size} bytes of data`);
    const { maxTotalBytes } = this.limits;
    if (size > maxTotalBytes) return stop('TAR_HEADER_LIMIT', `a member claims ${size} bytes, more than the ${maxTotalBytes} a whole stream may carry`);
    // Refused now rather than after reading up to the cap: this member cannot end before it.
    if (offset + BLOCK + size > maxTotalBytes) return stop('STREAM_BYTE_LIMIT', `a member claims ${size} bytes, which would take the stream past its ${maxTotalBytes}-byte limit`);
    this.entries.push({ headerOffset: offset, typeflag, type, nameBytes, linkBytes, declaredSize: size, dataPassed: 0 });
    this.state = size > 0 ? 'data' : 'header';
    this.left = size;
    return null;
  }

  private onLongBody(type: string, offset: number, body: Buffer): TarStreamStop | null {
    if (type === 'L' || type === 'N') this.longName = Buffer.from(cField(body, 0, body.length));
    else if (type === 'K') this.longLink = Buffer.from(cField(body, 0, body.length));
    else {
      const parsed = parsePax(body);
      if (!parsed.ok) return { code: 'TAR_CORRUPT', message: `the PAX header at byte ${offset}: ${parsed.reason}`, atByte: offset };
      // Mirrors tar-stream: a global header replaces the last one and is merged under each later `x` header.
      if (type === 'g') this.globalPax = parsed.records;
      else this.pax = new Map([...(this.globalPax ?? []), ...parsed.records]);
    }
    return null;
  }
}

function entryType(typeflag: string, ustarName: Buffer): CapturedEntryType {
  // Like tar-stream, a plain file whose ustar name ends in `/` is an old-style directory.
  if (typeflag === '0' || typeflag === '\0') return ustarName.at(-1) === 0x2f ? 'dir' : 'file';
  if (typeflag === '7') return 'file';
  if (typeflag === '1') return 'hardlink';
  if (typeflag === '2') return 'symlink';
  if (typeflag === '5') return 'dir';
  return 'other';
}
