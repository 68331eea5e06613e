/**
 * `isolate --cut-connections`: destroys every connection that survived the quarantine policy, from the
 * node vantage, without signalling any process. Planned (the exact node pod and its guard, the rule, the
 * connections the case last saw) → recorded → dry run stops here → confirmed → intent → kustody's
 * guarded node pod placed in kustody-system (collector-footprint.ts, through the Change runner) →
 * read, `ss -K` and `conntrack -D` per connection, read again → pod and guard deleted and read back →
 * verdict recorded (cut, or what remains). Not undoable: a cut connection cannot be restored.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { V1Pod } from '@kubernetes/client-node';
import { buildCapture } from '../core/capture/build-capture.js';
import { parseCollectorOutput } from '../core/capture/parse-collector-output.js';
import { connectionsToCut, CUT_RULE, cutArguments, judgeCut, parseCutOutput, podFlowArguments, processMarks, type CutAction, type CutVerdict, type LiveConnection, type ProcessMark } from '../core/contain/plan-cut.js';
import { COLLECTOR_NAMESPACE, planCollectorPod } from '../core/capture/plan-collector-pod.js';
import type { JsonValue } from '../core/custody/canonical-json.js';
import { KustodyError, messageOf } from '../core/errors.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import type { ExecResult } from '../adapters/kube/pod-exec.js';
import { execInNodePod } from '../adapters/kube/node-pod-exec.js';
import { waitForNodePod, type CollectorImage } from '../adapters/kube/pod-collectors.js';
import { readObject } from '../adapters/kube/cluster-changes.js';
import { toKubeError } from '../adapters/kube/to-kube-error.js';
import { recordAction } from '../adapters/store/case-store.js';
import { latestCapturedConnections } from '../adapters/store/captured-connections.js';
import { utcNow } from '../adapters/system/responder-env.js';
import { changePorts, type ChangeSession } from './change-session.js';
import { placeCollectorPod, removeCollectorPod, type FootprintItem } from './collector-footprint.js';
import type { PodTarget } from './run-isolate.js';

/** The cut script shipped with kustody (collector/kustody-netcut.sh). */
const NETCUT_SCRIPT = readFileSync(new URL('../../collector/kustody-netcut.sh', import.meta.url), 'utf8');
/** The node pod's life, enforced by the kubelet (activeDeadlineSeconds) even if kustody dies. */
const LIFETIME_SECONDS = 120;
/** Connections per run of the cut script. */
const CUT_BATCH = 200;

/** What the cut would do, as previewed and recorded. */
export interface CutPlan {
  target: string;
  rule: string;
  /** The node pod as it will be created (its name is drawn again when placed), preceded by its guard. */
  pod: Record<string, JsonValue> | null;
  guard: Record<string, JsonValue>[];
  /** The connections the case's latest capture saw (the cut itself re-reads them on the node). */
  known: { captured_at: string; connections: LiveConnection[] } | null;
  /** What the responder should know about the node pod (an image not pinned by digest). */
  report: string[];
  /** Why the node vantage cannot be used, when it cannot; the cut is then not offered. */
  refused: string | null;
}

/** How a cut ended. */
export interface CutOutcome {
  status: 'dry-run' | 'not-confirmed' | 'refused' | 'cut' | 'incomplete' | 'nothing-to-cut' | 'failed';
  plan: CutPlan;
  verdict: CutVerdict | null;
  /** What became of each object of the node pod's footprint (deleted and gone, or how to remove it). */
  footprint: FootprintItem[];
  error: string | null;
}

/** Plans the cut: reads the pod, checks it may be cut from its node, and builds the node pod; mutates nothing. */
export async function planCut(kube: KubeClients, session: ChangeSession, target: PodTarget, image: CollectorImage | undefined): Promise<{ plan: CutPlan; pod: V1Pod | null }> {
  const ref = `pod:${target.namespace}/${target.pod}`;
  const captured = latestCapturedConnections(session.db, ref);
  const known = captured === null ? null : { captured_at: captured.capturedAt, connections: connectionsToCut(captured.rows) };
  const base = { target: ref, rule: CUT_RULE, known, guard: [], report: [] };
  let pod: V1Pod;
  try {
    pod = await kube.core.readNamespacedPod({ namespace: target.namespace, name: target.pod });
  } catch (error) {
    return { plan: { ...base, pod: null, refused: messageOf(toKubeError(error, `read pod ${target.namespace}/${target.pod}`)) }, pod: null };
  }
  const refuse = (why: string) => ({ plan: { ...base, pod: null, refused: why }, pod });
  if (pod.spec?.hostNetwork === true) return refuse('the pod uses the node\'s network namespace (hostNetwork): cutting there would cut the node\'s own connections. Isolate the node instead.');
  if (!pod.spec?.nodeName) return refuse('the pod is not scheduled on a node');
  if (image === undefined) return refuse('no trusted node image was given (--collector-image): the cut runs `ss` and `conntrack` from the node vantage, never from the suspect\'s own tools');
  const node = planCollectorPod({ caseId: session.caseId, target: ref, namespace: COLLECTOR_NAMESPACE, name: 'kustody-collector-preview', nodeName: pod.spec.nodeName, image, lifetimeSeconds: LIFETIME_SECONDS, responderUser: session.kubeUser });
  const objects = node.changes.map((c) => (c.change.action === 'create' ? c.change.object : {}));
  const body = objects.at(-1) ?? {};
  // The API server's own check of the exact pod (admission, Pod Security, RBAC), once kustody-system exists.
  if (await readObject(kube, { kind: 'Namespace', name: COLLECTOR_NAMESPACE }) !== null) {
    try {
      await kube.core.createNamespacedPod({ namespace: COLLECTOR_NAMESPACE, body: body as never, dryRun: 'All' });
    } catch (error) {
      return refuse(`the node pod is not allowed: ${messageOf(toKubeError(error, `create a privileged pod in ${COLLECTOR_NAMESPACE} (server-side dry run)`))}`);
    }
  }
  return { plan: { ...base, pod: body, guard: objects.slice(0, -1), report: node.report, refused: null }, pod };
}

/** Records the plan; unless a dry run and once confirmed, cuts from the node and records the verdict. */
export async function runCut(kube: KubeClients, session: ChangeSession, planned: { plan: CutPlan; pod: V1Pod | null }, options: { dryRun: boolean; confirm: () => Promise<boolean> }): Promise<CutOutcome> {
  const { plan, pod } = planned;
  const record = (kind: string, detail: Record<string, JsonValue>, outcome: string) => void recordAction(session.db, { at: utcNow(), actor: session.actor, kind, target: plan.target, detail: { plan: 'cut-connections', ...detail }, outcome });
  const planDetail = { rule: plan.rule, node_pod: plan.pod, node_pod_guard: plan.guard, report: plan.report, script_sha256: createHash('sha256').update(NETCUT_SCRIPT).digest('hex'), known: plan.known as unknown as JsonValue, refused: plan.refused };
  const done = (status: CutOutcome['status'], rest: Partial<CutOutcome> = {}): CutOutcome => ({ status, plan, verdict: null, footprint: [], error: null, ...rest });
  if (plan.refused !== null || plan.pod === null || pod === null) {
    record('plan', { ...planDetail, dry_run: options.dryRun }, 'refused');
    return done('refused');
  }
  record('plan', { ...planDetail, dry_run: options.dryRun }, options.dryRun ? 'dry-run' : 'planned');
  if (options.dryRun) return done('dry-run');
  if (!(await options.confirm())) {
    record('plan', { confirmed: false }, 'not-confirmed');
    return done('not-confirmed');
  }
  const containerId = pod.status?.containerStatuses?.find((s) => s.containerID)?.containerID?.replace(/^[a-z]+:\/\//, '') ?? '';
  const spec = plan.pod.spec as { nodeName: string; containers: Array<{ image: string; imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never' }> };
  const image = { ref: spec.containers[0]?.image ?? '', pullPolicy: spec.containers[0]?.imagePullPolicy ?? 'IfNotPresent' };
  record('contain', { node: spec.nodeName, image: image.ref }, 'intent');
  const ctx = { ports: changePorts(kube, session, true), caseId: session.caseId, responderUser: session.kubeUser };
  let placed: Awaited<ReturnType<typeof placeCollectorPod>>;
  try {
    placed = await placeCollectorPod(kube, ctx, { target: plan.target, namespace: COLLECTOR_NAMESPACE, nodeName: spec.nodeName, image, lifetimeSeconds: LIFETIME_SECONDS });
  } catch (error) {
    record('contain', { error: messageOf(error) }, 'failed');
    return done('failed', { error: messageOf(error) });
  }
  let verdict: (CutVerdict & { actions: CutAction[]; image_id: string }) | null = null;
  let failure: string | null = null;
  try {
    verdict = await cutFromNode(kube, placed, containerId, podAddresses(pod), plan.target);
  } catch (error) {
    failure = messageOf(error);
  }
  const footprint = [...placed.footprint, ...await removeCollectorPod(kube, ctx, plan.target, placed)];
  const nodePod = { namespace: placed.namespace, name: placed.name, node: spec.nodeName };
  if (verdict === null) {
    record('contain', { node_pod: nodePod, footprint, error: failure }, 'failed');
    return done('failed', { error: failure, footprint });
  }
  const { actions, image_id: imageId, ...rest } = verdict;
  record('contain', { node_pod: { ...nodePod, image_id: imageId }, footprint, ...(rest as unknown as Record<string, JsonValue>), actions: actions as unknown as JsonValue, undo: 'none: a cut connection cannot be restored' }, rest.outcome);
  return done(rest.outcome, { verdict: rest, footprint });
}

/** In the placed node pod: read the pod's network namespace, cut what the rule selects, read again. */
async function cutFromNode(kube: KubeClients, placed: { namespace: string; name: string }, containerId: string, podIps: string[], target: string): Promise<CutVerdict & { actions: CutAction[]; image_id: string }> {
  const imageId = await waitForNodePod(kube, placed);
  const run = (args: readonly string[], timeoutMs: number) => execInNodePod(kube, placed, ['sh', '-c', NETCUT_SCRIPT, 'kustody-netcut', ...args], timeoutMs);
  const before = readNamespace(await run(['read', containerId], 30_000), target);
  let actions: CutAction[] = [];
  // In batches, so a pod holding thousands of connections stays within argv and time limits.
  for (let start = 0; start < before.connections.length; start += CUT_BATCH) {
    const cut = await run(cutArguments(containerId, before.netns, before.connections.slice(start, start + CUT_BATCH)), 60_000);
    const parsed = parseCutOutput(cut.stdout.toString('utf8'));
    if (cut.exitCode !== 0 || !parsed.complete) throw new KustodyError('CUT_FAILED', `The cut script stopped (exit ${String(cut.exitCode)}): ${parsed.notes.join('; ') || cut.stderr.toString('utf8').slice(0, 200)}.`, { nextStep: 'Check the node image has ss and conntrack; the connections may still be open.' });
    actions = [...actions, ...parsed.actions.map((a) => ({ ...a, index: a.index + start }))];
  }
  // Then every flow of the pod's addresses: an unconnected UDP socket (sendto) has no peer to name,
  // but its exchanges ride on conntrack entries the policy would otherwise keep accepting.
  if (podIps.length > 0) {
    const sweep = await run(podFlowArguments(containerId, before.netns, podIps), 60_000);
    const parsed = parseCutOutput(sweep.stdout.toString('utf8'));
    if (sweep.exitCode !== 0 || !parsed.complete) throw new KustodyError('CUT_FAILED', `The cut script stopped while deleting the pod's flows (exit ${String(sweep.exitCode)}): ${parsed.notes.join('; ') || sweep.stderr.toString('utf8').slice(0, 200)}.`, { nextStep: 'Check the node image has conntrack; flows of the pod may still be tracked.' });
    actions = [...actions, ...parsed.actions.map((a) => ({ ...a, index: -1 }))];
  }
  const after = readNamespace(await run(['read', containerId], 30_000), target);
  return { ...judgeCut(before, after, actions), actions, image_id: imageId };
}

/** The pod's own addresses (status.podIPs), each a literal IP address. */
function podAddresses(pod: V1Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).concat(pod.status?.podIP ?? []);
  return [...new Set(ips.filter((ip) => isIP(ip) !== 0 && !ip.startsWith('127.') && ip !== '::1'))];
}

/** Parses one `read` of the pod's network namespace: its processes, the connections the rule selects, and the namespace. */
function readNamespace(run: ExecResult, target: string): { connections: LiveConnection[]; processes: ProcessMark[]; netns: string } {
  if (run.exitCode !== 0) {
    const why = run.exitCode === 4 ? 'the pod shares the node\'s network namespace, or the node pod is not in the host PID namespace' : run.exitCode === 3 ? 'no process of the pod\'s container was found on the node' : run.failure ?? run.stderr.toString('utf8').slice(0, 200);
    throw new KustodyError('CUT_READ_FAILED', `Could not read the pod's network namespace from the node (exit ${String(run.exitCode)}): ${why}.`, { nextStep: 'Check the pod is running; nothing was cut.' });
  }
  const parsed = parseCollectorOutput(run.stdout, { vantage: 'node', target, exclusiveNetns: true });
  if (!parsed.complete) throw new KustodyError('CUT_READ_FAILED', `The read of the pod's network namespace was cut off: ${parsed.raw.notes.join('; ')}.`, { nextStep: 'Run again; nothing was cut by this read.' });
  const built = buildCapture(parsed.raw, () => '[redacted]');
  const netns = parsed.raw.netNamespaces[0]?.netnsInode ?? '';
  return { connections: connectionsToCut(built.connections.rows), processes: processMarks(built.processes.rows), netns };
}
