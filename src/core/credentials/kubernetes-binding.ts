// The `kubernetes.io` part of a ServiceAccount token: which pod, ServiceAccount and node it is bound to.
import { ownObject, ownString } from './bounded-json.js';

/** A name and UID pair, as a token names a bound object. */
export interface BoundObject {
  readonly name: string | null;
  readonly uid: string | null;
}

/** What a Kubernetes token says it is bound to; legacy Secret-based tokens fill `secretName` instead of pod and node. */
export interface KubernetesBinding {
  readonly namespace: string | null;
  readonly pod: BoundObject | null;
  readonly serviceAccount: BoundObject | null;
  readonly node: BoundObject | null;
  readonly secretName: string | null;
  /** `warnafter`: when a client should refresh a token kept valid past its nominal expiry. */
  readonly warnAfter: number | null;
}

const LEGACY = 'kubernetes.io/serviceaccount/';

/** Reads the `kubernetes.io` block (or a legacy token's flat `kubernetes.io/serviceaccount/*` claims), or null if neither is there. */
export function readKubernetesBinding(payload: Record<string, unknown>, clip: (value: string) => string): KubernetesBinding | null {
  const text = (record: Record<string, unknown> | undefined, key: string): string | null => {
    const value = record === undefined ? undefined : ownString(record, key);
    return value === undefined ? null : clip(value);
  };
  const bound = (record: Record<string, unknown>, key: string): BoundObject | null => {
    const object = ownObject(record, key);
    return object === undefined ? null : { name: text(object, 'name'), uid: text(object, 'uid') };
  };
  const block = ownObject(payload, 'kubernetes.io');
  if (block !== undefined) {
    const warnAfter = Object.hasOwn(block, 'warnafter') ? block.warnafter : undefined;
    return {
      namespace: text(block, 'namespace'),
      pod: bound(block, 'pod'),
      serviceAccount: bound(block, 'serviceaccount'),
      node: bound(block, 'node'),
      secretName: bound(block, 'secret')?.name ?? null,
      warnAfter: typeof warnAfter === 'number' && Number.isFinite(warnAfter) ? warnAfter : null,
    };
  }
  if (ownString(payload, `${LEGACY}namespace`) === undefined) return null;
  return {
    namespace: text(payload, `${LEGACY}namespace`),
    pod: null,
    serviceAccount: { name: text(payload, `${LEGACY}service-account.name`), uid: text(payload, `${LEGACY}service-account.uid`) },
    node: null,
    secretName: text(payload, `${LEGACY}secret.name`),
    warnAfter: null,
  };
}

/** Turns a binding into the JSON kept in `claims_json`, shaped like the token's own `kubernetes.io` block, nulls left out. */
export function bindingJson(binding: KubernetesBinding): Record<string, unknown> {
  const object = (value: BoundObject | null): Record<string, unknown> | undefined =>
    value === null ? undefined : dropNulls({ name: value.name, uid: value.uid });
  return dropNulls({
    namespace: binding.namespace,
    pod: object(binding.pod),
    serviceaccount: object(binding.serviceAccount),
    node: object(binding.node),
    secret: binding.secretName === null ? undefined : { name: binding.secretName },
    warnafter: binding.warnAfter,
  });
}

/** Copies an object without its null and undefined members, so stored JSON carries only what was known. */
export function dropNulls(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== null && value !== undefined) out[key] = value;
  return out;
}
