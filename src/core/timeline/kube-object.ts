/** Reading captured Kubernetes objects (untrusted canonical JSON) defensively for the timeline. Pure. */
import { textOf } from './message-text.js';

/** A parsed JSON object, or an empty one when the text is not a JSON object. */
export type Json = Record<string, unknown>;

/** Parses a stored object; anything but a JSON object reads as {}. */
export function parseObject(value: unknown): Json {
  try {
    const parsed: unknown = JSON.parse(textOf(value));
    return asObject(parsed);
  } catch {
    return {};
  }
}

/** A value as an object, or {} when it is not one. */
export function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/** A value as an array of objects (non-objects dropped), or []. */
export function asObjects(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(asObject) : [];
}

/** `namespace/name`, or `name` for a cluster-scoped object. */
export function objectName(namespace: unknown, name: unknown): string {
  const ns = textOf(namespace);
  return ns === '' ? textOf(name) : `${ns}/${textOf(name)}`;
}
