/**
 * Makes a Kubernetes object safe to store as evidence: Secrets lose `data` and `stringData` (and the
 * last-applied annotation that repeats them), and plain `env` values that look like credentials in
 * pod templates are replaced by a fingerprint. Everything else is kept as the API server returned it.
 */
import { redactInline, type Fingerprint } from '../capture/redact-argv.js';

const SECRETISH_NAME = /(pass(word)?|passwd|pwd|secret|token|api[-_]?key|apikey|private[-_]?key|credential|access[-_]?key|auth)/i;

/** Returns a deep copy of `object` with secret values removed. */
export function sanitizeObject(kind: string, object: unknown, fingerprint: Fingerprint): unknown {
  const copy = structuredClone(object) as Record<string, unknown>;
  if (kind === 'Secret') {
    delete copy.data;
    delete copy.stringData;
    const annotations = (copy.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
    if (annotations) delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    return copy;
  }
  redactEnvValues(copy, fingerprint, 0);
  return copy;
}

/** Walks the object and redacts `env[].value` entries of containers wherever they appear (pods, templates). */
function redactEnvValues(node: unknown, fingerprint: Fingerprint, depth: number): void {
  if (depth > 40 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) redactEnvValues(item, fingerprint, depth + 1);
    return;
  }
  const record = node as Record<string, unknown>;
  if (Array.isArray(record.env)) {
    for (const variable of record.env as Array<Record<string, unknown>>) {
      if (variable === null || typeof variable !== 'object' || typeof variable.value !== 'string') continue;
      const name = typeof variable.name === 'string' ? variable.name : '';
      const value = variable.value;
      variable.value = SECRETISH_NAME.test(name) && value !== '' ? `[redacted ${fingerprint(value)}]` : redactInline(value, (v) => `[redacted ${fingerprint(v)}]`);
    }
  }
  for (const value of Object.values(record)) redactEnvValues(value, fingerprint, depth + 1);
}
