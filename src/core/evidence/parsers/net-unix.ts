import { latin1, toByteText, type ByteText } from './byte-text.js';
import { splitTable } from './lines.js';
import { DEFAULT_NET_MAX_LINES } from './net-inet.js';
import { describeBytes, WarningList, type ParseWarning } from './parse-warning.js';
import { parseDecimalBigInt, parseHexNumber } from './numbers.js';

/** One socket from /proc/net/unix. */
export interface UnixSocket {
  readonly line: number;
  readonly refCount: number;
  readonly flags: number;
  /** `STREAM`, `DGRAM` or `SEQPACKET`, or `UNKNOWN`. */
  readonly type: string;
  readonly typeCode: number;
  /** `LISTEN` when the listening flag is set, else `UNCONN`, `CONNECTING`, `ESTABLISHED` or `DISCONNECTING`. */
  readonly state: string;
  readonly stateCode: number;
  readonly inode: bigint;
  /**
   * The bound name as the kernel prints it, null when unbound. Abstract names start with `@` and show
   * their NUL bytes as `@`, so they are ambiguous with a relative path that starts with `@`. A name holding
   * a newline breaks the table's framing: the tail shows up as a malformed (or, if forged, a fake) line.
   */
  readonly path: ByteText | null;
  readonly abstract: boolean;
}

/** The sockets of /proc/net/unix, and whether the line cap cut it short. */
export interface ProcNetUnix {
  readonly sockets: readonly UnixSocket[];
  readonly truncated: boolean;
  readonly warnings: ParseWarning[];
}

const LINE = /^[0-9A-Fa-f]+: ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{4}) ([0-9A-Fa-f]{2}) +([0-9]{1,20})(?: |$)/;
const TYPES: Readonly<Record<number, string>> = { 1: 'STREAM', 2: 'DGRAM', 5: 'SEQPACKET' };
const STATES: Readonly<Record<number, string>> = { 1: 'UNCONN', 2: 'CONNECTING', 3: 'ESTABLISHED', 4: 'DISCONNECTING' };
const SO_ACCEPTCON = 0x10000;

/** Parses /proc/net/unix; the path is everything after the inode and one space, spaces included. */
export function parseNetUnix(bytes: Uint8Array, options: { maxLines?: number } = {}): ProcNetUnix {
  const warnings = new WarningList();
  const maxLines = options.maxLines ?? DEFAULT_NET_MAX_LINES;
  const { data, hasHeader, droppedLines: dropped } = splitTable(bytes, maxLines, (start) => start.startsWith('Num '));
  if (!hasHeader && bytes.length > 0) warnings.add('MISSING_HEADER', 'unix table does not start with its "Num" header', 1);
  if (dropped > 0) warnings.add('LINE_LIMIT', `unix table has ${dropped} lines past the limit of ${maxLines}; they were not read`);
  const sockets: UnixSocket[] = [];
  const seen = new Map<bigint, number>();
  for (const span of data) {
    if (span.end === span.start) continue;
    // Only the fixed-width prefix is decoded; the path stays bytes.
    const head = latin1(bytes, span.start, Math.min(span.end, span.start + 128));
    const match = LINE.exec(head);
    const inode = parseDecimalBigInt(match?.[6] ?? '');
    const pathStart = span.start + (match?.[0].length ?? 0);
    const hasPath = match?.[0].endsWith(' ') ?? false;
    if (match === null || inode === null || (!hasPath && pathStart !== span.end)) {
      warnings.add('MALFORMED_LINE', `not a unix socket line: ${describeBytes(bytes.subarray(span.start, span.end))}`, span.number);
      continue;
    }
    const [refCount = 0, , flags = 0, typeCode = 0, stateCode = 0] = match.slice(1, 6).map((hex) => parseHexNumber(hex, 8) ?? 0);
    const path = hasPath ? toByteText(bytes, pathStart, span.end) : null;
    const listening = (flags & SO_ACCEPTCON) !== 0;
    const state = listening ? 'LISTEN' : (STATES[stateCode] ?? 'UNKNOWN');
    if (state === 'UNKNOWN') warnings.add('UNKNOWN_STATE', `unknown unix socket state 0x${match[5] ?? ''}`, span.number);
    if (inode !== 0n) {
      const previous = seen.get(inode);
      if (previous !== undefined) warnings.add('DUPLICATE_INODE', `inode ${inode} also on line ${previous}`, span.number);
      else seen.set(inode, span.number);
    }
    sockets.push({
      line: span.number, refCount, flags, type: TYPES[typeCode] ?? 'UNKNOWN', typeCode, state, stateCode, inode,
      path, abstract: path !== null && path.bytes[0] === 0x40,
    });
  }
  return { sockets, truncated: dropped > 0, warnings: warnings.toArray() };
}
