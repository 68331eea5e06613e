// JSON from a hostile source, parsed only after its size and nesting are known to be small.

/** Caps on a JSON text: its length in UTF-16 code units and how deeply arrays and objects nest. */
export interface JsonLimits {
  readonly maxChars: number;
  readonly maxDepth: number;
}

/** The outcome of `parseBoundedJson`: the value, or which bound or rule the text broke. */
export type BoundedJson =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'too-large' | 'too-deep' | 'not-json' };

/** Parses JSON text within the limits; never throws and never reports the text itself. */
export function parseBoundedJson(text: string, limits: JsonLimits): BoundedJson {
  if (text.length > limits.maxChars) return { ok: false, reason: 'too-large' };
  if (nestingDepth(text) > limits.maxDepth) return { ok: false, reason: 'too-deep' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // JSON.parse's message quotes the input, which may be a secret: drop it.
    return { ok: false, reason: 'not-json' };
  }
}

/** Tells whether a parsed JSON value is a plain object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an own string property, or undefined; a hostile `__proto__` key is just another key. */
export function ownString(record: Record<string, unknown>, key: string): string | undefined {
  if (!Object.hasOwn(record, key)) return undefined;
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

/** Reads an own object property, or undefined. */
export function ownObject(record: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  if (!Object.hasOwn(record, key)) return undefined;
  const value = record[key];
  return isJsonObject(value) ? value : undefined;
}

// The deepest nesting of brackets outside strings, found in one pass before anything is parsed.
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i += 1;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (char === 0x5d || char === 0x7d) depth -= 1;
  }
  return deepest;
}
