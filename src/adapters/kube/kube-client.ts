/**
 * Connects to a cluster from a kubeconfig, refusing credential plugins unless allowed (K8S-4): a
 * kubeconfig `exec` entry runs an arbitrary program with the responder's privileges.
 */
import {
  AdmissionregistrationV1Api, AppsV1Api, AuthenticationV1Api, AuthorizationV1Api, BatchV1Api, CoreV1Api,
  KubeConfig, NetworkingV1Api, RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { KustodyError, UnreadableInputError } from '../../core/errors.js';

/** How to find the cluster: a kubeconfig file (default $KUBECONFIG or ~/.kube/config) and a context. */
export interface KubeConnectOptions {
  kubeconfig?: string;
  context?: string;
  allowExecPlugin?: boolean;
}

/** The API groups kustody uses, for one cluster and identity. */
export interface KubeClients {
  config: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  rbac: RbacAuthorizationV1Api;
  networking: NetworkingV1Api;
  authn: AuthenticationV1Api;
  authz: AuthorizationV1Api;
  admission: AdmissionregistrationV1Api;
  /** The API server URL and context name, for the custody log and the start screen. */
  server: string;
  context: string;
}

/** Loads the kubeconfig and builds the API clients; never runs a credential plugin unless allowed. */
export function connectKube(options: KubeConnectOptions = {}, env: NodeJS.ProcessEnv = process.env): KubeClients {
  const config = new KubeConfig();
  try {
    const path = options.kubeconfig ?? env.KUBECONFIG?.split(':')[0];
    if (path !== undefined && path !== '') config.loadFromFile(path);
    else config.loadFromDefault();
  } catch (error) {
    throw new UnreadableInputError('KUBECONFIG_UNREADABLE', 'The kubeconfig could not be read.', 'Pass --kubeconfig FILE or set KUBECONFIG to a readable kubeconfig.', error);
  }
  if (options.context !== undefined) {
    if (!config.getContexts().some((c) => c.name === options.context)) {
      throw new UnreadableInputError('KUBE_CONTEXT', `The kubeconfig has no context named ${options.context}.`, 'List them with `kubectl config get-contexts`.');
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (cluster === null) throw new UnreadableInputError('KUBE_CONTEXT', 'The kubeconfig names no current cluster.', 'Pass --context NAME or set current-context.');
  const user = config.getCurrentUser();
  if ((user?.exec !== undefined || user?.authProvider !== undefined) && options.allowExecPlugin !== true) {
    throw new KustodyError('EXEC_PLUGIN_REFUSED', `The kubeconfig user ${user?.name ?? ''} gets its credentials by running a plugin program, which kustody does not run by default.`, {
      kind: 'usage',
      nextStep: 'Pass --allow-exec-plugin if you trust that program, or use a kubeconfig with a token or client certificate.',
    });
  }
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    batch: config.makeApiClient(BatchV1Api),
    rbac: config.makeApiClient(RbacAuthorizationV1Api),
    networking: config.makeApiClient(NetworkingV1Api),
    authn: config.makeApiClient(AuthenticationV1Api),
    authz: config.makeApiClient(AuthorizationV1Api),
    admission: config.makeApiClient(AdmissionregistrationV1Api),
    server: cluster.server,
    context: config.getCurrentContext(),
  };
}

/** Who the API server says we are (SelfSubjectReview): the Kubernetes identity recorded in every custody row. */
export async function whoAmI(kube: KubeClients): Promise<{ username: string; groups: string[] }> {
  const review = await kube.authn.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  return { username: review.status?.userInfo?.username ?? 'unknown', groups: review.status?.userInfo?.groups ?? [] };
}
