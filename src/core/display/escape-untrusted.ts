/**
 * The one escaper between hostile text (cluster objects, workload output, error bodies) and a terminal.
 *
 * Notation, chosen so that it is injective and reversible while no limit is hit:
 * - `\\` is a backslash;
 * - `\xNN` (two lowercase hex digits) is a C0 control or DEL when NN is below hex 80 (`\x1b` ESC,
 *   `\x0a` LF, `\x0d` CR, `\x09` TAB, `\x08` BS, `\x07` BEL, `\x00` NUL, `\x7f` DEL), and a byte that
 *   is not part of valid UTF-8 when NN is 80 or above (only from Uint8Array input);
 * - `\u{H…}` (lowercase hex, no leading zeros) is any other unsafe code point: C1 controls (`\u{9b}`),
 *   bidi controls (`\u{202e}`), zero-width and format characters (`\u{200d}`, `\u{feff}`), U+2028/9,
 *   tag characters (`\u{e0041}`), noncharacters, invisible fillers, lone surrogates (`\u{d800}`),
 *   and a combining mark with no printable base before it;
 * - everything else is copied as is.
 * A limit never cuts inside an escape. When one is hit the output ends with `\…[+N bytes]` (N input
 * bytes not shown), and a run of combining marks past `maxCombiningMarks` is replaced by
 * `\…[+N marks]`; both start with a single backslash, so no input can forge them. A budget smaller
 * than the marker itself yields the marker alone.
 */
import type { DisplayText } from './display-text.js';
import {
  codePointCount,
  columnWidth,
  isCombiningMark,
  isUnsafeCodePoint,
  readUtf8,
  safeMarkRunAt,
  utf8ByteCount,
  utf8Length,
} from './code-points.js';

/** Bounds on what one escaped value may occupy on screen. */
export interface EscapeOptions {
  /** Maximum terminal columns of the result, marker included (default: unbounded). */
  readonly maxColumns?: number;
  /** Maximum UTF-8 bytes of the result, marker included (default: DEFAULT_MAX_BYTES). */
  readonly maxBytes?: number;
  /** Combining marks kept after one base character before the rest of the run is dropped (default: DEFAULT_MAX_COMBINING_MARKS). */
  readonly maxCombiningMarks?: number;
}

/** Default cap on the UTF-8 bytes of one escaped value. */
export const DEFAULT_MAX_BYTES = 16_384;

/** Default cap on combining marks drawn on one base character. */
export const DEFAULT_MAX_COMBINING_MARKS = 8;

/** Options that switch every limit off, so that escaping is injective. */
export const UNBOUNDED: EscapeOptions = Object.freeze({
  maxBytes: Number.POSITIVE_INFINITY,
  maxColumns: Number.POSITIVE_INFINITY,
  maxCombiningMarks: Number.POSITIVE_INFINITY,
});

const PLAIN_ASCII = /^[\x20-\x5b\x5d-\x7e]*$/;

const hex = (n: number): string => n.toString(16);

function escapeCodePoint(cp: number): string {
  return cp < 0x80 ? `\\x${hex(cp).padStart(2, '0')}` : `\\u{${hex(cp)}}`;
}

interface Piece {
  readonly text: string;
  readonly bytes: number;
  readonly columns: number;
  readonly inputBytes: number;
}

const truncationMarker = (n: number): string => `\\…[+${n} bytes]`;

/**
 * Escapes hostile text or bytes so that no control, bidi, invisible or invalid sequence reaches a
 * terminal, and bounds its size; see the module comment for the exact notation.
 *
 * @example escapeUntrusted('a\x1b[2Jb') // 'a\\x1b[2Jb', shown as a\x1b[2Jb
 */
export function escapeUntrusted(input: string | Uint8Array, options: EscapeOptions = {}): DisplayText {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxColumns = options.maxColumns ?? Number.POSITIVE_INFINITY;
  const maxMarks = options.maxCombiningMarks ?? DEFAULT_MAX_COMBINING_MARKS;
  if (typeof input === 'string' && input.length <= Math.min(maxBytes, maxColumns) && PLAIN_ASCII.test(input)) {
    return input as DisplayText;
  }
  const pieces: Piece[] = [];
  let bytes = 0;
  let columns = 0;
  let consumed = 0;
  let full = false;
  let hasBase = false;
  let marks = 0;
  let droppedMarks = 0;
  let droppedBytes = 0;

  const push = (text: string, pieceBytes: number, pieceColumns: number, inputBytes: number): void => {
    if (full) return;
    if (bytes + pieceBytes > maxBytes || columns + pieceColumns > maxColumns) {
      full = true;
      return;
    }
    pieces.push({ text, bytes: pieceBytes, columns: pieceColumns, inputBytes });
    bytes += pieceBytes;
    columns += pieceColumns;
    consumed += inputBytes;
  };
  const flushDropped = (): void => {
    if (droppedMarks === 0) return;
    const marker = `\\…[+${droppedMarks} marks]`;
    push(marker, utf8ByteCount(marker), marker.length, droppedBytes);
    droppedMarks = 0;
    droppedBytes = 0;
  };
  const take = (cp: number, inputBytes: number): void => {
    if (cp < 0) {
      flushDropped();
      push(`\\x${hex(cp + 256)}`, 4, 4, 1);
      hasBase = false;
      return;
    }
    if (isUnsafeCodePoint(cp) || cp === 0x5c || (!hasBase && isCombiningMark(cp))) {
      flushDropped();
      const text = cp === 0x5c ? '\\\\' : escapeCodePoint(cp);
      push(text, text.length, text.length, inputBytes);
      hasBase = false;
      return;
    }
    if (isCombiningMark(cp)) {
      if (marks >= maxMarks) {
        droppedMarks += 1;
        droppedBytes += inputBytes;
        return;
      }
      marks += 1;
      push(String.fromCodePoint(cp), inputBytes, 0, inputBytes);
      return;
    }
    flushDropped();
    push(String.fromCodePoint(cp), inputBytes, columnWidth(cp), inputBytes);
    hasBase = true;
    marks = 0;
  };

  if (typeof input === 'string') {
    let i = 0;
    while (i < input.length && !full) {
      if (hasBase && marks >= maxMarks) {
        // Skip a flood of marks in one regex step instead of one code point at a time.
        const run = safeMarkRunAt(input, i);
        if (run !== '') {
          droppedMarks += codePointCount(run);
          droppedBytes += utf8ByteCount(run);
          i += run.length;
          continue;
        }
      }
      const cp = input.codePointAt(i) ?? 0;
      take(cp, utf8Length(cp));
      i += cp > 0xffff ? 2 : 1;
    }
  } else {
    for (let i = 0; i < input.length && !full; ) {
      const { cp, length } = readUtf8(input, i);
      take(cp < 0 ? (input[i] ?? 0) - 256 : cp, length);
      i += length;
    }
  }
  if (!full) flushDropped();
  if (!full) return pieces.map((p) => p.text).join('') as DisplayText;
  const totalBytes = typeof input === 'string' ? utf8ByteCount(input) : input.length;
  return withMarker(pieces, bytes, columns, totalBytes - consumed, maxBytes, maxColumns);
}

// Drops whole pieces from the end until the kept text plus the truncation marker fits.
function withMarker(
  pieces: Piece[],
  bytes: number,
  columns: number,
  remaining: number,
  maxBytes: number,
  maxColumns: number,
): DisplayText {
  let marker = truncationMarker(remaining);
  while (pieces.length > 0 && (bytes + utf8ByteCount(marker) > maxBytes || columns + marker.length > maxColumns)) {
    const last = pieces.pop();
    if (last === undefined) break;
    bytes -= last.bytes;
    columns -= last.columns;
    remaining += last.inputBytes;
    marker = truncationMarker(remaining);
  }
  return (pieces.map((p) => p.text).join('') + marker) as DisplayText;
}
