/** Reads which ServiceAccount a pod ran as from the case's own capture of it, for revoking after the pod is gone. */
import type { ReadableDb } from './open-store.js';

/** A Kubernetes object name (DNS subdomain): what the API accepts as a ServiceAccount name. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** The ServiceAccount of `namespace/pod` in the latest Pod object this case captured, or undefined when there is none or it is not a valid name. */
export function capturedServiceAccountName(db: ReadableDb, namespace: string, pod: string): string | undefined {
  const row = db.prepare("SELECT json FROM k8s_objects WHERE kind = 'Pod' AND namespace = ? AND name = ? ORDER BY rowid DESC LIMIT 1").get(namespace, pod) as { json: string } | undefined;
  if (row === undefined) return undefined;
  let spec: unknown;
  try {
    spec = (JSON.parse(row.json) as { spec?: unknown }).spec;
  } catch {
    return undefined;
  }
  if (typeof spec !== 'object' || spec === null) return undefined;
  const name = (spec as { serviceAccountName?: unknown }).serviceAccountName ?? 'default';
  return typeof name === 'string' && OBJECT_NAME.test(name) ? name : undefined;
}
