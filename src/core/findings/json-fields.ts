/** Defensive reads of parsed custody details: hostile or old rows may hold any shape. */
import type { JsonValue } from '../custody/canonical-json.js';

/** The object itself, or an empty one when the value is not a plain object. */
export function asObject(value: JsonValue | undefined): Readonly<Record<string, JsonValue>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

/** The array itself, or an empty one. */
export function asArray(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? value : [];
}

/** A string field, or null. */
export function asString(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}
