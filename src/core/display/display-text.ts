// The DisplayText brand and the only ways to compose it from kustody's own text; pure, no I/O.
import { escapeUntrusted } from './escape-untrusted.js';
import { unsafePattern } from './code-points.js';

declare const displayTextBrand: unique symbol;

/** Text that may be written to a terminal: escaped evidence, vetted kustody literals, or compositions of both. */
export type DisplayText = string & { readonly [displayTextBrand]: true };

/** A value `display` accepts in an interpolation: already-escaped text or a number. */
export type DisplayPart = DisplayText | number | bigint;

// Kustody's own text may break lines; nothing else the escaper would touch is allowed in it.
function unsafeOwnTextAt(text: string): number {
  for (const match of text.matchAll(unsafePattern())) {
    if (match[0] !== '\n') return match.index;
  }
  return -1;
}

function vet(text: string, where: string): void {
  const at = unsafeOwnTextAt(text);
  if (at >= 0) {
    const cp = text.codePointAt(at) ?? 0;
    throw new TypeError(
      `${where} holds U+${cp.toString(16).padStart(4, '0')} at index ${at}; pass evidence through escapeUntrusted instead`,
    );
  }
}

/**
 * Marks a compile-time string literal of kustody's own text as DisplayText, rejecting a plain `string`
 * at compile time and any control, bidi or invisible character except a line feed at run time.
 *
 * @example trusted('Isolating pod') // 'Isolating pod'
 */
export function trusted<const T extends string>(literal: string extends T ? never : T): DisplayText {
  vet(literal, 'trusted() literal');
  return literal as string as DisplayText;
}

// A cast, an `any` or JSON can smuggle a raw string into a DisplayPart; such a value is escaped
// here rather than trusted, so the worst a bypass achieves is a mislabelled but harmless string.
function guard(part: DisplayPart): DisplayText {
  if (typeof part !== 'string') return escapeUntrusted(String(part));
  return unsafeOwnTextAt(part) >= 0 ? escapeUntrusted(part) : part;
}

/**
 * Tagged template that builds DisplayText from kustody's own literal text and DisplayText parts.
 *
 * @example display`Pod ${escapeUntrusted(name)} has ${count} processes`
 */
export function display(strings: TemplateStringsArray, ...parts: readonly DisplayPart[]): DisplayText {
  let out = '';
  strings.forEach((literal, i) => {
    vet(literal, 'display`…` template text');
    out += literal;
    const part = parts[i];
    if (i < strings.length - 1 && part !== undefined) out += guard(part);
  });
  return out as DisplayText;
}

/** Joins DisplayText parts with a DisplayText separator. */
export function joinDisplay(parts: readonly DisplayText[], separator: DisplayText): DisplayText {
  return parts.map(guard).join(guard(separator)) as DisplayText;
}

/**
 * Marks a whole document kustody composed from escaped parts (a report, a CSV line) as DisplayText:
 * line feeds stay, and any other control, bidi or invisible code point that slipped in is escaped.
 *
 * @example composedText('a,b\n1,2') // 'a,b\n1,2'
 */
export function composedText(text: string): DisplayText {
  return text.replace(unsafePattern(), (match) => (match === '\n' ? match : escapeUntrusted(match))) as DisplayText;
}
