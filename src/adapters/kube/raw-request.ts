/**
 * A request to the API server made outside the generated client, for the few calls whose answers it
 * would decode lossily (a log's raw bytes, a dry-run delete's uid): the URL from the kubeconfig's
 * current cluster, and its TLS settings, credentials and proxy agent applied by the client's own
 * KubeConfig. The caller reads the answer, bounded.
 */
import { request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeClients } from './kube-client.js';

/** What to send: the method, the API path (already escaped), its query parameters and headers. */
export interface RawKubeRequest {
  method: 'GET' | 'DELETE';
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | number>;
}

/** Opens the request, not yet ended: the caller listens for its 'response' and 'error', then writes any body and ends it. */
export async function openKubeRequest(kube: KubeClients, spec: RawKubeRequest): Promise<ClientRequest> {
  const cluster = kube.config.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig names no current cluster');
  const url = new URL(`${cluster.server.replace(/\/+$/, '')}${spec.path}`);
  for (const [key, value] of Object.entries(spec.query)) url.searchParams.set(key, value);
  const options: RequestOptions = { method: spec.method, headers: { ...spec.headers } };
  await kube.config.applyToHTTPSOptions(options as Parameters<typeof kube.config.applyToHTTPSOptions>[0]);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return send(url, options);
}
