/** Connects to the cluster named by a command's flags (loads the cluster client). */
import { connectKube, type KubeClients } from '../adapters/kube/kube-client.js';

/** Connects with the flags a command received. */
export function connectFromFlags(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): KubeClients {
  return connectKube({
    kubeconfig: typeof values.kubeconfig === 'string' ? values.kubeconfig : undefined,
    context: typeof values.context === 'string' ? values.context : undefined,
    allowExecPlugin: values['allow-exec-plugin'] === true,
  }, env);
}
