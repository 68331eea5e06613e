/**
 * Canonical JSON (RFC 8785, JCS) for the values kustody hashes: objects, arrays, strings, booleans,
 * null, safe integers and finite numbers. Keys are sorted by UTF-16 code units, no whitespace.
 * Python's `json.dumps(v, separators=(",", ":"), ensure_ascii=False)` over dicts re-ordered by
 * `key.encode("utf-16-be")` gives the same bytes for kustody's rows (integers only, no floats);
 * docs/evidence-schema.md has the snippet, so a reviewer can recompute any row hash.
 */

/** A JSON value as kustody stores it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const MAX_DEPTH = 64;

/** Serialises a JSON value canonically; throws on values JSON cannot carry (NaN, bigint, undefined). */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

function encode(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError(`canonical JSON nests deeper than ${MAX_DEPTH} levels`);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot carry the number ${value}`);
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => encode(item, depth + 1)).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort(compareUtf16);
      return `{${keys.map((key) => `${JSON.stringify(key)}:${encode(record[key], depth + 1)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot carry a ${typeof value}`);
  }
}

function compareUtf16(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
