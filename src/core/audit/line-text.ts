/**
 * Turns one line of hostile bytes into text JSON.parse can read without losing a byte, and stored
 * strings back into text SQLite keeps exactly: an invalid UTF-8 byte becomes `\xNN` (a lone
 * surrogate from a `\uD800` escape becomes `\u{d800}`) and the row is marked `text_escaped`.
 */
import { isUtf8 } from 'node:buffer';

// Invalid bytes travel through JSON.parse as lone low surrogates U+DC80..U+DCFF (as Python's surrogateescape).
const ESCAPED_BYTE_BASE = 0xdc00;

/** Decodes a line: plain UTF-8 when valid, else each invalid byte carried as a lone surrogate; says which. */
export function decodeLine(bytes: Uint8Array): { text: string; invalidUtf8: boolean } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buffer)) return { text: buffer.toString('utf8'), invalidUtf8: false };
  return { text: decodeEscapingInvalid(buffer), invalidUtf8: true };
}

function decodeEscapingInvalid(bytes: Buffer): string {
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  const flush = (end: number) => {
    if (end > start) parts.push(bytes.toString('utf8', start, end));
  };
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    flush(i);
    parts.push(String.fromCharCode(ESCAPED_BYTE_BASE + (bytes[i] ?? 0)));
    i += 1;
    start = i;
  }
  flush(i);
  return parts.join('');
}

/** Length of the well-formed UTF-8 sequence at `i`, or 0 when the byte there starts none. */
function validSequenceLength(b: Buffer, i: number): number {
  const b0 = b[i] ?? 0;
  if (b0 < 0x80) return 1;
  const cont = (k: number) => {
    const x = b[i + k];
    return x !== undefined && (x & 0xc0) === 0x80;
  };
  const b1 = b[i + 1] ?? 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    if (b0 === 0xe0 && b1 < 0xa0) return 0;
    if (b0 === 0xed && b1 >= 0xa0) return 0;
    return 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (b0 === 0xf0 && b1 < 0x90) return 0;
    if (b0 === 0xf4 && b1 >= 0x90) return 0;
    return 4;
  }
  return 0;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** True when a decoded line may hold lone surrogates (invalid bytes, or `\uD8xx` escapes in the JSON). */
export function mayHoldLoneSurrogates(text: string, invalidUtf8: boolean): boolean {
  if (invalidUtf8) return true;
  // What /\\u[dD][89a-fA-F]/ finds, by indexOf: a quarter of the regex's time over every line of a log.
  for (let i = text.indexOf('\\u'); i !== -1; i = text.indexOf('\\u', i + 2)) {
    const d = text.charCodeAt(i + 2);
    const h = text.charCodeAt(i + 3);
    const lower = h | 0x20;
    if ((d === 0x64 || d === 0x44) && (h === 0x38 || h === 0x39 || (lower >= 0x61 && lower <= 0x66))) return true;
  }
  return false;
}

/** A text value made storable: lone surrogates written as `\xNN` / `\u{xxxx}`, cut to `max` characters with a marker. */
export function storableText(value: string, max: number, escapes: { escaped: boolean }): string {
  let text = value;
  if (SURROGATE.test(text)) {
    text = text.replace(LONE_SURROGATE, (s) => {
      escapes.escaped = true;
      const code = s.charCodeAt(0);
      return code >= 0xdc80 && code <= 0xdcff ? `\\x${(code - ESCAPED_BYTE_BASE).toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
    });
  }
  if (text.length <= max) return text;
  // Never cut between the halves of a surrogate pair.
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…[cut ${text.length - end} chars]`;
}
