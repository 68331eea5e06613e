/**
 * The start screen's look at the cluster: which context and API server the kubeconfig names, who the
 * API server says we are (SelfSubjectReview), and one SelfSubjectAccessReview per permission a
 * playbook needs. Read-only; a cluster that cannot be reached is an answer, not an error.
 */
import type { ClusterStatus, PermissionCheck } from '../../core/ui/cluster-view.js';
import type { PermissionNeed } from '../../core/ui/permission-needs.js';
import { KustodyError } from '../../core/errors.js';
import { redactError } from '../../core/display/index.js';
import { describeCredential } from '../kube/client-user.js';
import { connectKube, whoAmI, type KubeClients, type KubeConnectOptions } from '../kube/kube-client.js';

const PROBE_TIMEOUT_MS = 8000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Asks the API server, per need, whether the current identity may do it (in any namespace). */
export async function checkPermissions(kube: KubeClients, needs: readonly PermissionNeed[]): Promise<PermissionCheck[]> {
  return Promise.all(needs.map(async (need) => {
    const [resource = '', subresource] = need.resource.split('/');
    try {
      const review = await withTimeout(kube.authz.createSelfSubjectAccessReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: need.verb, group: need.group, resource, subresource, namespace: need.namespace } } },
      }), 'SelfSubjectAccessReview');
      return { need, allowed: review.status?.allowed === true };
    } catch {
      return { need, allowed: null };
    }
  }));
}

/** Connects and probes; returns the clients too when the cluster answered. */
export async function probeCluster(options: KubeConnectOptions, env: NodeJS.ProcessEnv, needs: readonly PermissionNeed[]): Promise<{ status: ClusterStatus; kube: KubeClients | null }> {
  let kube: KubeClients;
  try {
    kube = await connectKube(options, env);
  } catch (error) {
    const known = error instanceof KustodyError ? error : null;
    return { kube: null, status: { kind: 'unreachable', reason: known?.message ?? String(redactError(error)), nextStep: known?.nextStep ?? 'Check the kubeconfig.' } };
  }
  try {
    const who = await withTimeout(whoAmI(kube), `The API server at ${kube.server}`);
    const checks = await checkPermissions(kube, needs);
    return { kube, status: { kind: 'ready', context: kube.context, server: kube.server, user: who.username, groups: who.groups, checks, credential: describeCredential(kube.credential) } };
  } catch (error) {
    return {
      kube: null,
      status: { kind: 'unreachable', reason: `The API server at ${kube.server} (context ${kube.context}) did not answer: ${String(redactError(error, { maxColumns: 200 }))}`, nextStep: 'Check that the cluster is up and reachable, or pick another context with --context.' },
    };
  }
}
