/** Runs commands in a node pod kustody placed (collector-footprint.ts; wait for it with waitForNodePod), bounded. */
import type { KubeClients } from './kube-client.js';
import { execInContainer, type ExecResult } from './pod-exec.js';

/** Runs `argv` in the node pod's `collector` container (16 MiB of stdout at most). */
export function execInNodePod(kube: KubeClients, pod: { namespace: string; name: string }, argv: readonly string[], timeoutMs: number): Promise<ExecResult> {
  return execInContainer(kube, { namespace: pod.namespace, pod: pod.name, container: 'collector', argv, timeoutMs, maxStdoutBytes: 16 * 1024 * 1024, maxStderrBytes: 64 * 1024 });
}
