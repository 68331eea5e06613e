/**
 * Learns which Secret holds a name without reading it: a server-side dry-run delete (the verb the sweep
 * uses anyway; nothing is deleted) answers with a Status naming the object's uid (or, from some API
 * servers, the object itself, of which only the uid and creation time are kept). The generated client
 * decodes the answer as a Status and drops the uid of the object form, so this sends the request
 * itself, with the kubeconfig's TLS settings and credentials applied by the client's own KubeConfig, as
 * read-pod-log.ts does (raw-request.ts). The rest of the answer, its data included, is dropped here and
 * never logged or stored.
 */
import { ApiException } from '@kubernetes/client-node';
import type { IncomingMessage } from 'node:http';
import type { SecretProbe } from '../../core/sweep/pin-secret.js';
import type { KubeClients } from './kube-client.js';
import { openKubeRequest } from './raw-request.js';
import { toKubeError } from './to-kube-error.js';

// A Secret holds at most 1 MiB of data; its JSON answer (base64, metadata, managed fields) stays well under this.
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
const TIMEOUT_MS = 30_000;

/** The uid and creation time of the Secret now named `namespace/name`, that none is, or why that could not be learned. */
export async function probeSecret(kube: KubeClients, namespace: string, name: string): Promise<SecretProbe> {
  try {
    return (await secretIdentity(kube, namespace, name)) ?? { gone: true };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The uid (and creation time, when the answer carries the object) of the Secret now named `namespace/name`, or null when none is; throws a KustodyError saying what failed. */
export async function secretIdentity(kube: KubeClients, namespace: string, name: string): Promise<{ uid: string; createdAt: string | null } | null> {
  const action = `learn the uid of Secret ${namespace}/${name} (a dry-run delete)`;
  try {
    const { status, body } = await dryRunDelete(kube, `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`);
    if (status === 404) return null;
    if (status !== 200 && status !== 202) throw new ApiException(status, `delete answered ${status}`, body.toString('utf8', 0, 64 * 1024), {});
    const answer = JSON.parse(body.toString('utf8')) as { kind?: unknown; details?: { uid?: unknown }; metadata?: { uid?: unknown; creationTimestamp?: unknown } };
    const uid = answer.kind === 'Status' ? answer.details?.uid : answer.metadata?.uid;
    if (typeof uid !== 'string' || uid === '') throw new Error('the dry-run delete answered without a uid');
    const created = answer.kind === 'Status' ? undefined : answer.metadata?.creationTimestamp;
    return { uid, createdAt: typeof created === 'string' ? created : null };
  } catch (error) {
    if (error instanceof SyntaxError) throw toKubeError(new Error('the dry-run delete answered with something other than JSON'), action);
    throw toKubeError(error, action);
  }
}

/** DELETE `path` with dryRun=All (in the query and the DeleteOptions body); the status and at most MAX_ANSWER_BYTES of the answer. */
async function dryRunDelete(kube: KubeClients, path: string): Promise<{ status: number; body: Buffer }> {
  const payload = JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] });
  const headers = { Accept: 'application/json', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) };
  const request = await openKubeRequest(kube, { method: 'DELETE', path, query: { dryRun: 'All' }, headers });
  return new Promise((resolve, reject) => {
    request.once('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          request.destroy();
          reject(new Error(`the answer passed ${MAX_ANSWER_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.setTimeout(TIMEOUT_MS, () => request.destroy(Object.assign(new Error(`no answer within ${TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
    request.end(payload);
  });
}
