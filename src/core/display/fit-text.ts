// Fitting already-escaped text into terminal cells: measuring, cutting and padding DisplayText
// without ever splitting one of the escaper's `\x1b` / `\u{202e}` notations; pure, no I/O.
// Like joinDisplay, this module re-brands what it builds: whole tokens of a DisplayText, spaces and
// `…`, none of which the escaper would change.
import { columnWidth } from './code-points.js';
import { trusted, type DisplayText } from './display-text.js';

// One unit of escaped text that must stay whole: an escape notation, a truncation marker, or one
// code point followed by its combining marks.
const TOKEN = /\\\\|\\x[0-9a-f]{2}|\\u\{[0-9a-f]+\}|\\…\[\+\d+ (?:bytes|marks)\]|[\s\S]\p{M}*/gu;

function tokenWidth(token: string): number {
  if (token.startsWith('\\')) return token.length;
  const cp = token.codePointAt(0) ?? 0x20;
  return columnWidth(cp);
}

/** Counts the terminal columns an escaped text occupies. */
export function displayWidth(text: DisplayText): number {
  let width = 0;
  for (const match of text.matchAll(TOKEN)) width += tokenWidth(match[0]);
  return width;
}

/**
 * Cuts escaped text to at most `width` columns, ending in `…` when something was cut, and never
 * inside an escape notation (a notation that does not fit is dropped whole).
 *
 * @example cutDisplay(escapeUntrusted('ab\x1bcd'), 5) // 'ab…' (the 4-column `\x1b` does not fit, so it is dropped whole)
 */
export function cutDisplay(text: DisplayText, width: number): DisplayText {
  if (width <= 0) return trusted('');
  if (text.length <= width && /^[\x20-\x7e]*$/.test(text)) return text;
  const tokens: string[] = [];
  const widths: number[] = [];
  let total = 0;
  for (const match of text.matchAll(TOKEN)) {
    const w = tokenWidth(match[0]);
    tokens.push(match[0]);
    widths.push(w);
    total += w;
  }
  if (total <= width) return text;
  let out = '';
  let used = 0;
  for (let i = 0; i < tokens.length; i++) {
    const w = widths[i] ?? 0;
    if (used + w > width - 1) break;
    out += tokens[i] ?? '';
    used += w;
  }
  return `${out}…` as DisplayText;
}

/** Cuts or pads escaped text to exactly `width` columns, aligned left or right. */
export function fitDisplay(text: DisplayText, width: number, align: 'left' | 'right' = 'left'): DisplayText {
  const cut = cutDisplay(text, width);
  const pad = ' '.repeat(Math.max(0, width - displayWidth(cut)));
  return (align === 'left' ? cut + pad : pad + cut) as DisplayText;
}

/**
 * Splits escaped text into lines of at most `width` columns, never inside an escape notation.
 *
 * @example wrapDisplay(escapeUntrusted('abcdef'), 4) // ['abcd', 'ef']
 */
export function wrapDisplay(text: DisplayText, width: number): DisplayText[] {
  const w = Math.max(1, width);
  const out: DisplayText[] = [];
  let line = '';
  let used = 0;
  for (const match of text.matchAll(TOKEN)) {
    const tw = tokenWidth(match[0]);
    if (used + tw > w && line !== '') {
      out.push(line as DisplayText);
      line = '';
      used = 0;
    }
    line += match[0];
    used += tw;
  }
  if (line !== '' || out.length === 0) out.push(line as DisplayText);
  return out;
}
