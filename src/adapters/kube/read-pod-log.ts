/**
 * Reads a container log as the exact bytes the API server sends. The generated client decodes the
 * body to a JS string (invalid UTF-8 becomes U+FFFD), so this makes the same GET itself (raw-request.ts)
 * and keeps the raw chunks. Bounded: at most `maxBytes` are kept (the read stops one byte past it), and a
 * connection idle for `idleMs` ends the read.
 */
import { ApiException } from '@kubernetes/client-node';
import type { IncomingMessage } from 'node:http';
import type { KubeClients } from './kube-client.js';
import { openKubeRequest } from './raw-request.js';

/** Which log to read. */
export interface PodLogTarget {
  namespace: string;
  name: string;
  container: string;
  previous: boolean;
}

/** The bytes received (at most the limit) and whether more were there. */
export interface PodLogBytes {
  bytes: Buffer;
  truncated: boolean;
  /** Why the read ended early (idle timeout, connection reset), when it did. */
  cut?: string;
}

const MAX_ERROR_BODY = 64 * 1024;

/** GETs /api/v1/namespaces/NS/pods/NAME/log with timestamps, keeping the body's bytes as received. */
export async function readPodLogBytes(kube: KubeClients, target: PodLogTarget, limits: { maxBytes: number; idleMs: number }): Promise<PodLogBytes> {
  const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.name)}/log`;
  const query = { container: target.container, previous: String(target.previous), timestamps: 'true', limitBytes: String(limits.maxBytes + 1) };
  const request = await openKubeRequest(kube, { method: 'GET', path, query, headers: { Accept: '*/*' } });
  return new Promise<PodLogBytes>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let settled = false;
    const finish = (result: PodLogBytes | Error) => {
      if (settled) return;
      settled = true;
      request.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    request.once('response', (response: IncomingMessage) => {
      if (response.statusCode !== 200) {
        readErrorBody(response).then((body) => finish(new ApiException(response.statusCode ?? 0, `log request answered ${response.statusCode ?? 0}`, body, {})), finish);
        return;
      }
      response.on('data', (chunk: Buffer) => {
        const room = limits.maxBytes + 1 - kept;
        if (room > 0) chunks.push(chunk.subarray(0, room));
        kept += Math.min(room, chunk.length);
        if (kept > limits.maxBytes) finish({ bytes: Buffer.concat(chunks).subarray(0, limits.maxBytes), truncated: true });
      });
      response.on('end', () => finish({ bytes: Buffer.concat(chunks), truncated: false }));
      response.on('error', (error) => finish(kept === 0 ? error : { bytes: Buffer.concat(chunks), truncated: true, cut: `the connection failed after ${kept} bytes (${codeOf(error)})` }));
    });
    request.setTimeout(limits.idleMs, () => {
      finish(kept === 0 ? Object.assign(new Error(`no answer within ${limits.idleMs} ms`), { code: 'ETIMEDOUT' }) : { bytes: Buffer.concat(chunks), truncated: true, cut: `the log stalled for ${limits.idleMs} ms after ${kept} bytes` });
    });
    request.on('error', (error) => finish(kept === 0 ? error : { bytes: Buffer.concat(chunks), truncated: true, cut: `the connection failed after ${kept} bytes (${codeOf(error)})` }));
    request.end();
  });
}

async function readErrorBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (size < MAX_ERROR_BODY) chunks.push(chunk.subarray(0, MAX_ERROR_BODY - size));
    size += chunk.length;
    if (size >= MAX_ERROR_BODY) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'error';
}
