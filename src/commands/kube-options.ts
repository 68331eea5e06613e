/** Flags and argument parsing shared by every command that talks to a cluster (light: no cluster client is loaded here). */
import type { KubeConnectOptions } from '../adapters/kube/kube-client.js';
import { UsageError } from '../core/errors.js';

/** The parseArgs options for choosing a cluster, named as kubectl names them. */
export const KUBE_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  cluster: { type: 'string' },
  user: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'allow-exec-plugin': { type: 'boolean' },
} as const;

/** The usage text for the cluster flags, for commands' help. */
export const KUBE_FLAGS_USAGE = '[--kubeconfig FILE] [--context NAME] [--cluster NAME] [--user NAME] [-n NAMESPACE] [--allow-exec-plugin]';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Parses NAMESPACE/POD, or a bare POD in `namespace` (the -n flag, else the context's namespace),
 * refusing anything that is not a valid Kubernetes name or that contradicts -n.
 */
export function parsePodTarget(text: string, namespace?: string, explicitNamespace?: string): { namespace: string; pod: string } {
  const parts = text.split('/');
  const [ns = '', pod = ''] = parts.length === 1 ? [namespace ?? '', parts[0] ?? ''] : parts;
  if (parts.length > 2 || !DNS_LABEL.test(ns) || !DNS_SUBDOMAIN.test(pod)) {
    throw new UsageError(`${JSON.stringify(text.slice(0, 80))} is not NAMESPACE/POD${parts.length === 1 && namespace === undefined ? ' (a bare POD needs -n NAMESPACE)' : ''}.`, 'Pass the pod as namespace/name (e.g. shop/web-7d9f-abcde) or as a name with -n NAMESPACE (kubectl get pods -A lists them).');
  }
  if (parts.length === 2 && explicitNamespace !== undefined && explicitNamespace !== ns) {
    throw new UsageError(`${JSON.stringify(text.slice(0, 80))} names namespace ${ns} but -n says ${explicitNamespace.slice(0, 63)}.`, 'Pass the namespace once: NAMESPACE/POD, or POD with -n NAMESPACE.');
  }
  return { namespace: ns, pod };
}

/** The connection options a command's flags name. */
export function kubeOptionsFromFlags(values: Record<string, string | boolean | undefined>): KubeConnectOptions {
  const text = (key: string) => (typeof values[key] === 'string' ? values[key] : undefined);
  return { kubeconfig: text('kubeconfig'), context: text('context'), cluster: text('cluster'), user: text('user'), namespace: text('namespace'), allowExecPlugin: values['allow-exec-plugin'] === true };
}

/** The -n/--namespace flag's value, when given. */
export function namespaceFlag(values: Record<string, string | boolean | undefined>): string | undefined {
  return typeof values.namespace === 'string' ? values.namespace : undefined;
}
