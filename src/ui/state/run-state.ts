// Folds the playbook runner's events into what the step view shows: the plan, each step's status,
// preview, progress, result or error, the pending typed confirmation, and how the run ended. Pure.
import { trusted, type DisplayText } from '../../core/display/index.js';
import { appendTyped, confirmationState, eraseTyped, type ConfirmationState } from '../../core/ui/typed-confirmation.js';
import type { ChecklistItemView, PlanStepView, PlaybookEvent, RunStatus, StepError, StepOutcome } from '../../runner/playbook-events.js';

/** Where one step stands. */
export type StepStatus = 'pending' | 'running' | 'confirming' | 'done' | 'failed' | 'declined' | 'interrupted';

/** One step as the step view shows it. */
export interface StepState {
  readonly view: PlanStepView;
  readonly status: StepStatus;
  readonly startedAt: number | null;
  readonly preview: readonly DisplayText[];
  readonly progress: DisplayText | null;
  readonly outcome: StepOutcome | null;
  readonly summary: readonly DisplayText[];
  readonly error: StepError | null;
  readonly elapsedMs: number | null;
  readonly next: DisplayText | null;
}

/** The typed confirmation in progress: what must be typed, what was, and how many wrong submissions were refused. */
export interface PendingConfirm {
  readonly stepId: string;
  readonly expect: string;
  readonly typed: string;
  readonly state: ConfirmationState;
  readonly refused: number;
}

/** A checklist step waiting for the responder: its items, the one under the cursor, and a note being typed (null when none). */
export interface ChecklistState {
  readonly stepId: string;
  readonly items: readonly ChecklistItemView[];
  readonly cursor: number;
  readonly note: string | null;
  /** Set once the responder moved on (Enter), until the step ends. */
  readonly leaving: boolean;
  readonly error: DisplayText | null;
}

/** The whole run as the UI knows it. */
export interface RunState {
  readonly plan: Extract<PlaybookEvent, { type: 'plan' }> | null;
  readonly steps: readonly StepState[];
  readonly current: string | null;
  readonly confirm: PendingConfirm | null;
  readonly finished: { readonly status: RunStatus; readonly next: DisplayText | null } | null;
  readonly interrupting: boolean;
  readonly startError: DisplayText | null;
  /** Ids of finished steps in the order they finished (what the step view prints once, in Static). */
  readonly finishedOrder: readonly string[];
  /** How far the current step's preview is scrolled (PgUp/PgDn), in lines. */
  readonly previewScroll: number;
  /** The checklist being ticked, while a checklist step waits. */
  readonly checklist: ChecklistState | null;
}

/** What changes the run state: a runner event (stamped with the local clock), or the responder. */
export type RunAction =
  | { readonly type: 'event'; readonly event: PlaybookEvent; readonly at: number }
  | { readonly type: 'type'; readonly text: string }
  | { readonly type: 'erase' }
  | { readonly type: 'refused' }
  | { readonly type: 'answered' }
  | { readonly type: 'interrupting' }
  | { readonly type: 'scroll'; readonly by: number }
  | { readonly type: 'start-failed'; readonly message: DisplayText }
  | { readonly type: 'checklist-move'; readonly by: number }
  | { readonly type: 'note'; readonly text: string | null }
  | { readonly type: 'checklist-leave' }
  | { readonly type: 'tick-failed'; readonly message: DisplayText };

/** A run that has not started. */
export const EMPTY_RUN: RunState = { plan: null, steps: [], current: null, confirm: null, finished: null, interrupting: false, startError: null, finishedOrder: [], previewScroll: 0, checklist: null };

function newStep(view: PlanStepView): StepState {
  return { view, status: view.state === 'done' ? 'done' : 'pending', startedAt: null, preview: [], progress: null, outcome: view.state === 'done' ? 'skipped' : null, summary: [], error: null, elapsedMs: null, next: null };
}

function updateStep(state: RunState, stepId: string, change: (step: StepState) => StepState): RunState {
  return { ...state, steps: state.steps.map((s) => (s.view.id === stepId ? change(s) : s)) };
}

function finish(state: RunState, stepId: string): RunState {
  const cleared = state.checklist?.stepId === stepId ? { ...state, checklist: null } : state;
  return cleared.finishedOrder.includes(stepId) ? cleared : { ...cleared, finishedOrder: [...cleared.finishedOrder, stepId] };
}

function onChecked(state: RunState, stepId: string, item: ChecklistItemView): RunState {
  const list = state.checklist;
  if (list === null || list.stepId !== stepId) return state;
  return { ...state, checklist: { ...list, error: null, items: list.items.map((i) => (i.index === item.index ? item : i)) } };
}

function onChecklistAction(state: RunState, action: Extract<RunAction, { type: 'checklist-move' | 'note' | 'checklist-leave' | 'tick-failed' }>): RunState {
  const list = state.checklist;
  if (list === null) return state;
  switch (action.type) {
    case 'checklist-move': return { ...state, checklist: { ...list, cursor: Math.min(Math.max(0, list.cursor + action.by), Math.max(0, list.items.length - 1)) } };
    case 'note': return { ...state, checklist: { ...list, note: action.text === null ? null : [...action.text].slice(0, 1000).join('') } };
    case 'checklist-leave': return { ...state, checklist: { ...list, leaving: true, note: null } };
    case 'tick-failed': return { ...state, checklist: { ...list, error: action.message } };
  }
}

function onEvent(state: RunState, event: PlaybookEvent, at: number): RunState {
  switch (event.type) {
    case 'plan': return { ...EMPTY_RUN, plan: event, steps: event.steps.map(newStep) };
    case 'step-start': return updateStep({ ...state, current: event.stepId, previewScroll: 0 }, event.stepId, (s) => ({ ...s, status: 'running', startedAt: at }));
    case 'preview': return updateStep(state, event.stepId, (s) => ({ ...s, preview: event.lines }));
    case 'progress': return updateStep(state, event.stepId, (s) => ({ ...s, progress: event.message }));
    case 'confirm':
      return updateStep({ ...state, confirm: { stepId: event.stepId, expect: event.expect, typed: '', state: 'empty', refused: 0 } }, event.stepId, (s) => ({ ...s, status: 'confirming' }));
    case 'step-done':
      return finish(updateStep({ ...state, confirm: null }, event.stepId, (s) => ({ ...s, status: 'done', outcome: event.outcome, summary: event.summary, elapsedMs: event.elapsedMs, progress: null })), event.stepId);
    case 'step-declined':
      return finish(updateStep({ ...state, confirm: null }, event.stepId, (s) => ({ ...s, status: 'declined', next: event.next })), event.stepId);
    case 'step-failed':
      return finish(updateStep({ ...state, confirm: null }, event.stepId, (s) => ({ ...s, status: 'failed', error: event.error, elapsedMs: event.elapsedMs, progress: null })), event.stepId);
    case 'interrupted':
      if (event.stepId === null) return { ...state, confirm: null };
      return finish(updateStep({ ...state, confirm: null }, event.stepId, (s) => ({ ...s, status: 'interrupted', progress: null })), event.stepId);
    case 'checklist': return { ...state, checklist: { stepId: event.stepId, items: event.items, cursor: 0, note: null, leaving: false, error: null } };
    case 'checked': return onChecked(state, event.stepId, event.item);
    case 'finished': return { ...state, current: null, confirm: null, checklist: null, finished: { status: event.status, next: event.next } };
  }
}

/** Applies one action to the run state. */
export function reduceRun(state: RunState, action: RunAction): RunState {
  const typedAs = (typed: string): RunState => (state.confirm === null ? state : { ...state, confirm: { ...state.confirm, typed, state: confirmationState(state.confirm.expect, typed) } });
  switch (action.type) {
    case 'event': return onEvent(state, action.event, action.at);
    case 'type': return typedAs(appendTyped(state.confirm?.typed ?? '', action.text));
    case 'erase': return typedAs(eraseTyped(state.confirm?.typed ?? ''));
    case 'refused': return state.confirm === null ? state : { ...state, confirm: { ...state.confirm, typed: '', state: 'empty', refused: state.confirm.refused + 1 } };
    case 'answered': {
      const stepId = state.confirm?.stepId;
      const cleared = { ...state, confirm: null };
      return stepId === undefined ? cleared : updateStep(cleared, stepId, (s) => ({ ...s, status: s.status === 'confirming' ? 'running' : s.status }));
    }
    case 'interrupting': return { ...state, interrupting: true };
    case 'scroll': return { ...state, previewScroll: Math.max(0, state.previewScroll + action.by) };
    case 'start-failed': return { ...state, startError: action.message, finished: { status: 'failed', next: trusted('Nothing was run.') } };
    case 'checklist-move':
    case 'note':
    case 'checklist-leave':
    case 'tick-failed':
      return onChecklistAction(state, action);
  }
}
