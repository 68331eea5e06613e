// JSON output that a terminal can print safely (TUI-4); pure, no I/O.
import type { DisplayText } from './display-text.js';
import { unsafePattern } from './code-points.js';

const UNSAFE = unsafePattern();

// JSON.stringify already writes C0 controls (ESC as \u001b) and lone surrogates as \uXXXX escapes;
// DEL, C1, bidi, zero-width, tags and U+2028/9 it leaves raw. They can only occur inside JSON
// strings, so a \uXXXX escape there keeps the document valid and parses back to the same value.
// A raw line feed can only be the indentation JSON.stringify adds itself, so it stays.
function jsonEscape(match: string): string {
  if (match === '\n') return match;
  let out = '';
  for (let i = 0; i < match.length; i++) out += `\\u${match.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * Serialises a value as JSON with every control, bidi and invisible character written as a `\uXXXX`
 * escape, so the text is valid JSON and safe on a terminal (with `space`, it keeps its own line feeds).
 *
 * @example toSafeJson({ comm: 'a\u202eb' }) // '{"comm":"a\\u202eb"}'
 */
export function toSafeJson(value: unknown, space?: number): DisplayText {
  // 64-bit values from /proc (inodes, start times) are bigints: written as decimal strings, exactly.
  const json: unknown = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), space);
  if (typeof json !== 'string') throw new TypeError(`toSafeJson cannot serialise a value of type ${typeof value}`);
  return json.replace(UNSAFE, jsonEscape) as DisplayText;
}
