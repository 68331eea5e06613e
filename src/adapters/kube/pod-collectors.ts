/**
 * The in-cluster vantages. Each runs kustody's collector script and returns its raw output:
 *   exec   in the suspect container with the container's own sh and tools (no footprint; least trusted)
 *   debug  in an ephemeral container from a trusted image sharing the suspect's PID namespace
 *          (permanent on the pod; kustody records it as footprint)
 *   node   in a short-lived privileged hostPID pod on the suspect's node (deleted afterwards)
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
    name: debugName, image: image.ref, imagePullPolicy: image.pullPolicy, command: ['sleep', '900'], targetContainerName: container,
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
  await waitFor(`ephemeral container ${debugName} to run`, 60_000, async () => {
    const current = await kube.core.readNamespacedPod({ namespace, name });
    const status = current.status?.ephemeralContainerStatuses?.find((s) => s.name === debugName);
    if (status?.state?.terminated || status?.state?.waiting?.reason?.includes('Err')) throw new KustodyError('DEBUG_CONTAINER_FAILED', `The ephemeral collector container did not start (${status.state.terminated?.reason ?? status.state.waiting?.reason ?? 'unknown'}).`, { nextStep: 'Check that the collector image is available on the node; or use --via exec.' });
    return status?.state?.running !== undefined;
  });
  const result = await execInContainer(kube, { namespace, pod: name, container: debugName, argv: collectorArgv('tar', 'debug', credentialArgs), timeoutMs: limits.timeoutMs, maxStdoutBytes: limits.maxOutputBytes, maxStderrBytes: 64 * 1024 });
  return { vantage: 'debug', format: 'tar', result, footprint };
}

/** Starts a privileged hostPID pod on the suspect's node, runs the collector for `containerId` in it, and deletes it. */
export async function collectViaNode(kube: KubeClients, pod: V1Pod, containerId: string, image: CollectorImage, credentialArgs: readonly string[], limits: CollectorLimits): Promise<CollectorRun> {
  const namespace = pod.metadata?.namespace ?? '';
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw new KustodyError('NODE_UNKNOWN', 'The pod is not scheduled on a node yet.', { nextStep: 'Use --via exec, or wait until the pod runs.' });
  const collectorName = `kustody-collector-${randomBytes(3).toString('hex')}`;
  const body = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: collectorName, namespace, labels: { 'app.kubernetes.io/managed-by': 'kustody', 'kustody.io/role': 'collector' } },
    spec: {
      nodeName, hostPID: true, restartPolicy: 'Never', automountServiceAccountToken: false, enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'collector', image: image.ref, imagePullPolicy: image.pullPolicy, command: ['sleep', '900'], securityContext: { privileged: true } }],
      terminationGracePeriodSeconds: 0,
    },
  };
  try {
    await kube.core.createNamespacedPod({ namespace, body });
  } catch (error) {
    throw toKubeError(error, `create the node collector pod in ${namespace}`);
  }
  const footprint = [{ kind: 'Pod', pod: `${namespace}/${collectorName}`, node: nodeName, image: image.ref, note: 'privileged hostPID collector, deleted after the capture' }];
  try {
    await waitFor(`collector pod ${collectorName} to run`, 60_000, async () => {
      const current = await kube.core.readNamespacedPod({ namespace, name: collectorName });
      return current.status?.phase === 'Running';
    });
    const result = await execInContainer(kube, { namespace, pod: collectorName, container: 'collector', argv: collectorArgv('tar', `node:${containerId}`, credentialArgs), timeoutMs: limits.timeoutMs, maxStdoutBytes: limits.maxOutputBytes, maxStderrBytes: 64 * 1024 });
    return { vantage: 'node', format: 'tar', result, footprint };
  } finally {
    await kube.core.deleteNamespacedPod({ namespace, name: collectorName, gracePeriodSeconds: 0 }).catch(() => undefined);
  }
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new KustodyError('TIMEOUT', `Timed out waiting for ${what}.`, { nextStep: 'Check the pod\'s events (kubectl describe pod) and try another --via.' });
}
