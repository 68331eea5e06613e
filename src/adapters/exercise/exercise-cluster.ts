/**
 * The cluster calls an exercise makes, for any kind a scenario may create: create, read, delete with
 * the object's uid as precondition, list; waiting for a pod; minting the attacker's token (bound to
 * the victim pod, kept in memory only) and building the attacker's own API client from it.
 */
import { ApiException, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { knownKind } from '../../core/exercise/object-kinds.js';
import type { KubeClients } from '../kube/kube-client.js';
import { plain } from '../kube/pod-context.js';
import { toKubeError } from '../kube/to-kube-error.js';

/** An object's identity on the cluster. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
}

/** How a call the cluster answered went: done, refused (401/403: the identity may not), or failed. */
export type CallOutcome<T> = { outcome: 'ok'; value: T } | { outcome: 'refused' | 'failed'; status: number | null; message: string };

/** A generic API client for `kube`'s identity. */
export function objectApi(config: KubeConfig): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(config);
}

function header(ref: ObjectRef): KubernetesObject & { metadata: { name: string; namespace?: string } } {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: ref.namespace === null ? { name: ref.name } : { name: ref.name, namespace: ref.namespace } };
}

/** Runs one API call, turning 401/403 into `refused` and any other API error into `failed` (message redacted). */
export async function classify<T>(what: string, call: () => Promise<T>): Promise<CallOutcome<T>> {
  try {
    return { outcome: 'ok', value: await call() };
  } catch (error) {
    const status = error instanceof ApiException ? error.code : null;
    return { outcome: status === 401 || status === 403 ? 'refused' : 'failed', status, message: toKubeError(error, what).message };
  }
}

/** Creates an object and returns it as the server answered (with its uid). */
export async function createObject(api: KubernetesObjectApi, object: Record<string, unknown>): Promise<Record<string, unknown>> {
  return plain(await api.create(object as KubernetesObject));
}

/** Reads an object, or null when it does not exist. */
export async function readObjectRef(api: KubernetesObjectApi, ref: ObjectRef): Promise<Record<string, unknown> | null> {
  try {
    return plain(await api.read<KubernetesObject>(header(ref)));
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return null;
    throw toKubeError(error, `read ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`);
  }
}

/**
 * Deletes an object whose uid is `uid` (any uid when null): `gone` when it no longer exists,
 * `replaced` when an object of that name with another uid stands there (left alone).
 */
export async function deleteObjectRef(api: KubernetesObjectApi, ref: ObjectRef, uid: string | null): Promise<'deleted' | 'gone' | 'replaced'> {
  const body = uid === null ? { propagationPolicy: 'Background' } : { propagationPolicy: 'Background', preconditions: { uid } };
  try {
    await api.delete(header(ref), undefined, undefined, undefined, undefined, 'Background', body);
    return 'deleted';
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return 'gone';
    if (error instanceof ApiException && error.code === 409) return 'replaced';
    throw toKubeError(error, `delete ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`);
  }
}

/** Lists objects of a kind (in `namespace`, or everywhere when null) and returns their names. */
export async function listNames(api: KubernetesObjectApi, apiVersion: string, kind: string, namespace: string | null): Promise<string[]> {
  const list = await api.list(apiVersion, kind, namespace ?? undefined);
  return list.items.map((item) => `${item.metadata?.namespace ? `${item.metadata.namespace}/` : ''}${item.metadata?.name ?? ''}`);
}

/** Waits until the pod is Ready and returns its IP and uid; throws after `timeoutMs`. */
export async function waitPodReady(kube: KubeClients, namespace: string, name: string, timeoutMs: number): Promise<{ ip: string; uid: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pod = await kube.core.readNamespacedPod({ namespace, name });
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    if (ready && pod.status?.podIP && pod.metadata?.uid) return { ip: pod.status.podIP, uid: pod.metadata.uid };
    if (Date.now() > deadline) throw new Error(`pod ${namespace}/${name} was not Ready within ${Math.round(timeoutMs / 1000)} s (phase ${pod.status?.phase ?? 'unknown'})`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Mints a token for the ServiceAccount bound to the pod (as a token stolen from it would be); it lives only in memory. */
export async function mintBoundToken(kube: KubeClients, namespace: string, serviceAccount: string, pod: { name: string; uid: string }, seconds: number): Promise<string> {
  const review = await kube.core.createNamespacedServiceAccountToken({
    namespace, name: serviceAccount,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: seconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid } } },
  });
  const token = review.status?.token;
  if (typeof token !== 'string' || token === '') throw new Error('the API server returned no token');
  return token;
}

/** A client config for the same cluster as `kube`, authenticated only by `token`. */
export function configWithToken(kube: KubeClients, token: string): KubeConfig {
  const cluster = kube.config.getCurrentCluster();
  if (cluster === null) throw new Error('no current cluster');
  const config = new KubeConfig();
  config.loadFromOptions({ clusters: [cluster], users: [{ name: 'exercise-attacker', token }], contexts: [{ name: 'exercise-attacker', cluster: cluster.name, user: 'exercise-attacker' }], currentContext: 'exercise-attacker' });
  return config;
}

/** Whether a kind is namespaced (scenario kinds only; others are treated as namespaced). */
export function isNamespaced(apiVersion: string, kind: string): boolean {
  return knownKind(apiVersion, kind)?.namespaced ?? true;
}
