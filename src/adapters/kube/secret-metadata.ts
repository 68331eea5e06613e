/**
 * Secrets for a persistence sweep, as metadata only: the list is asked for as a PartialObjectMetadataList,
 * so the API server never sends `data`. kustody's own roles do not grant listing Secrets; then the sweep
 * says what it could not see instead of guessing.
 */
import { setHeaderOptions } from '@kubernetes/client-node';
import type { KubeClients } from './kube-client.js';
import { plain } from './pod-context.js';
import { toKubeError } from './to-kube-error.js';

const METADATA_ONLY = setHeaderOptions('Accept', 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');

/** Secret metadata listed in each namespace the identity may list, and a note for each it may not. */
export async function listSecretMetadata(kube: KubeClients, namespaces: ReadonlyArray<string | null>): Promise<{ items: Array<Record<string, unknown>>; complete: boolean; notes: string[] }> {
  const items: Array<Record<string, unknown>> = [];
  const notes: string[] = [];
  let complete = true;
  for (const ns of namespaces) {
    const where = ns === null ? 'in all namespaces' : `in ${ns}`;
    const review = await kube.authz.createSelfSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'list', resource: 'secrets', ...(ns === null ? {} : { namespace: ns }) } } } }).catch(() => null);
    if (review?.status?.allowed !== true) {
      complete = false;
      notes.push(`could not see Secrets ${where}: this identity may not list them (kustody's roles never grant it). Token Secrets the case's identities created are still found from the ingested audit log.`);
      continue;
    }
    try {
      const list = ns === null ? await kube.core.listSecretForAllNamespaces({}, METADATA_ONLY) : await kube.core.listNamespacedSecret({ namespace: ns }, METADATA_ONLY);
      // Only metadata is kept, whatever the server sent.
      for (const item of list.items) items.push({ metadata: plain(item.metadata ?? {}) });
    } catch (error) {
      complete = false;
      notes.push(`could not list Secret metadata ${where}: ${toKubeError(error, 'list secrets (metadata only)').message}`);
    }
  }
  return { items, complete, notes };
}
