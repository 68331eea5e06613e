import { Buffer } from 'node:buffer';

/** Bytes taken from the target, kept exactly, with a text form that maps back to them. */
export interface ByteText {
  /** The bytes exactly as read; they are hostile and may be anything. */
  readonly bytes: Uint8Array;
  /**
   * The bytes decoded as UTF-8, where each byte of an invalid sequence is written `\xNN` and a
   * backslash is written `\\`, so `bytesFromText(text)` gives back `bytes`. Control characters
   * are left as they are: showing this on a terminal still needs the display sanitizer.
   */
  readonly text: string;
  /** Whether `bytes` is well-formed UTF-8, in which case `text` differs from it only by doubled backslashes. */
  readonly validUtf8: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Copies a byte range into a `ByteText`, so the record does not keep the whole input alive. */
export function toByteText(bytes: Uint8Array, start = 0, end = bytes.length): ByteText {
  const copy = bytes.slice(start, end);
  const { text, validUtf8 } = escapeBytes(copy);
  return { bytes: copy, text, validUtf8 };
}

/** Decodes bytes as UTF-8 losslessly: invalid bytes become `\xNN` and backslashes `\\`. */
export function escapeBytes(bytes: Uint8Array): { text: string; validUtf8: boolean } {
  const whole = tryDecode(bytes);
  if (whole !== null) return { text: escapeBackslashes(whole), validUtf8: true };
  // Slow path, only for invalid input: build UTF-16 code units directly, flushing in chunks.
  const chunks: string[] = [];
  let units: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) {
      for (const char of `\\x${(bytes[i] ?? 0).toString(16).padStart(2, '0')}`) units.push(char.charCodeAt(0));
      i += 1;
    } else {
      const point = codePointAt(bytes, i, length);
      if (point === 0x5c) units.push(0x5c, 0x5c);
      else if (point > 0xffff) units.push(0xd800 + ((point - 0x10000) >> 10), 0xdc00 + ((point - 0x10000) & 0x3ff));
      else units.push(point);
      i += length;
    }
    if (units.length >= 8192) {
      chunks.push(String.fromCharCode(...units));
      units = [];
    }
  }
  chunks.push(String.fromCharCode(...units));
  return { text: chunks.join(''), validUtf8: false };
}

/** Turns a `ByteText.text` back into its bytes: the inverse of `escapeBytes`. */
export function bytesFromText(text: string): Uint8Array {
  const parts: number[] = [];
  let literal = '';
  const flush = (): void => {
    for (const byte of encoder.encode(literal)) parts.push(byte);
    literal = '';
  };
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] ?? '';
    if (char !== '\\') {
      literal += char;
      continue;
    }
    const next = text[i + 1];
    const hex = text.slice(i + 2, i + 4);
    if (next === 'x' && /^[0-9a-f]{2}$/.test(hex)) {
      flush();
      parts.push(Number.parseInt(hex, 16));
      i += 3;
    } else {
      // `\\` and, leniently, a lone backslash both stand for one backslash.
      literal += '\\';
      if (next === '\\') i += 1;
    }
  }
  flush();
  return Uint8Array.from(parts);
}

/** Decodes a byte range (clamped to the input) as latin-1, one character per byte, for ASCII formats and their offsets. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const from = Math.min(Math.max(0, start), bytes.length);
  const to = Math.min(Math.max(from, end), bytes.length);
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
}

function tryDecode(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

function escapeBackslashes(text: string): string {
  return text.includes('\\') ? text.replaceAll('\\', '\\\\') : text;
}

function codePointAt(bytes: Uint8Array, i: number, length: number): number {
  const byte = (offset: number): number => bytes[i + offset] ?? 0;
  if (length === 1) return byte(0);
  if (length === 2) return ((byte(0) & 0x1f) << 6) | (byte(1) & 0x3f);
  if (length === 3) return ((byte(0) & 0x0f) << 12) | ((byte(1) & 0x3f) << 6) | (byte(2) & 0x3f);
  return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3f) << 12) | ((byte(2) & 0x3f) << 6) | (byte(3) & 0x3f);
}

/** Length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), or 0 if there is none. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const first = bytes[i] ?? 0x100;
  const inRange = (offset: number, low: number, high: number): boolean => {
    const byte = bytes[i + offset];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (first <= 0x7f) return 1;
  if (first >= 0xc2 && first <= 0xdf) return inRange(1, 0x80, 0xbf) ? 2 : 0;
  if (first >= 0xe0 && first <= 0xef) {
    const low = first === 0xe0 ? 0xa0 : 0x80;
    const high = first === 0xed ? 0x9f : 0xbf;
    return inRange(1, low, high) && inRange(2, 0x80, 0xbf) ? 3 : 0;
  }
  if (first >= 0xf0 && first <= 0xf4) {
    const low = first === 0xf0 ? 0x90 : 0x80;
    const high = first === 0xf4 ? 0x8f : 0xbf;
    return inRange(1, low, high) && inRange(2, 0x80, 0xbf) && inRange(3, 0x80, 0xbf) ? 4 : 0;
  }
  return 0;
}
