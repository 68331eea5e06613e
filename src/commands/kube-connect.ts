/** Connects to the cluster named by a command's flags (loads the cluster client). */
import { connectKube, type KubeClients } from '../adapters/kube/kube-client.js';
import { kubeOptionsFromFlags, namespaceFlag, parsePodTarget } from './kube-options.js';

/** Connects with the flags a command received. */
export function connectFromFlags(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): Promise<KubeClients> {
  return connectKube(kubeOptionsFromFlags(values), env);
}

/** Parses a command's POD or NAMESPACE/POD argument once connected: a bare POD is in -n, else the context's namespace. */
export function podTargetFor(text: string, kube: KubeClients, values: Record<string, string | boolean | undefined>): { namespace: string; pod: string } {
  return parsePodTarget(text, kube.namespace, namespaceFlag(values));
}
