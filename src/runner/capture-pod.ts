/**
 * Captures a suspect pod: reads the pod, runs the collector through the first vantage that works
 * (auto: exec → debug → node, the "shell-less ladder"; each skip is recorded with its reason), then
 * stores connections, processes, mounts, credentials, the Kubernetes objects around the pod and its
 * logs, each step in its own transaction.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { buildCredentialRows } from '../core/capture/credential-step.js';
import { parseCollectorOutput, type ParsedCollectorOutput } from '../core/capture/parse-collector-output.js';
import { parseCollectorTar } from '../core/capture/collector-tar-records.js';
import { readTarStream } from '../adapters/transport/read-tar-stream.js';
import { credentialPaths } from '../core/credentials/credential-paths.js';
import { redactEnviron } from '../core/credentials/redact-environ.js';
import { redactLogBytes } from '../core/credentials/redact-log.js';
import type { LiveTokenHandle } from '../core/credentials/live-token.js';
import type { PodSpecLike } from '../core/credentials/pod-spec.js';
import type { CredentialFile } from '../core/credentials/types.js';
import { canonicalJson } from '../core/custody/canonical-json.js';
import { KustodyError, messageOf } from '../core/errors.js';
import { sanitizeObject } from '../core/kube/sanitize-object.js';
import type { Fingerprint } from '../core/capture/redact-argv.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import { collectInNodePod, collectViaDebug, collectViaExec, type CollectorImage, type CollectorLimits, type CollectorRun } from '../adapters/kube/pod-collectors.js';
import { COLLECTOR_NAMESPACE, imageIsPinned } from '../core/capture/plan-collector-pod.js';
import { placeCollectorPod, removeCollectorPod, type FootprintContext } from './collector-footprint.js';
import { plain, readPodContext } from '../adapters/kube/pod-context.js';
import { toKubeError } from '../adapters/kube/to-kube-error.js';
import type { WritableDb } from '../adapters/store/open-store.js';
import { runCapture, type CaptureSummary } from './run-capture.js';

/** The vantages, in the order `auto` tries them. */
export const VANTAGE_ORDER = ['exec', 'debug', 'node'] as const;
/** A way to read the pod's /proc. */
export type Vantage = (typeof VANTAGE_ORDER)[number];

/** What the responder asked for. */
export interface PodCaptureRequest {
  namespace: string;
  pod: string;
  container?: string;
  via: Vantage | 'auto';
  collectorImage?: CollectorImage;
  /** Debug and node vantages change the cluster (a permanent ephemeral container, a privileged pod): allowed only when confirmed. */
  allowFootprint: boolean;
  timeoutMs: number;
  maxOutputBytes: number;
  maxLogBytes: number;
  /** Asked before a footprint vantage is used, with what it will leave (the guided UI shows it and asks for the typed confirmation); false skips that vantage. */
  approveFootprint?: (vantage: 'debug' | 'node', footprint: string[]) => Promise<boolean>;
  /** Footprint vantages the front end did not offer, with why (RBAC denies it): skipped with that reason, never asked about. */
  withheld?: Partial<Record<'debug' | 'node', string>>;
  /** Where node collector pods run (default kustody-system); never the suspect's namespace. */
  collectorNamespace?: string;
  /** `volatile` stores connections, processes, mounts and tokens only (a quick first snapshot); default `full` adds objects and logs. */
  scope?: 'volatile' | 'full';
}

/** The summary plus the live tokens found (memory only, for revocation checks). */
export interface PodCaptureResult extends CaptureSummary {
  liveTokens: LiveTokenHandle[];
  vantageLog: string[];
  footprint: Array<Record<string, string>>;
}

/** Runs a pod capture into the case. */
export async function capturePod(kube: KubeClients, request: PodCaptureRequest, ctx: { db: WritableDb; actor: string; now: () => string; caseKey: Uint8Array; fingerprint: Fingerprint; footprint?: FootprintContext }): Promise<PodCaptureResult> {
  let pod: V1Pod;
  try {
    pod = await kube.core.readNamespacedPod({ namespace: request.namespace, name: request.pod });
  } catch (error) {
    return recordUnreadablePod(toKubeError(error, `read pod ${request.namespace}/${request.pod}`), request, ctx);
  }
  const container = request.container ?? pod.spec?.containers[0]?.name;
  if (container === undefined || !(pod.spec?.containers ?? []).some((c) => c.name === container)) {
    throw new KustodyError('NO_SUCH_CONTAINER', `Pod ${request.namespace}/${request.pod} has no container ${container ?? ''}.`, { kind: 'usage', nextStep: `Pick one of: ${(pod.spec?.containers ?? []).map((c) => c.name).join(', ')}.` });
  }
  const spec = plain(pod.spec ?? {}) as PodSpecLike;
  const paths = credentialPaths(spec, container);
  const credentialArgs = paths.map((p) => (p.directory ? `dir:${p.path}` : p.path));
  const vantageLog: string[] = [];
  let parsed: ParsedCollectorOutput | undefined;
  let run: CollectorRun | undefined;
  const target = `pod:${request.namespace}/${request.pod}`;
  const read = async () => {
    const result = await collect(kube, pod, container, credentialArgs, request, vantageLog, ctx.footprint);
    run = result.run;
    parsed = result.parsed;
    return result.parsed.raw;
  };
  let liveTokens: LiveTokenHandle[] = [];
  const files = (): CredentialFile[] => [...(parsed?.credentialFiles ?? new Map()).entries()].flatMap(([key, file]) => {
    if (file.error !== undefined) return [];
    const argIndex = Number(key.split('.')[0]);
    const base = paths[argIndex]?.path;
    if (base === undefined) return [];
    return [{ path: file.name === undefined ? base : `${base.replace(/\/$/, '')}/${file.name}`, content: file.bytes }];
  });
  const summary = await runCapture(read, { target, vantage: request.via, detail: { namespace: request.namespace, pod: request.pod, container, uid: pod.metadata?.uid ?? '', requested_via: request.via, scope: request.scope ?? 'full' } }, {
    db: ctx.db,
    actor: ctx.actor,
    now: ctx.now,
    fingerprint: ctx.fingerprint,
    redactEnv: (_pid, entries) => redactEnviron(entries, { caseKey: ctx.caseKey, podSpec: spec, containerName: container }),
    extraSteps: [
      {
        name: 'credentials',
        run: async (raw) => {
          const built = buildCredentialRows(raw, { caseKey: ctx.caseKey, now: new Date(ctx.now()), namespace: request.namespace, podSpec: spec, containerName: container, files: files() });
          liveTokens = built.liveTokens;
          return { rows: { credentials: built.rows }, warnings: credentialRefusals(parsed, paths) };
        },
      },
      ...(request.scope === 'volatile' ? [] : [{
        name: 'kubernetes-objects',
        run: async () => {
          const context = await readPodContext(kube, request.namespace, request.pod, { maxLogBytes: request.maxLogBytes });
          const rows = context.objects.map(({ kind, object }) => {
            const meta = (object.metadata ?? {}) as { namespace?: string; name?: string; uid?: string; resourceVersion?: string };
            return { kind, namespace: meta.namespace ?? null, name: meta.name ?? '', uid: meta.uid ?? null, resource_version: meta.resourceVersion ?? null, json: canonicalJson(sanitizeObject(kind, object, ctx.fingerprint)) };
          });
          const at = ctx.now();
          const artifacts = context.logs.map((log) => {
            // Hashed as received, then stored only with secret-looking values replaced by keyed fingerprints.
            const stored = redactLogBytes(log.bytes, ctx.caseKey, { truncated: log.truncated });
            return {
              sha256: createHash('sha256').update(stored.bytes).digest('hex'), size: stored.bytes.length, mediaType: 'text/plain',
              source: `pods/${request.namespace}/${request.pod}/log?container=${log.container}${log.previous ? '&previous=true' : ''}`,
              vantage: 'api', collectedAt: at, truncated: log.truncated, content: stored.bytes,
              received: { sha256: createHash('sha256').update(log.bytes).digest('hex'), size: log.bytes.length, redactions: stored.redactions },
            };
          });
          return { rows: { k8s_objects: rows }, warnings: context.notes.map((message) => ({ pid: null, code: 'API_READ', message })), artifacts };
        },
      }]),
    ],
  });
  if (run !== undefined) summary.notes.unshift(`collected via ${run.vantage}${run.result.status !== 'exited' ? ` (${run.result.status})` : ''}`);
  return { ...summary, vantage: run?.vantage ?? summary.vantage, liveTokens, vantageLog, footprint: run?.footprint ?? [] };
}

/** A pod that cannot be read (missing, forbidden, unreachable) is still a capture: recorded as started and `failed`, with the reason. */
async function recordUnreadablePod(error: KustodyError, request: PodCaptureRequest, ctx: { db: WritableDb; actor: string; now: () => string; fingerprint: Fingerprint }): Promise<PodCaptureResult> {
  const target = `pod:${request.namespace}/${request.pod}`;
  const read = async (): Promise<never> => {
    throw error;
  };
  const detail = { namespace: request.namespace, pod: request.pod, requested_via: request.via, scope: request.scope ?? 'full' };
  const summary = await runCapture(read, { target, vantage: request.via, detail }, { db: ctx.db, actor: ctx.actor, now: ctx.now, fingerprint: ctx.fingerprint });
  if (error.nextStep !== undefined) summary.notes.push(`next: ${error.nextStep}`);
  return { ...summary, liveTokens: [], vantageLog: [], footprint: [] };
}

async function collect(kube: KubeClients, pod: V1Pod, container: string, credentialArgs: string[], request: PodCaptureRequest, log: string[], footprint: FootprintContext | undefined): Promise<{ run: CollectorRun; parsed: ParsedCollectorOutput }> {
  const order: readonly Vantage[] = request.via === 'auto' ? VANTAGE_ORDER : [request.via];
  const limits = { timeoutMs: request.timeoutMs, maxOutputBytes: request.maxOutputBytes };
  const hostNetwork = pod.spec?.hostNetwork === true;
  for (const vantage of order) {
    try {
      if (vantage !== 'exec' && request.collectorImage === undefined) throw new KustodyError('SKIPPED', 'no trusted collector image given (--collector-image)');
      const withheld = vantage === 'exec' ? undefined : request.withheld?.[vantage];
      if (withheld !== undefined) throw new KustodyError('SKIPPED', `not offered: ${withheld}`);
      if (vantage !== 'exec' && !request.allowFootprint) throw new KustodyError('SKIPPED', `it changes the cluster (${vantage === 'debug' ? 'a permanent ephemeral container' : 'a privileged pod on the node'}); confirm with --yes`);
      const containerId = pod.status?.containerStatuses?.find((s) => s.name === container)?.containerID?.replace(/^[a-z]+:\/\//, '');
      if (vantage === 'node' && (containerId === undefined || !/^[0-9a-f]{64}$/.test(containerId))) throw new KustodyError('SKIPPED', 'the container has no running container id');
      if (vantage !== 'exec' && request.approveFootprint !== undefined && !(await request.approveFootprint(vantage, footprintOf(vantage, request, pod)))) throw new KustodyError('SKIPPED', 'the responder declined its footprint');
      const run = vantage === 'exec'
        ? await collectViaExec(kube, pod, container, credentialArgs, limits)
        : vantage === 'debug'
          ? await collectViaDebug(kube, pod, container, request.collectorImage as CollectorImage, credentialArgs, limits)
          : await collectViaNode(kube, pod, containerId ?? '', request, credentialArgs, limits, footprint);
      const context = { vantage, target: `pod:${request.namespace}/${request.pod}`, exclusiveNetns: !hostNetwork };
      const parsed = run.format === 'lines' ? parseCollectorOutput(run.result.stdout, context) : await parseTarOutput(run.result.stdout, context);
      if (vantage !== 'exec' && !imageIsPinned(request.collectorImage?.ref ?? '')) parsed.raw.notes.push(`UNPINNED collector image ${request.collectorImage?.ref ?? ''}: not named by digest${run.imageId ? `; the runtime ran ${run.imageId}` : ''}`);
      if (run.result.stdoutTruncated) parsed.raw.notes.push(`collector output cut at ${request.maxOutputBytes} bytes`);
      if (run.result.status === 'timed-out') parsed.raw.notes.push(`collector stopped after ${request.timeoutMs} ms`);
      if (!parsed.complete && parsed.raw.processes.length === 0) {
        const why = run.result.failure ?? (parsed.raw.notes[0] ?? 'no usable output');
        const missing = /exec: "([\w./-]{1,64})": executable file not found/.exec(why)?.[1];
        throw new KustodyError('SKIPPED', missing === undefined ? `the collector did not run there: ${why}` : `the container has no ${missing} to run the collector (a distroless image?): the runtime said executable file not found`);
      }
      log.push(`${vantage}: used`);
      // What was tried and what kustody left in the cluster go into the custody log with the capture.
      parsed.raw.notes.push(...log.map((line) => `vantage ${line}`), ...run.footprint.map((item) => `footprint: ${JSON.stringify(item)}`));
      return { run, parsed };
    } catch (error) {
      log.push(`${vantage}: skipped, ${messageOf(error)}`);
      if (request.via !== 'auto') throw new KustodyError('VANTAGE_FAILED', `Capture via ${vantage} failed: ${messageOf(error)}.`, { nextStep: 'Try another --via (exec, debug, node) or --via auto.' });
    }
  }
  throw new KustodyError('NO_VANTAGE', `No vantage could read the pod: ${log.join('; ')}.`, { nextStep: 'Give --collector-image and --yes to allow the debug or node vantage.' });
}

/** The node vantage: places kustody's guarded collector pod in kustody's namespace, runs the collector there, and always removes the pod and its guard, reading their deletion back. */
async function collectViaNode(kube: KubeClients, pod: V1Pod, containerId: string, request: PodCaptureRequest, credentialArgs: readonly string[], limits: CollectorLimits, ctx: FootprintContext | undefined): Promise<CollectorRun> {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw new KustodyError('NODE_UNKNOWN', 'The pod is not scheduled on a node yet.', { nextStep: 'Use --via exec, or wait until the pod runs.' });
  if (ctx === undefined) throw new KustodyError('SKIPPED', 'the node vantage needs a case session to record its footprint');
  const target = `pod:${request.namespace}/${request.pod}`;
  const placed = await placeCollectorPod(kube, ctx, {
    target, namespace: request.collectorNamespace ?? COLLECTOR_NAMESPACE, nodeName, image: request.collectorImage as CollectorImage,
    lifetimeSeconds: nodePodLifetime(limits.timeoutMs),
  });
  let ran: Awaited<ReturnType<typeof collectInNodePod>> | undefined;
  let failure: unknown;
  try {
    ran = await collectInNodePod(kube, placed, containerId, credentialArgs, limits);
  } catch (error) {
    failure = error;
  }
  const removed = await removeCollectorPod(kube, ctx, target, placed);
  const footprint = [...placed.footprint, ...(ran?.imageId ? [{ kind: 'Image', image: request.collectorImage?.ref ?? '', image_id: ran.imageId }] : []), ...removed];
  if (ran === undefined) throw new KustodyError('SKIPPED', `${messageOf(failure)} (footprint: ${removed.map((f) => `${f.kind} ${f.name}: ${f.status}`).join('; ')})`);
  return { vantage: 'node', format: 'tar', result: ran.result, footprint, imageId: ran.imageId };
}

/** Each credential file the collector refused or could not read (a symlink out of the root, a FIFO, a device, over a cap), as a capture warning. */
function credentialRefusals(parsed: ParsedCollectorOutput | undefined, paths: ReturnType<typeof credentialPaths>): Array<{ pid: null; code: string; message: string }> {
  return [...(parsed?.credentialFiles ?? new Map<string, { error?: string; name?: string }>()).entries()].flatMap(([key, file]) => {
    if (file.error === undefined) return [];
    const base = paths[Number(key.split('.')[0])]?.path ?? `credential ${key}`;
    const named = file.name === undefined ? base : `${base.replace(/\/$/, '')}/${file.name}`;
    return [{ pid: null, code: 'CREDENTIAL_UNREAD', message: `${named}: ${file.error}` }];
  });
}

/** Reads the collector's tar through the bounded tar reader, then assembles the capture. */
async function parseTarOutput(stdout: Buffer, context: { vantage: Vantage; target: string; exclusiveNetns: boolean }): Promise<ParsedCollectorOutput> {
  const result = await readTarStream((async function* () {
    yield stdout;
  })());
  const stopped = result.stopped === null ? null : `${result.stopped.code}: ${result.stopped.message}`;
  return parseCollectorTar(result.entries, stopped, context);
}

/** How long the node collector pod sleeps: the collector's timeout plus room to start; the kubelet ends it 30 s later (activeDeadlineSeconds). */
function nodePodLifetime(timeoutMs: number): number {
  return Math.ceil(timeoutMs / 1000) + 90;
}

/** What a footprint vantage will leave in the cluster, in short lines for the confirmation. */
function footprintOf(vantage: 'debug' | 'node', request: PodCaptureRequest, pod: V1Pod): string[] {
  const image = request.collectorImage?.ref ?? '';
  return vantage === 'debug'
    ? [`an ephemeral container from ${image}`, `added to ${request.namespace}/${request.pod} (permanent: ephemeral containers can never be removed from a pod)`]
    : [
      `a privileged hostPID pod from ${image}`,
      `in ${request.collectorNamespace ?? COLLECTOR_NAMESPACE} on node ${pod.spec?.nodeName ?? '(unscheduled)'}, guarded while it runs (ValidatingAdmissionPolicy)`,
      `ended by the kubelet after ${nodePodLifetime(request.timeoutMs) + 30} s (activeDeadlineSeconds) even if kustody dies; deleted after the capture (deletion read back)`,
    ];
}
