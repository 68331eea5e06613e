/** Evaluates a change's expectation against an object read from the cluster. Pure. */
import type { JsonValue } from '../custody/canonical-json.js';
import type { Expectation } from './change.js';

/** Reads a JSON Pointer (RFC 6901) from a plain object; undefined when any step is missing. */
export function getPointer(object: unknown, pointer: string): unknown {
  if (pointer === '') return object;
  let node = object;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Whether the cluster object (null when absent) already satisfies the expectation. */
export function expectationHolds(expect: Expectation, object: Record<string, unknown> | null): boolean {
  switch (expect.check) {
    case 'exists':
      return object !== null && Object.entries(expect.labels ?? {}).every(([k, v]) => getPointer(object, `/metadata/labels/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`) === v);
    case 'absent':
      return object === null || (expect.uid !== undefined && getPointer(object, '/metadata/uid') !== expect.uid);
    case 'fields':
      return object !== null && getPointer(object, '/metadata/uid') === expect.uid && expect.equals.every(({ path, value }) => sameJson(getPointer(object, path), value));
  }
}

function sameJson(a: unknown, b: JsonValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
