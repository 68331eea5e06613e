/**
 * Connects to a cluster the way kubectl would: every KUBECONFIG file merged with kubectl's rules,
 * --context/--cluster/--user/--namespace applied, and credential plugins run only as the user's kuberc
 * policy allows (kubectl's default when there is none), or with --allow-exec-plugin.
 */
import {
  AdmissionregistrationV1Api, AppsV1Api, AuthenticationV1Api, AuthorizationV1Api, BatchV1Api, CoreV1Api,
  KubeConfig, NetworkingV1Api, RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { selectClusterAccess } from '../../core/kube/kubeconfig-merge.js';
import { clientCluster, clientUser, type CredentialSource } from './client-user.js';
import { loadKubeconfig } from './kubeconfig-files.js';

/** How to find the cluster: kubectl's flags (the kubeconfig default is $KUBECONFIG, then ~/.kube/config). */
export interface KubeConnectOptions {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
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
  /** The kubeconfig user name, and where its credential comes from (a plugin's command, when one runs). */
  user: string;
  credential: CredentialSource;
  /** The namespace a bare POD name means: --namespace, else the context's, else `default`. */
  namespace: string;
}

/** Loads the kubeconfig like kubectl and builds the API clients; runs a credential plugin only when policy allows. */
export async function connectKube(options: KubeConnectOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<KubeClients> {
  const merged = loadKubeconfig(options.kubeconfig, env);
  const access = selectClusterAccess(merged, options);
  const config = new KubeConfig();
  const cluster = clientCluster(access.cluster);
  const { user, credential } = await clientUser(access.user, cluster, config, options.allowExecPlugin === true, env);
  const contextName = access.context === '' ? 'kustody-flags' : access.context;
  config.loadFromOptions({ clusters: [cluster], users: [user], contexts: [{ name: contextName, cluster: cluster.name, user: user.name, namespace: access.namespace }], currentContext: contextName });
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
    context: contextName,
    user: user.name,
    credential,
    namespace: access.namespace,
  };
}

/** Who the API server says we are (SelfSubjectReview): the Kubernetes identity recorded in every custody row. */
export async function whoAmI(kube: KubeClients): Promise<{ username: string; groups: string[] }> {
  const review = await kube.authn.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  return { username: review.status?.userInfo?.username ?? 'unknown', groups: review.status?.userInfo?.groups ?? [] };
}
