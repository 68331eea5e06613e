/**
 * The in-cluster vantages. Each runs kustody's collector script and returns its raw output:
 *   exec   in the suspect container with the container's own sh and tools (no footprint; least trusted)
 *   debug  in an ephemeral container from a trusted image sharing the suspect's PID namespace
 *          (permanent on the pod; kustody records it as footprint)
 *   node   in a short-lived privileged hostPID pod on the suspect's node, in kustody's own namespace
 *          (placed, guarded and removed by runner/collector-footprint.ts; this only waits and execs)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { KustodyError } from '../../core/errors.js';
import type { KubeClients } from './kube-client.js';
import { execInContainer, type ExecResult } from './pod-exec.js';
import { toKubeError } from './to-kube-error.js';

/** The collector script shipped with kustody (collector/kustody-collector.sh). */
export const COLLECTOR_SCRIPT = readFileSync(new URL('../../../collector/kustody-collector.sh', import.meta.url), 'utf8');

/** Limits for one collector run. */
export interface CollectorLimits {
  timeoutMs: number;
  maxOutputBytes: number;
}

/** The trusted image the debug and node vantages run (pin it by digest in production), and how the node gets it. */
export interface CollectorImage {
  ref: string;
  pullPolicy: 'Always' | 'IfNotPresent' | 'Never';
}

/** What a collector run returned, and what kustody left in the cluster to get it. `format` says how stdout is framed. */
export interface CollectorRun {
  vantage: 'exec' | 'debug' | 'node';
  format: 'lines' | 'tar';
  result: ExecResult;
  footprint: Array<Record<string, string>>;
  /** The image the runtime reports it ran (debug and node), when known. */
  imageId?: string;
}

function collectorArgv(format: 'lines' | 'tar', mode: string, credentialArgs: readonly string[]): string[] {
  return ['sh', '-c', COLLECTOR_SCRIPT, 'kustody-collector', format, mode, ...credentialArgs];
}

/** Runs the collector in the suspect container itself. */
export async function collectViaExec(kube: KubeClients, pod: V1Pod, container: string, credentialArgs: readonly string[], limits: CollectorLimits): Promise<CollectorRun> {
  const result = await execInContainer(kube, {
    namespace: pod.metadata?.namespace ?? '', pod: pod.metadata?.name ?? '', container,
    argv: collectorArgv('lines', 'exec', credentialArgs), timeoutMs: limits.timeoutMs, maxStdoutBytes: limits.maxOutputBytes, maxStderrBytes: 64 * 1024,
  });
  return { vantage: 'exec', format: 'lines', result, footprint: [] };
}

/** Adds an ephemeral container from `image` targeting `container`, then runs the collector in it. */
export async function collectViaDebug(kube: KubeClients, pod: V1Pod, container: string, image: CollectorImage, credentialArgs: readonly string[], limits: CollectorLimits): Promise<CollectorRun> {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const debugName = `kustody-${randomBytes(3).toString('hex')}`;
  const ephemeral = {
    name: debugName, image: image.ref, imagePullPolicy: image.pullPolicy, command: ['sleep', String(Math.ceil(limits.timeoutMs / 1000) + 90)], targetContainerName: container,
    stdin: false, tty: false, securityContext: { runAsUser: 0 },
  };
  try {
    await kube.core.patchNamespacedPodEphemeralcontainers(
      { namespace, name, body: { spec: { ephemeralContainers: [...(pod.spec?.ephemeralContainers ?? []), ephemeral] }, metadata: { resourceVersion: pod.metadata?.resourceVersion } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  } catch (error) {
    throw toKubeError(error, `add an ephemeral collector container to ${namespace}/${name}`);
  }
  const footprint = [{ kind: 'EphemeralContainer', pod: `${namespace}/${name}`, name: debugName, image: image.ref, note: 'ephemeral containers cannot be removed from a pod' }];
  let imageId = '';
  await waitFor(`ephemeral container ${debugName} to run`, 60_000, async () => {
    const current = await kube.core.readNamespacedPod({ namespace, name });
    const status = current.status?.ephemeralContainerStatuses?.find((s) => s.name === debugName);
    if (status?.state?.terminated || status?.state?.waiting?.reason?.includes('Err')) throw new KustodyError('DEBUG_CONTAINER_FAILED', `The ephemeral collector container did not start (${status.state.terminated?.reason ?? status.state.waiting?.reason ?? 'unknown'}).`, { nextStep: 'Check that the collector image is available on the node; or use --via exec.' });
    imageId = status?.imageID ?? '';
    return status?.state?.running !== undefined;
  });
  const result = await execInContainer(kube, { namespace, pod: name, container: debugName, argv: collectorArgv('tar', 'debug', credentialArgs), timeoutMs: limits.timeoutMs, maxStdoutBytes: limits.maxOutputBytes, maxStderrBytes: 64 * 1024 });
  return { vantage: 'debug', format: 'tar', result, footprint, imageId };
}

/** Waits until kustody's node pod (placed by runner/collector-footprint.ts) runs; returns the image id the runtime reports. Fails fast when it cannot start. */
export async function waitForNodePod(kube: KubeClients, collector: { namespace: string; name: string }): Promise<string> {
  const { namespace, name } = collector;
  let imageId = '';
  await waitFor(`collector pod ${namespace}/${name} to run`, 60_000, async () => {
    const current = await kube.core.readNamespacedPod({ namespace, name });
    const status = current.status?.containerStatuses?.find((s) => s.name === 'collector');
    const waiting = status?.state?.waiting?.reason ?? '';
    if (status?.state?.terminated || current.status?.phase === 'Failed' || current.status?.phase === 'Succeeded' || /Err|BackOff|Invalid/.test(waiting)) {
      throw new KustodyError('COLLECTOR_POD_FAILED', `The collector pod did not start (${status?.state?.terminated?.reason ?? (waiting || current.status?.phase) ?? 'unknown'}).`, { nextStep: 'Check that the collector image is on the node (kubectl describe pod); or use --via exec or debug.' });
    }
    imageId = status?.imageID ?? '';
    return current.status?.phase === 'Running' && status?.state?.running !== undefined;
  });
  return imageId;
}

/** Runs the collector for `containerId` in kustody's node pod once it runs. */
export async function collectInNodePod(kube: KubeClients, collector: { namespace: string; name: string }, containerId: string, credentialArgs: readonly string[], limits: CollectorLimits): Promise<{ result: ExecResult; imageId: string }> {
  const imageId = await waitForNodePod(kube, collector);
  const result = await execInContainer(kube, { namespace: collector.namespace, pod: collector.name, container: 'collector', argv: collectorArgv('tar', `node:${containerId}`, credentialArgs), timeoutMs: limits.timeoutMs, maxStdoutBytes: limits.maxOutputBytes, maxStderrBytes: 64 * 1024 });
  return { result, imageId };
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new KustodyError('TIMEOUT', `Timed out waiting for ${what}.`, { nextStep: 'Check the pod\'s events (kubectl describe pod) and try another --via.' });
}
