/**
 * After isolation: which connections are still open. NetworkPolicy does not cut established
 * connections on every CNI, so kustody reads the pod's sockets again (collector via exec) and
 * records the survivors; none is what "isolated" should mean.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { buildCapture } from '../core/capture/build-capture.js';
import { parseCollectorOutput } from '../core/capture/parse-collector-output.js';
import type { ConnectionRow } from '../core/capture/capture-rows.js';
import { messageOf } from '../core/errors.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import { collectViaExec } from '../adapters/kube/pod-collectors.js';

/** The established TCP connections and connected UDP sockets of the pod's first container (peer not loopback), or why they could not be read. */
export async function openConnections(kube: KubeClients, pod: V1Pod): Promise<{ established: ConnectionRow[]; error: string | null }> {
  const container = pod.spec?.containers[0]?.name;
  if (container === undefined) return { established: [], error: 'the pod has no container' };
  try {
    const run = await collectViaExec(kube, pod, container, [], { timeoutMs: 30_000, maxOutputBytes: 64 * 1024 * 1024 });
    const parsed = parseCollectorOutput(run.result.stdout, { vantage: 'exec', target: 'isolation-check', exclusiveNetns: pod.spec?.hostNetwork !== true });
    if (!parsed.complete && parsed.raw.processes.length === 0) return { established: [], error: parsed.raw.notes[0] ?? 'the collector produced no output' };
    const rows = buildCapture(parsed.raw, () => '[redacted]').connections.rows;
    // ESTABLISHED in the UDP tables is a connected UDP socket: its flow survives the policy just as a TCP one does.
    return { established: rows.filter((r) => r.proto !== 'unix' && r.state === 'ESTABLISHED' && r.remote_addr !== null && !/^(127\.|::ffff:127\.|::1$)/.test(r.remote_addr)), error: null };
  } catch (error) {
    return { established: [], error: messageOf(error) };
  }
}
