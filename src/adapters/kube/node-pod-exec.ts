/** Runs commands in a node pod kustody placed (collector-footprint.ts): waits until it runs, then execs, bounded. */
import { KustodyError } from '../../core/errors.js';
import type { KubeClients } from './kube-client.js';
import { execInContainer, type ExecResult } from './pod-exec.js';

/** Waits (60 s at most) until the pod's `collector` container runs; throws when it cannot start. */
export async function waitNodePodRunning(kube: KubeClients, pod: { namespace: string; name: string }): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const current = await kube.core.readNamespacedPod(pod);
    const status = current.status?.containerStatuses?.find((s) => s.name === 'collector');
    const waiting = status?.state?.waiting?.reason ?? '';
    if (status?.state?.terminated || current.status?.phase === 'Failed' || current.status?.phase === 'Succeeded' || /Err|BackOff|Invalid/.test(waiting)) {
      throw new KustodyError('NODE_POD_FAILED', `The node pod ${pod.namespace}/${pod.name} did not start (${status?.state?.terminated?.reason ?? (waiting || current.status?.phase) ?? 'unknown'}).`, { nextStep: 'Check that the image (--collector-image) is on the node: kubectl describe pod.' });
    }
    if (current.status?.phase === 'Running' && status?.state?.running !== undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new KustodyError('TIMEOUT', `Timed out waiting for the node pod ${pod.namespace}/${pod.name} to run.`, { nextStep: `kubectl describe pod -n ${pod.namespace} ${pod.name}` });
}

/** Runs `argv` in the node pod's `collector` container (16 MiB of stdout at most). */
export function execInNodePod(kube: KubeClients, pod: { namespace: string; name: string }, argv: readonly string[], timeoutMs: number): Promise<ExecResult> {
  return execInContainer(kube, { namespace: pod.namespace, pod: pod.name, container: 'collector', argv, timeoutMs, maxStdoutBytes: 16 * 1024 * 1024, maxStderrBytes: 64 * 1024 });
}
