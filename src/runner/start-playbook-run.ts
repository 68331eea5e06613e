/**
 * Everything around one playbook run that a front end would otherwise repeat: load and check the
 * playbook, open the case, take its run lock, turn leaked tokens into in-memory handles (and the
 * target pod, when the token names it), run, then release. The headless `kustody run` and the
 * terminal UI both call this with their own confirm port and event sink.
 */
import { decodeJwtClaims } from '../core/credentials/jwt-claims.js';
import type { LiveTokenHandle } from '../core/credentials/live-token.js';
import type { JsonValue } from '../core/custody/canonical-json.js';
import { KustodyError, UnreadableInputError, UsageError } from '../core/errors.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import type { CollectorImage } from '../adapters/kube/pod-collectors.js';
import type { Playbook } from '../core/playbook/types.js';
import { loadPlaybook } from '../adapters/playbook/playbook-files.js';
import { recordAction } from '../adapters/store/case-store.js';
import { utcNow } from '../adapters/system/responder-env.js';
import { openCaseSession } from './change-session.js';
import { leakedToken } from './live-tokens.js';
import type { ChecklistPort, ConfirmPort, PlaybookEventSink } from './playbook-events.js';
import { acquireRunLock } from './run-lock.js';
import type { PodTarget } from './run-isolate.js';
import { runPlaybook, type RunSummary } from './run-playbook.js';

/** What a front end asks for. */
export interface StartRunRequest {
  /** A shipped playbook id (`compromised-pod`) or a path to a playbook file. */
  playbook: string;
  /** The pod; may be null when the playbook takes a token whose claims name the pod. */
  target: PodTarget | null;
  caseDir: string;
  kube: KubeClients;
  dryRun: boolean;
  resume: boolean;
  /** Leaked tokens (file contents), kept in memory only. */
  tokens: ReadonlyArray<{ text: string; source: string }>;
  collectorImage?: CollectorImage;
  /** The node image for cutting connections (BusyBox, ss, conntrack); without it the cut lists what stays open. */
  netcutImage?: CollectorImage;
  /** Cut surviving connections at every isolate step, whatever the playbook says (the UI's choice). */
  cutConnections?: boolean;
  allowFootprint: boolean;
  /** Footprint vantages the front end did not offer, with why (the UI's start screen said so). */
  withheldVantages?: Partial<Record<'debug' | 'node', string>>;
  signKey?: string;
  bundlePath?: string;
  /** Audit log files the audit step ingests. */
  auditLogs?: readonly string[];
  /** The incident start (ISO UTC) a sweep step's window begins at. */
  incidentStart?: string;
  commandEnv: Record<string, string>;
}

/** The front end's side: how to confirm, where events go, and the Ctrl-C signal. */
export interface StartRunPorts {
  confirm: ConfirmPort;
  emit: PlaybookEventSink;
  /** The UI's checklist port (ticking items before moving on); headless runs leave it out. */
  checklist?: ChecklistPort;
  signal?: AbortSignal;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Loads the playbook, opens the case under its run lock, and runs (or resumes) the playbook. */
export async function startPlaybookRun(request: StartRunRequest, ports: StartRunPorts): Promise<RunSummary> {
  const { playbook, sha256 } = loadValidPlaybook(request.playbook);
  if (playbook.inputs.includes('token') && request.tokens.length === 0) throw new UsageError(`The ${playbook.id} playbook needs the leaked token: pass --token-file FILE.`);
  const session = await openCaseSession(request.caseDir, request.kube, request.resume ? { replays: 'resume this run (its recorded plans would be replayed)' } : {});
  let release: (() => void) | undefined;
  try {
    release = acquireRunLock(request.caseDir);
    const leaked = request.tokens.map((t) => leakedToken(t.text, session.caseKey, t.source));
    const target = resolveTarget(request.target, leaked);
    for (const token of leaked) {
      const claims = decodeJwtClaims(token.reveal()).claims;
      recordAction(session.db, {
        at: utcNow(), actor: session.actor, kind: 'observe', target: `pod:${target.namespace}/${target.pod}`,
        detail: { step: 'leaked-token', fingerprint: token.fingerprint, location: token.location, expires_at: token.expiresAt, claims: JSON.parse(JSON.stringify(claims)) as JsonValue },
        outcome: 'ok',
      });
    }
    return await runPlaybook({
      playbook, playbookSha256: sha256, target, dryRun: request.dryRun, resume: request.resume,
      options: { collectorImage: request.collectorImage, netcutImage: request.netcutImage, cutConnections: request.cutConnections, allowFootprint: request.allowFootprint, withheldVantages: request.withheldVantages, leakedTokens: leaked, auditLogs: request.auditLogs ?? [], incidentStart: request.incidentStart, signKey: request.signKey, bundlePath: request.bundlePath, commandEnv: request.commandEnv, kubeContext: request.kube.context },
    }, { kube: request.kube, session, confirm: ports.confirm, emit: ports.emit, checklist: ports.checklist, signal: ports.signal });
  } finally {
    release?.();
    session.close();
  }
}

/** Loads a playbook by id or path and refuses it, naming file:line and the first problem, unless it is valid. */
export function loadValidPlaybook(ref: string): { playbook: Playbook; sha256: string } {
  const loaded = loadPlaybook(ref);
  const first = loaded.problems[0];
  if (loaded.playbook === null || first !== undefined) {
    const where = first === undefined ? loaded.path : `${first.file}:${first.line}:${first.column}: ${first.message}`;
    throw new UnreadableInputError('PLAYBOOK_INVALID', `The playbook is not valid: ${where}${loaded.problems.length > 1 ? ` (and ${loaded.problems.length - 1} more)` : ''}`, `Run \`kustody playbook validate ${ref}\` to see every problem.`);
  }
  return { playbook: loaded.playbook, sha256: loaded.sha256 };
}

/** The pod to act on: the one given, or the one the leaked token's claims are bound to (they must agree when both exist). */
function resolveTarget(given: PodTarget | null, leaked: readonly LiveTokenHandle[]): PodTarget {
  const bound = leaked.map((t) => decodeJwtClaims(t.reveal()).claims?.kubernetes).find((k) => k?.pod?.name);
  const fromToken = bound?.namespace && bound.pod?.name ? { namespace: bound.namespace, pod: bound.pod.name } : null;
  if (fromToken !== null && (!DNS_LABEL.test(fromToken.namespace) || !DNS_SUBDOMAIN.test(fromToken.pod))) throw new KustodyError('BAD_TOKEN_CLAIMS', 'The token names a pod that is not a valid Kubernetes name.', { kind: 'usage', nextStep: 'Pass the pod with --target NAMESPACE/POD.' });
  if (given !== null && fromToken !== null && (given.namespace !== fromToken.namespace || given.pod !== fromToken.pod)) {
    throw new UsageError(`The token is bound to ${fromToken.namespace}/${fromToken.pod}, not ${given.namespace}/${given.pod}.`, 'Drop --target to act on the pod the token names, or check you passed the right token.');
  }
  const target = given ?? fromToken;
  if (target === null) throw new UsageError('Which pod? Pass --target NAMESPACE/POD (a legacy token names no pod).');
  return target;
}
