/**
 * The playbook runner, the same code for the terminal UI and headless runs: for each step in order it
 * plans, previews, asks for confirmation (contain and revoke), applies through the one mutation path,
 * verifies and records, emitting events as it goes. The intent log in the case makes it resumable:
 * `resume` skips steps done in an earlier attempt, reuses the recorded plan of a step whose changes may
 * have been sent (applyPlan then skips whatever the cluster shows in effect), and re-runs the rest.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ChangePlan } from '../core/changes/change.js';
import type { JsonValue } from '../core/custody/canonical-json.js';
import { display, escapeUntrusted, redactError, trusted, type DisplayText } from '../core/display/index.js';
import { KustodyError } from '../core/errors.js';
import { describeStep, describeUndo, type StepTarget } from '../core/playbook/describe-step.js';
import type { Playbook, PlaybookStep } from '../core/playbook/types.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import { utcNow } from '../adapters/system/responder-env.js';
import type { ChangeSession } from './change-session.js';
import { changesSentSince, findLatestRun, recordIntent, type IntentState, type RunHistory } from './intent-log.js';
import type { ChecklistPort, ConfirmPort, PlanStepView, PlaybookEventSink, RunStatus, StepError } from './playbook-events.js';
import type { PodTarget } from './run-isolate.js';
import { InterruptedError, unlessInterrupted, type StepContext, type StepOptions } from './steps/step-context.js';
import { recordsOwnIntent, runStep } from './steps/run-step.js';
import { pausePoint } from './pause-points.js';
import { startWait } from './wait-progress.js';
import { stepHint, stoppedHint } from '../core/playbook/run-messages.js';

/** What to run, against what, and how. */
export interface RunPlaybookInput {
  playbook: Playbook;
  /** SHA-256 of the playbook file, recorded so a resume can refuse a playbook that changed since. */
  playbookSha256: string;
  target: PodTarget;
  dryRun: boolean;
  resume: boolean;
  options: StepOptions;
}

/** The cluster, the open case, the responder and the front end. */
export interface RunPlaybookPorts {
  kube: KubeClients;
  session: ChangeSession;
  confirm: ConfirmPort;
  emit: PlaybookEventSink;
  /** Lets the responder tick checklist items before the run moves on (the UI); headless runs leave it out. */
  checklist?: ChecklistPort;
  /** Fires on Ctrl-C: the change in flight finishes, the step is recorded as interrupted, the run stops. */
  signal?: AbortSignal;
}

/** How the run ended. */
export interface RunSummary {
  runId: string;
  status: RunStatus;
}

/** Runs (or resumes) a playbook against one pod, recording every step in the case. */
export async function runPlaybook(input: RunPlaybookInput, ports: RunPlaybookPorts): Promise<RunSummary> {
  const { playbook, target, dryRun } = input;
  const { session, emit } = ports;
  const signal = ports.signal ?? new AbortController().signal;
  const targetText = `${target.namespace}/${target.pod}`;
  const history = input.resume ? runToResume(input, session, targetText) : null;
  const runId = history?.runId ?? `run-${utcNow().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const record = (stepId: string | null, state: IntentState, detail?: Record<string, JsonValue>) => recordIntent(session.db, session.actor, targetText, { runId, stepId, state, detail });
  if (history !== null) record(null, 'resumed', { attempt: history.attempts + 1 });
  else record(null, 'planned', { playbook: playbook.id, playbook_sha256: input.playbookSha256, title: playbook.title, dry_run: dryRun, steps: playbook.steps.map((s) => s.id), ...(input.options.cutConnections === true ? { cut_connections: 'every isolate step (the responder\'s choice)' } : {}) });
  emit({
    type: 'plan', runId, playbook: { id: playbook.id, title: playbook.title, description: playbook.description }, target: targetText, caseId: session.caseId, dryRun,
    resumed: history !== null, steps: playbook.steps.map((step) => stepView(asRun(step, input.options), history, { ...target, caseId: session.caseId, caseDir: session.caseDir })),
  });
  let status: RunStatus = dryRun ? 'dry-run' : 'completed';
  let next: DisplayText | null = null;
  for (const [index, step] of playbook.steps.entries()) {
    const past = history?.steps.get(step.id);
    if (past?.state === 'done') {
      emit({ type: 'step-done', stepId: step.id, outcome: 'skipped', summary: [trusted('done in an earlier attempt of this run')], elapsedMs: 0 });
      continue;
    }
    if (signal.aborted) {
      record(step.id, 'interrupted', { started: false });
      emit({ type: 'interrupted', stepId: step.id });
      status = 'interrupted';
      break;
    }
    emit({ type: 'step-start', stepId: step.id, index, total: playbook.steps.length, at: utcNow() });
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      await pausePoint(`before-step:${step.id}`, signal);
      if (signal.aborted) throw new InterruptedError();
      const storedPlan = past?.plan && past.intentSeq !== null && changesSentSince(session.db, past.intentSeq, past.plan) ? past.plan : null;
      const ctx = stepContext(input, ports, runId, step, signal, storedPlan, (plan) => record(step.id, 'intent', { action: step.action, danger: step.danger, plan: plan as unknown as JsonValue, reused_plan: storedPlan !== null }));
      if (!recordsOwnIntent(step)) ctx.recordIntent(null);
      if (step.action === 'capture' || step.action === 'identities' || step.action === 'export') ctx.preview(describeStep(step, { ...target, caseId: session.caseId, caseDir: session.caseDir }).map((line) => escapeUntrusted(line)));
      const result = await runStep(ctx, step);
      if (result.outcome === 'declined') {
        record(step.id, 'declined');
        next = display`Nothing of step ${escapeUntrusted(step.id)} was applied. Review the plan above, then continue with the same command plus --resume --yes.`;
        emit({ type: 'step-declined', stepId: step.id, next });
        status = 'needs-confirmation';
        break;
      }
      record(step.id, 'done', { outcome: result.outcome, summary: result.summary, result: result.detail });
      emit({ type: 'step-done', stepId: step.id, outcome: result.outcome, summary: result.summary, elapsedMs: elapsed() });
      await pausePoint(`after-step:${step.id}`, signal);
    } catch (error) {
      if (error instanceof InterruptedError) {
        record(step.id, 'interrupted', { started: true });
        emit({ type: 'interrupted', stepId: step.id });
        status = 'interrupted';
        next = escapeUntrusted(stoppedHint('interrupted', { dryRun, stepId: step.id }));
        break;
      }
      const stepError = describeError(error, dryRun);
      record(step.id, 'failed', { error: { code: stepError.code, message: stepError.message } });
      emit({ type: 'step-failed', stepId: step.id, error: stepError, elapsedMs: elapsed() });
      status = 'failed';
      next = escapeUntrusted(stoppedHint('failed', { dryRun, stepId: step.id }));
      break;
    }
  }
  if (status === 'interrupted' && next === null) next = escapeUntrusted(stoppedHint('interrupted', { dryRun, stepId: null }));
  record(null, 'finished', { status });
  emit({ type: 'finished', runId, status, next });
  return { runId, status };
}

function runToResume(input: RunPlaybookInput, session: ChangeSession, target: string): RunHistory {
  if (input.dryRun) throw new KustodyError('USAGE', '--resume continues a real run; it cannot be combined with --dry-run.', { kind: 'usage', nextStep: 'Drop --dry-run, or start a fresh dry run without --resume.' });
  const history = findLatestRun(session.db, input.playbook.id, target);
  if (history === null) throw new KustodyError('NOTHING_TO_RESUME', `This case has no run of ${input.playbook.id} against ${target} to resume.`, { kind: 'usage', nextStep: 'Start the run without --resume.' });
  if (history.playbookSha256 !== input.playbookSha256) {
    throw new KustodyError('PLAYBOOK_CHANGED', `The playbook ${input.playbook.id} changed since run ${history.runId} started, so it cannot be resumed step for step.`, { nextStep: 'Restore the playbook as it was, or start a new run without --resume (changes already in effect are skipped).' });
  }
  return history;
}

/** The step as this run performs it: the responder's cut choice turns on the cut of every isolate step. */
function asRun(step: PlaybookStep, options: RunPlaybookInput['options']): PlaybookStep {
  if (step.action !== 'isolate' || options.cutConnections !== true || step.params.cutConnections) return step;
  return { ...step, params: { ...step.params, cutConnections: true } };
}

function stepView(step: PlaybookStep, history: RunHistory | null, target: StepTarget): PlanStepView {
  return {
    id: step.id, title: step.title, why: step.why, action: step.action, danger: step.danger, confirm: step.confirm, needs: step.needs,
    verify: step.verify, undo: describeUndo(step.undo), does: describeStep(step, target).map((line) => escapeUntrusted(line)), state: history?.steps.get(step.id)?.state === 'done' ? 'done' : 'pending',
  };
}

function stepContext(input: RunPlaybookInput, ports: RunPlaybookPorts, runId: string, step: PlaybookStep, signal: AbortSignal, storedPlan: ChangePlan | null, recordStepIntent: (plan: ChangePlan | null) => void): StepContext {
  const expect = `${input.target.namespace}/${input.target.pod}`;
  const approved = new Set<string>();
  return {
    kube: ports.kube, session: ports.session, target: input.target, runId, stepId: step.id, dryRun: input.dryRun, signal, options: input.options, storedPlan,
    recordIntent: recordStepIntent,
    checklist: async (items, tick) => {
      ports.emit({ type: 'checklist', stepId: step.id, runId, items });
      if (ports.checklist !== undefined) await unlessInterrupted(ports.checklist(step.id, tick), signal);
    },
    ticked: (item, seq) => ports.emit({ type: 'checked', stepId: step.id, item, seq }),
    preview: (lines) => ports.emit({ type: 'preview', stepId: step.id, lines }),
    progress: (message) => ports.emit({ type: 'progress', stepId: step.id, message }),
    waiting: (what, timeoutSeconds) => startWait((event) => ports.emit({ type: 'progress', stepId: step.id, ...event }), what, timeoutSeconds),
    confirm: async (scope = 'step') => {
      if (approved.has(scope)) return true;
      ports.emit({ type: 'confirm', stepId: step.id, expect });
      const ok = await unlessInterrupted(ports.confirm(step.id, expect), signal);
      if (ok) approved.add(scope);
      return ok;
    },
  };
}

/** The error as the front end shows it, with a next step true for this run (see stepHint). */
function describeError(error: unknown, dryRun: boolean): StepError {
  const hint = (text: string | undefined) => {
    const rewritten = stepHint(text, { dryRun });
    return rewritten === null ? null : escapeUntrusted(rewritten);
  };
  if (error instanceof KustodyError) return { code: error.code, message: escapeUntrusted(error.message, { maxBytes: 4000 }), nextStep: hint(error.nextStep) };
  return { code: 'UNEXPECTED', message: redactError(error), nextStep: hint('Rerun with --debug for details and report it if it looks like a bug in kustody.') };
}
