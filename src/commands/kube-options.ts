/** Flags and argument parsing shared by every command that talks to a cluster. */
import { UsageError } from '../core/errors.js';
import { connectKube, type KubeClients } from '../adapters/kube/kube-client.js';

/** The parseArgs options for choosing a cluster. */
export const KUBE_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'allow-exec-plugin': { type: 'boolean' },
} as const;

/** Connects with the flags a command received. */
export function connectFromFlags(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): KubeClients {
  return connectKube({
    kubeconfig: typeof values.kubeconfig === 'string' ? values.kubeconfig : undefined,
    context: typeof values.context === 'string' ? values.context : undefined,
    allowExecPlugin: values['allow-exec-plugin'] === true,
  }, env);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Parses NAMESPACE/POD, refusing anything that is not a valid Kubernetes name. */
export function parsePodTarget(text: string): { namespace: string; pod: string } {
  const [namespace = '', pod = '', ...rest] = text.split('/');
  if (rest.length > 0 || !DNS_LABEL.test(namespace) || !DNS_SUBDOMAIN.test(pod)) {
    throw new UsageError(`${JSON.stringify(text.slice(0, 80))} is not NAMESPACE/POD.`, 'Pass the pod as namespace/name, e.g. shop/web-7d9f-abcde (kubectl get pods -A).');
  }
  return { namespace, pod };
}
