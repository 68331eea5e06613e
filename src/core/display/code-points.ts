// Character classes and UTF-8 decoding shared by the display sanitizer; pure, no I/O.

// Everything a terminal might act on or hide: C0, DEL, C1, lone surrogates, every format character
// (bidi, zero-width, soft hyphen, tags, BOM), line/paragraph separators, noncharacters, and the
// invisible fillers and selectors used to smuggle text. The explicit ranges repeat what \p{Cf}
// already covers so that an older Unicode table in the runtime cannot shrink the set.
const UNSAFE_SOURCE =
  '[\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180e' +
  '\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\u3164\\ufeff\\uffa0\\ufff9-\\ufffb' +
  '\\ud800-\\udfff\\u{e0000}-\\u{e007f}\\u{e0100}-\\u{e01ef}\\u{1d173}-\\u{1d17a}' +
  '\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}\\p{Noncharacter_Code_Point}]';

const UNSAFE_ONE = new RegExp(UNSAFE_SOURCE, 'u');
const COMBINING_MARK = /^\p{M}$/u;
const MARK_RUN = /\p{M}+/uy;
const WIDE =
  /^(?:[\u1100-\u115f\u231a\u231b\u2329\u232a\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]|\p{Emoji_Presentation})$/u;

/** Returns a fresh global regular expression that matches every code point the sanitizer escapes. */
export function unsafePattern(): RegExp {
  return new RegExp(UNSAFE_SOURCE, 'gu');
}

/** Returns the run of combining marks at `index` that the sanitizer would not escape (possibly empty). */
export function safeMarkRunAt(text: string, index: number): string {
  MARK_RUN.lastIndex = index;
  const run = MARK_RUN.exec(text)?.[0] ?? '';
  const unsafeAt = run.search(UNSAFE_ONE);
  return unsafeAt < 0 ? run : run.slice(0, unsafeAt);
}

/** Counts the UTF-8 bytes of a string from `from` on (a lone surrogate counts as 3, as in WTF-8). */
export function utf8ByteCount(text: string, from = 0): number {
  let n = 0;
  for (let i = from; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) n += 1;
    else if (unit < 0x800) n += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i += 1;
    } else n += 3;
  }
  return n;
}

/** Counts the code points of a string, a lone surrogate counting as one. */
export function codePointCount(text: string): number {
  let n = text.length;
  for (let i = 1; i < text.length; i++) {
    if ((text.charCodeAt(i) & 0xfc00) === 0xdc00 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800) {
      n -= 1;
      i += 1;
    }
  }
  return n;
}

/** Tells whether a code point must never reach a terminal unescaped. */
export function isUnsafeCodePoint(cp: number): boolean {
  if (cp >= 0x20 && cp < 0x7f) return false;
  return UNSAFE_ONE.test(String.fromCodePoint(cp));
}

/** Tells whether a code point is a combining mark (General_Category M), which draws on the previous character. */
export function isCombiningMark(cp: number): boolean {
  return cp >= 0x300 && COMBINING_MARK.test(String.fromCodePoint(cp));
}

/** Estimates the terminal columns a printable code point occupies: 0 for marks, 2 for wide and emoji, else 1. */
export function columnWidth(cp: number): number {
  if (cp < 0x1100) return cp >= 0x300 && isCombiningMark(cp) ? 0 : 1;
  if (isCombiningMark(cp)) return 0;
  return WIDE.test(String.fromCodePoint(cp)) ? 2 : 1;
}

/** Returns how many UTF-8 bytes encode a code point (a lone surrogate counts as 3, as in WTF-8). */
export function utf8Length(cp: number): number {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

/**
 * Reads one strictly valid UTF-8 sequence (Unicode Table 3-7: no overlongs, no surrogates, nothing
 * above U+10FFFF) at `index` and returns its code point and length, or code point -1 and length 1 for
 * a byte that does not start a valid sequence.
 */
export function readUtf8(bytes: Uint8Array, index: number): { cp: number; length: number } {
  const b0 = bytes[index] ?? 0;
  if (b0 < 0x80) return { cp: b0, length: 1 };
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 === 0xe0) low = 0xa0;
    if (b0 === 0xed) high = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 === 0xf0) low = 0x90;
    if (b0 === 0xf4) high = 0x8f;
  } else return { cp: -1, length: 1 };
  if (index + length > bytes.length) return { cp: -1, length: 1 };
  const b1 = bytes[index + 1] ?? 0;
  if (b1 < low || b1 > high) return { cp: -1, length: 1 };
  let cp = (b0 & (0xff >> (length + 1))) * 64 + (b1 & 0x3f);
  for (let k = 2; k < length; k++) {
    const b = bytes[index + k] ?? 0;
    if (b < 0x80 || b > 0xbf) return { cp: -1, length: 1 };
    cp = cp * 64 + (b & 0x3f);
  }
  return { cp, length };
}
