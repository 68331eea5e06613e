/**
 * A short-lived pod on a node (kustody's connection cutter): create it, wait until it runs, exec in
 * it, then delete it and read back that it is gone. Its own activeDeadlineSeconds ends it even if
 * kustody dies on the way.
 */
import type { JsonValue } from '../../core/custody/canonical-json.js';
import { KustodyError, messageOf } from '../../core/errors.js';
import type { KubeClients } from './kube-client.js';
import { execInContainer, type ExecResult } from './pod-exec.js';
import { toKubeError } from './to-kube-error.js';

/** What became of the pod after use: deleted and read back gone, or still there (with why). */
export interface NodePodRemoval {
  gone: boolean;
  error: string | null;
}

/** Runs `use` with an exec function into the pod's first container; always tries to delete the pod. */
export async function withNodeToolPod<T>(kube: KubeClients, body: Record<string, JsonValue>, use: (exec: (argv: readonly string[], timeoutMs: number) => Promise<ExecResult>) => Promise<T>): Promise<{ value: T; removal: NodePodRemoval }> {
  const metadata = body.metadata as { name: string; namespace: string };
  const spec = body.spec as { containers: Array<{ name: string }> };
  const { name, namespace } = metadata;
  const container = spec.containers[0]?.name ?? '';
  try {
    await kube.core.createNamespacedPod({ namespace, body: body as never });
  } catch (error) {
    throw toKubeError(error, `create the node pod ${namespace}/${name}`);
  }
  let value: T;
  try {
    await waitRunning(kube, namespace, name);
    value = await use((argv, timeoutMs) => execInContainer(kube, { namespace, pod: name, container, argv, timeoutMs, maxStdoutBytes: 16 * 1024 * 1024, maxStderrBytes: 64 * 1024 }));
  } catch (error) {
    const removal = await removePod(kube, namespace, name);
    if (!removal.gone && error instanceof KustodyError) throw new KustodyError(error.code, `${error.message} The node pod ${namespace}/${name} may still exist (${removal.error ?? 'not read back'}).`, { nextStep: `kubectl delete pod -n ${namespace} ${name}` });
    throw error;
  }
  return { value, removal: await removePod(kube, namespace, name) };
}

async function waitRunning(kube: KubeClients, namespace: string, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const pod = await kube.core.readNamespacedPod({ namespace, name });
    const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting?.reason;
    if (pod.status?.phase === 'Running') return;
    if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded' || (waiting !== undefined && /Err|Invalid/.test(waiting))) {
      throw new KustodyError('NODE_POD_FAILED', `The node pod ${namespace}/${name} did not start (${waiting ?? pod.status?.phase ?? 'unknown'}).`, { nextStep: 'Check that the image (--collector-image) is on the node and that Pod Security allows privileged pods in that namespace.' });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new KustodyError('TIMEOUT', `Timed out waiting for the node pod ${namespace}/${name} to run.`, { nextStep: `kubectl describe pod -n ${namespace} ${name}` });
}

/** Deletes the pod at once and reads until it is gone (30 s at most). */
async function removePod(kube: KubeClients, namespace: string, name: string): Promise<NodePodRemoval> {
  try {
    await kube.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
  } catch (error) {
    const failure = toKubeError(error, `delete the node pod ${namespace}/${name}`);
    if (failure.code !== 'KUBE_NOT_FOUND') return { gone: false, error: messageOf(failure) };
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await kube.core.readNamespacedPod({ namespace, name });
    } catch (error) {
      const failure = toKubeError(error, `read the node pod ${namespace}/${name}`);
      if (failure.code === 'KUBE_NOT_FOUND') return { gone: true, error: null };
      return { gone: false, error: messageOf(failure) };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { gone: false, error: 'still present 30 s after its deletion' };
}
