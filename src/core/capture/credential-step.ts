/**
 * The credentials step of a capture: turns each process's environment and the credential files read
 * from the container into `credentials` rows (fingerprints and claims, never values), and keeps the
 * live tokens in memory for later revocation checks.
 */
import { detectCredentials } from '../credentials/detect-credentials.js';
import type { LiveTokenHandle } from '../credentials/live-token.js';
import type { PodSpecLike } from '../credentials/pod-spec.js';
import type { CredentialFile } from '../credentials/types.js';
import { parseEnviron } from '../evidence/parsers/index.js';
import type { CredentialRow } from './capture-rows.js';
import type { RawCapture } from './raw-capture.js';

/** What the credential step needs besides the raw capture. */
export interface CredentialStepInput {
  caseKey: Uint8Array;
  now: Date;
  namespace?: string;
  podSpec?: PodSpecLike;
  containerName?: string;
  files: readonly CredentialFile[];
}

/** Rows to store (one per credential and place it was seen) and the distinct live tokens. */
export function buildCredentialRows(raw: RawCapture, input: CredentialStepInput): { rows: CredentialRow[]; liveTokens: LiveTokenHandle[] } {
  const rows: CredentialRow[] = [];
  const tokens = new Map<string, LiveTokenHandle>();
  const seen = new Set<string>();
  const add = (detected: ReturnType<typeof detectCredentials>) => {
    for (const r of detected.records) {
      const key = `${r.fingerprint} ${r.location} ${r.pid ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({ kind: r.kind, location: r.location, subject: r.subject, fingerprint: r.fingerprint, expires_at: r.expiresAt, claims_json: r.claimsJson, pid: r.pid });
    }
    for (const token of detected.liveTokens) tokens.set(token.fingerprint, token);
  };
  const options = { caseKey: input.caseKey, now: input.now };
  const base = { namespace: input.namespace, podSpec: input.podSpec, containerName: input.containerName };
  if (input.files.length > 0 || input.podSpec !== undefined) add(detectCredentials({ ...base, pid: null, files: input.files }, options));
  for (const process of raw.processes) {
    const file = process.files.environ;
    if (file === undefined || file.error !== undefined) continue;
    const environ = parseEnviron(file.bytes).entries.map((e) => ({ name: e.name.text, value: e.value?.bytes ?? null }));
    add(detectCredentials({ ...base, pid: process.pid, environ }, options));
  }
  return { rows, liveTokens: [...tokens.values()] };
}
