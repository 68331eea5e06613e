/**
 * The playbook runner's public contract: the events it emits while it plans, previews, confirms,
 * applies, verifies and records each step, and the ports a front end (the ink UI, or the headless
 * `kustody run`) hands it. Every text field meant for a terminal is DisplayText: already escaped, so a
 * front end prints it as is and never needs to sanitise again. Stable: add fields, never rename them.
 */
import type { DisplayText } from '../core/display/index.js';
import type { StepAction, StepDanger } from '../core/playbook/types.js';

export type { StepAction, StepDanger };

/** A step as the plan shows it before anything runs. */
export interface PlanStepView {
  id: string;
  title: string;
  /** Plain-language reason the step matters. */
  why: string;
  action: StepAction;
  danger: StepDanger;
  /** True when the runner asks `confirm` before applying it (every contain and revoke step). */
  confirm: boolean;
  needs: string[];
  /** How the step's result is checked, and how it is undone (undo may be a reason it cannot be). */
  verify: string | null;
  undo: string | null;
  /** What the step does, in plain sentences (for contain and revoke steps the exact changes follow in a `preview` event). */
  does?: DisplayText[];
  /** `done` when an earlier attempt of this run finished it (a resumed run skips it). */
  state: 'pending' | 'done';
}

/**
 * How a finished step ended:
 * - `done`: observed, or changes applied and verified;
 * - `nothing-to-do`: every change was already in effect (a rerun or a resume);
 * - `dry-run`: planned and passed the API server's dry run, nothing applied;
 * - `warning`: finished, but with something the responder must look at (the summary says what);
 * - `skipped`: finished by an earlier attempt of this run, not run again.
 */
export type StepOutcome = 'done' | 'nothing-to-do' | 'dry-run' | 'warning' | 'skipped';

/** How a whole run ended. */
export type RunStatus = 'completed' | 'dry-run' | 'failed' | 'needs-confirmation' | 'interrupted';

/** An error as a front end shows it: what happened and what to do next. */
export interface StepError {
  code: string;
  message: DisplayText;
  nextStep: DisplayText | null;
}

/** Everything the runner tells a front end, in order. */
export type PlaybookEvent =
  | {
    type: 'plan';
    runId: string;
    playbook: { id: string; title: string; description: string };
    /** `namespace/pod`. */
    target: string;
    caseId: string;
    dryRun: boolean;
    /** True when this attempt continues an earlier one (`--resume`). */
    resumed: boolean;
    steps: PlanStepView[];
  }
  | { type: 'step-start'; stepId: string; index: number; total: number; at: string }
  /** What the step will do: for contain/revoke the exact objects and patches, for observe what it reads. */
  | { type: 'preview'; stepId: string; lines: DisplayText[] }
  /** The runner is about to call `confirm(stepId, expect)`; `expect` is the text to type (`namespace/pod`). */
  | { type: 'confirm'; stepId: string; expect: string }
  /** Optional intermediate news while a step runs (e.g. "waiting for TokenReview to reject 2 tokens"); `wait` when it is waiting for something. */
  | { type: 'progress'; stepId: string; message: DisplayText; wait?: WaitView }
  /** A checklist step shows its items (and ticks recorded earlier); a front end with a checklist port lets the responder tick them. */
  | { type: 'checklist'; stepId: string; runId: string; items: ChecklistItemView[] }
  /** An item was ticked and recorded in the custody log (row `seq`). */
  | { type: 'checked'; stepId: string; item: ChecklistItemView; seq: number }
  | { type: 'step-done'; stepId: string; outcome: StepOutcome; summary: DisplayText[]; elapsedMs: number }
  /** The responder declined (or, headless, did not pass --yes): nothing of this step was applied; the run stops here. */
  | { type: 'step-declined'; stepId: string; next: DisplayText }
  | { type: 'step-failed'; stepId: string; error: StepError; elapsedMs: number }
  /** Ctrl-C: the current change finished, the step is recorded as interrupted, the run stops (resumable). */
  | { type: 'interrupted'; stepId: string | null }
  | { type: 'finished'; runId: string; status: RunStatus; next: DisplayText | null };

/** What a step is waiting for, how long it has waited and how long it will wait at most (null: no limit of its own). */
export interface WaitView {
  what: DisplayText;
  elapsedSeconds: number;
  timeoutSeconds: number | null;
}

/** One checklist item as a front end shows it; `by`, `at` and `note` are set once it is ticked. */
export interface ChecklistItemView {
  index: number;
  text: DisplayText;
  tick: { by: DisplayText; at: string; note: DisplayText | null } | null;
}

/** Ticks item `index` (from 1) with an optional note, recording who and when; resolves with the item as recorded. */
export type TickItem = (index: number, note: string | null) => Promise<ChecklistItemView>;

/**
 * Lets the responder work through a checklist step: tick items with `tick`, and resolve when they move
 * on (items left open stay open, to be ticked later with `kustody check`). Headless runs have none.
 */
export type ChecklistPort = (stepId: string, tick: TickItem) => Promise<void>;

/** Receives each event as it happens; must not throw. */
export type PlaybookEventSink = (event: PlaybookEvent) => void;

/**
 * Asks the responder to approve a contain or revoke step: resolve true only when they typed exactly
 * `expected` (`namespace/pod`). Headless runs answer with their --yes flag.
 */
export type ConfirmPort = (stepId: string, expected: string) => Promise<boolean>;
