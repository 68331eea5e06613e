/**
 * Gathers the raw tokens a revocation must later prove dead, in memory only: the tokens the suspect
 * pod can read right now (through the exec collector) and any leaked token the responder hands over.
 * Only fingerprints and claims ever leave this process.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { buildCredentialRows } from '../core/capture/credential-step.js';
import { parseCollectorOutput } from '../core/capture/parse-collector-output.js';
import { credentialPaths } from '../core/credentials/credential-paths.js';
import { decodeJwtClaims, looksLikeJwt } from '../core/credentials/jwt-claims.js';
import { LiveTokenHandle } from '../core/credentials/live-token.js';
import type { PodSpecLike } from '../core/credentials/pod-spec.js';
import { messageOf } from '../core/errors.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import { collectViaExec } from '../adapters/kube/pod-collectors.js';
import { plain } from '../adapters/kube/pod-context.js';

/** Reads the pod's token files through exec and returns the live tokens found (none when the pod cannot be read). */
export async function readPodTokens(kube: KubeClients, pod: V1Pod, caseKey: Uint8Array): Promise<{ tokens: LiveTokenHandle[]; note: string | null }> {
  const container = pod.spec?.containers[0]?.name;
  if (container === undefined) return { tokens: [], note: 'the pod has no container' };
  const spec = plain(pod.spec ?? {}) as PodSpecLike;
  const paths = credentialPaths(spec, container);
  try {
    const run = await collectViaExec(kube, pod, container, paths.map((p) => (p.directory ? `dir:${p.path}` : p.path)), { timeoutMs: 30_000, maxOutputBytes: 64 * 1024 * 1024 });
    const parsed = parseCollectorOutput(run.result.stdout, { vantage: 'exec', target: 'tokens', exclusiveNetns: true });
    const files = [...parsed.credentialFiles.entries()].flatMap(([key, file]) => {
      const base = paths[Number(key.split('.')[0])]?.path;
      return file.error !== undefined || base === undefined ? [] : [{ path: file.name === undefined ? base : `${base}/${file.name}`, content: file.bytes }];
    });
    const raw = { ...parsed.raw, processes: [] };
    const built = buildCredentialRows(raw, { caseKey, now: new Date(), namespace: pod.metadata?.namespace, podSpec: spec, containerName: container, files });
    return { tokens: built.liveTokens, note: null };
  } catch (error) {
    return { tokens: [], note: `could not read the pod's tokens: ${messageOf(error)}` };
  }
}

/** Wraps a leaked token the responder supplies (read from a file) as a live token handle. */
export function leakedToken(text: string, caseKey: Uint8Array, source: string): LiveTokenHandle {
  const token = text.trim();
  if (!looksLikeJwt(token)) throw new Error(`${source} does not hold a JWT`);
  const claims = decodeJwtClaims(token);
  return new LiveTokenHandle(token, caseKey, { kind: 'serviceaccount-token', location: `file:${source}`, subject: claims.claims?.sub ?? null, audiences: claims.claims?.aud ?? [], expiresAt: claims.expiresAt });
}

/** The legacy token Secret a token names in its claims, if it is a Secret-based token. */
export function legacySecretOf(token: LiveTokenHandle): string | null {
  return decodeJwtClaims(token.reveal()).claims?.kubernetes?.secretName ?? null;
}

/** What an applied revocation removed, to tell which tokens it must have killed. */
export interface RemovedIdentities {
  podUids: string[];
  serviceAccountUids: string[];
  legacySecrets: string[];
}

/** Whether the applied changes must make this token stop authenticating (so it is polled until it does). */
export function tokenTargeted(token: LiveTokenHandle, removed: RemovedIdentities): boolean {
  const binding = decodeJwtClaims(token.reveal()).claims?.kubernetes;
  if (binding === null || binding === undefined) return false;
  if (binding.secretName !== null && removed.legacySecrets.includes(binding.secretName)) return true;
  const podUid = binding.pod?.uid ?? null;
  const saUid = binding.serviceAccount?.uid ?? null;
  if (podUid !== null && removed.podUids.includes(podUid)) return true;
  return saUid !== null && removed.serviceAccountUids.includes(saUid);
}
