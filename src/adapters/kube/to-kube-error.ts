/**
 * Translates API failures into errors that say what happened and what to do, with the response
 * body's message kept (escaped later) and headers, tokens and bodies otherwise dropped.
 */
import { ApiException } from '@kubernetes/client-node';
import { redactSecrets } from '../../core/display/index.js';
import { KustodyError } from '../../core/errors.js';

/** Turns an error from a Kubernetes call into a KustodyError; `action` says what kustody was doing ("read pod shop/web-1"). */
export function toKubeError(error: unknown, action: string): KustodyError {
  if (error instanceof KustodyError) return error;
  if (error instanceof ApiException) {
    const message = statusMessage(error.body);
    const code = error.code;
    if (code === 401) return new KustodyError('KUBE_UNAUTHORIZED', `The API server did not accept your credentials while trying to ${action}.`, { nextStep: 'Refresh your kubeconfig credentials (log in again) and retry.' });
    if (code === 403) {
      const need = /cannot (\S+) resource "([^"]*)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]*)")?/.exec(message);
      const what = need === null ? action : `${need[1]} ${need[2]}${need[3] ? `.${need[3]}` : ''}${need[4] ? ` in namespace ${need[4]}` : ' (cluster-wide)'}`;
      return new KustodyError('KUBE_FORBIDDEN', `You need permission to ${what}; the API server refused to ${action}.`, { nextStep: 'Bind your identity to the kustody-responder ClusterRole (deploy/rbac.yaml), or ask a cluster admin for that permission.' });
    }
    if (code === 404) return new KustodyError('KUBE_NOT_FOUND', `Not found while trying to ${action}: ${message || 'the object does not exist'}.`, { nextStep: 'Check the namespace and name (kubectl get pods -A).' });
    if (code === 409) return new KustodyError('KUBE_CONFLICT', `The object changed while trying to ${action}: ${message}.`, { nextStep: 'Run the command again; kustody reads the current state first.' });
    if (code === 422 || code === 400) return new KustodyError('KUBE_INVALID', `The API server rejected the request to ${action}: ${message}.`, { nextStep: 'This is likely a bug in kustody; rerun with --debug and report it.' });
    return new KustodyError('KUBE_API', `The API server answered ${code} while trying to ${action}${message ? `: ${message}` : ''}.`, { nextStep: 'Retry; if it persists, check the API server health (kubectl get --raw /readyz).' });
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|CERT_|UNABLE_TO_VERIFY|DEPTH_ZERO)/.test(code)) {
    return new KustodyError('KUBE_UNREACHABLE', `The API server could not be reached while trying to ${action} (${code}).`, { nextStep: 'Check the kubeconfig server address, the network, and the CA; `kubectl get --raw /readyz` should answer.' });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new KustodyError('KUBE_ERROR', `Failed to ${action}: ${redactSecrets(text).slice(0, 300)}.`, { nextStep: 'Rerun with --debug for details.' });
}

/** The `message` of a Kubernetes Status body, bounded and with secrets removed. */
function statusMessage(body: unknown): string {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return '';
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? redactSecrets(message).slice(0, 500) : '';
}
