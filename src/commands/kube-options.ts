/** Flags and argument parsing shared by every command that talks to a cluster (light: no cluster client is loaded here). */
import { UsageError } from '../core/errors.js';

/** The parseArgs options for choosing a cluster. */
export const KUBE_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'allow-exec-plugin': { type: 'boolean' },
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The trusted image for node and debug pods, from --collector-image and --collector-pull-policy (default IfNotPresent). */
export function collectorImageFlags(values: Record<string, string | boolean | undefined>): { ref: string; pullPolicy: 'Always' | 'IfNotPresent' | 'Never' } | undefined {
  const ref = values['collector-image'];
  if (typeof ref !== 'string') return undefined;
  const policy = values['collector-pull-policy'] ?? 'IfNotPresent';
  if (policy !== 'Always' && policy !== 'IfNotPresent' && policy !== 'Never') throw new UsageError('--collector-pull-policy must be Always, IfNotPresent or Never.');
  return { ref, pullPolicy: policy };
}

/** Parses NAMESPACE/POD, refusing anything that is not a valid Kubernetes name. */
export function parsePodTarget(text: string): { namespace: string; pod: string } {
  const [namespace = '', pod = '', ...rest] = text.split('/');
  if (rest.length > 0 || !DNS_LABEL.test(namespace) || !DNS_SUBDOMAIN.test(pod)) {
    throw new UsageError(`${JSON.stringify(text.slice(0, 80))} is not NAMESPACE/POD.`, 'Pass the pod as namespace/name, e.g. shop/web-7d9f-abcde (kubectl get pods -A).');
  }
  return { namespace, pod };
}
