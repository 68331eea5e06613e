/** Asks the API server whether a token still authenticates (TokenReview) and what a subject may do (SubjectAccessReview). */
import type { KubeClients } from './kube-client.js';
import { toKubeError } from './to-kube-error.js';

/** What a TokenReview said about one token. */
export interface TokenVerdict {
  authenticated: boolean;
  username: string | null;
  error: string | null;
}

/** Sends the token to TokenReview; the token goes only to the API server, never to a log. */
export async function reviewToken(kube: KubeClients, token: string, audiences?: string[]): Promise<TokenVerdict> {
  try {
    const review = await kube.authn.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences } } });
    return { authenticated: review.status?.authenticated === true, username: review.status?.user?.username ?? null, error: review.status?.error ?? null };
  } catch (error) {
    throw toKubeError(error, 'review a token (TokenReview)');
  }
}

/** Whether `user` (with `groups`) may `verb` `resource` in `namespace`, by SubjectAccessReview. */
export async function subjectMay(kube: KubeClients, subject: { user: string; groups: string[] }, attributes: { verb: string; resource: string; group?: string; namespace?: string }): Promise<boolean> {
  try {
    const review = await kube.authz.createSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: subject.user, groups: subject.groups, resourceAttributes: { verb: attributes.verb, resource: attributes.resource, group: attributes.group ?? '', namespace: attributes.namespace } } } });
    return review.status?.allowed === true;
  } catch (error) {
    throw toKubeError(error, 'check a subject\'s permissions (SubjectAccessReview)');
  }
}
