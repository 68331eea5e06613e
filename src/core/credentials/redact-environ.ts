// The only form in which a capture stores a process environment (F2, F3): credential values become
// `[redacted <fingerprint>]`, decided by the same rules that make `credentials` rows.
import { envSources, findEnvCredential } from './classify-environ.js';
import { fingerprintCredential } from './fingerprint.js';
import type { PodSpecLike } from './pod-spec.js';
import type { EnvPair } from './types.js';

/** The case key, and the pod spec and container the environment belongs to (for `secretKeyRef`/`envFrom`). */
export interface RedactEnvironOptions {
  readonly caseKey: Uint8Array;
  readonly podSpec?: PodSpecLike;
  readonly containerName?: string;
}

/** One environment entry as it may be stored: unchanged, or with its value (and, rarely, its name) redacted. */
export interface RedactedEnvPair {
  readonly name: string;
  readonly value: string | Uint8Array | null;
  readonly redacted: boolean;
}

/** Returns the environment with every credential value replaced by `[redacted hmac-sha256:…]`; names that are themselves secrets become `[redacted entry N]`. */
export function redactEnviron(pairs: readonly EnvPair[], options: RedactEnvironOptions): RedactedEnvPair[] {
  const sources = envSources(options.podSpec, options.containerName);
  return pairs.map((pair, index): RedactedEnvPair => {
    const found = findEnvCredential(pair, index, sources);
    if (found === null) return { name: pair.name, value: pair.value, redacted: false };
    const marker = `[redacted ${fingerprintCredential(options.caseKey, found.secret)}]`;
    if (!found.nameShown) return { name: `[redacted entry ${index}]`, value: pair.value === null ? null : marker, redacted: true };
    return { name: pair.name, value: marker, redacted: true };
  });
}
