/** What every playbook step receives from the runner, and what it hands back. */
import type { ChangePlan } from '../../core/changes/change.js';
import type { JsonValue } from '../../core/custody/canonical-json.js';
import type { LiveTokenHandle } from '../../core/credentials/live-token.js';
import type { DisplayText } from '../../core/display/index.js';
import { KustodyError } from '../../core/errors.js';
import type { KubeClients } from '../../adapters/kube/kube-client.js';
import type { CollectorImage } from '../../adapters/kube/pod-collectors.js';
import type { ChangeSession } from '../change-session.js';
import type { ChecklistItemView, StepOutcome, TickItem } from '../playbook-events.js';
import type { PodTarget } from '../run-isolate.js';
import type { StepWait } from '../wait-progress.js';

/** Options of a run that some steps need. */
export interface StepOptions {
  /** A trusted collector image, enabling the debug and node capture vantages. */
  collectorImage?: CollectorImage;
  /** The node image for cutting connections (BusyBox, ss, conntrack); without it the cut lists what stays open. */
  netcutImage?: CollectorImage;
  /** Cut surviving connections at every isolate step, whatever the playbook says. */
  cutConnections?: boolean;
  /** Footprint vantages the front end did not offer, with why: capture skips them with that reason. */
  withheldVantages?: Partial<Record<'debug' | 'node', string>>;
  /** Whether capture may leave a footprint (an ephemeral container, a node pod); never in a dry run. */
  allowFootprint: boolean;
  /** Leaked tokens handed over with --token-file, in memory only. */
  leakedTokens: readonly LiveTokenHandle[];
  /** Audit log files for the audit step (--audit-log, else KUSTODY_AUDIT_LOG); none skips it. */
  auditLogs?: readonly string[];
  /** The incident start the responder gave (ISO UTC): where a sweep step's window begins. */
  incidentStart?: string;
  /** An Ed25519 key to sign exported bundles with. */
  signKey?: string;
  /** Where export writes the bundle (default: `<case folder>/<case id>.tar`). */
  bundlePath?: string;
  /** Variables set for command steps on top of PATH and HOME (e.g. KUBECONFIG). */
  commandEnv: Record<string, string>;
  /** The kubeconfig context kustody itself uses: `kubectl` command steps get it as --context, every command as KUSTODY_CONTEXT. */
  kubeContext?: string;
}

/** The runner's services for one step. */
export interface StepContext {
  kube: KubeClients;
  session: ChangeSession;
  target: PodTarget;
  /** The run this step belongs to, and the step's id. */
  runId: string;
  stepId: string;
  dryRun: boolean;
  signal: AbortSignal;
  options: StepOptions;
  /** When resuming a step whose changes may already have been sent: the plan recorded with its intent (reused, never re-planned). */
  storedPlan: ChangePlan | null;
  /** Commits the step's `intent` row (with its change plan, if any) before it acts. */
  recordIntent(plan: ChangePlan | null): void;
  preview(lines: DisplayText[]): void;
  progress(message: DisplayText): void;
  /** Says the step now waits for `what` (at most `timeoutSeconds`, or null): reported at once, then again on each `poll` every few seconds. */
  waiting(what: DisplayText, timeoutSeconds: number | null): StepWait;
  /** Shows checklist items and, with a front end that ticks (the UI), waits until the responder moves on; headless it returns at once. */
  checklist(items: ChecklistItemView[], tick: TickItem): Promise<void>;
  /** Tells the front end an item was ticked (custody row `seq`). */
  ticked(item: ChecklistItemView, seq: number): void;
  /** Asks the responder to type the pod's name; true once approved (remembered for the rest of the step, per scope: each footprint vantage is asked on its own). */
  confirm(scope?: string): Promise<boolean>;
}

/** How a step ended, for the intent log and the `step-done` event. */
export interface StepResult {
  outcome: StepOutcome | 'declined';
  summary: DisplayText[];
  detail: JsonValue;
}

/** Thrown when Ctrl-C stops a step at a safe point (between transactions, before the next change is sent). */
export class InterruptedError extends KustodyError {
  constructor() {
    super('INTERRUPTED', 'Interrupted (Ctrl-C); the step can be resumed.', { nextStep: 'Run the same command again with --resume.' });
    this.name = 'InterruptedError';
  }
}

/** Rejects with InterruptedError as soon as `signal` fires, else settles like `work` (which keeps running; its late failure is ignored). */
export async function unlessInterrupted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    throw new InterruptedError();
  }
  let stop: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    stop = () => reject(new InterruptedError());
    signal.addEventListener('abort', stop, { once: true });
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (stop !== undefined) signal.removeEventListener('abort', stop);
    aborted.catch(() => undefined);
  }
}
