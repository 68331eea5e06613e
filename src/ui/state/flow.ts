// The responder UI's flow: which screen is up, what each key does there, and the side effects the
// app must perform (probe, list pods, open evidence, start a run, answer a confirmation, stop, quit).
// Pure: the reducer only records effects; ResponderApp performs them through its ports.
import { escapeUntrusted, type DisplayText } from '../../core/display/index.js';
import type { ClusterStatus, PlaybookChoice } from '../../core/ui/cluster-view.js';
import { addPods, EMPTY_PICKER, reducePicker, type PickerState } from '../../core/ui/picker-state.js';
import type { PodEntry } from '../../core/ui/pod-list.js';
import type { KeyPress, UiCommand } from '../../core/ui/ui-command.js';
import type { PlaybookEvent } from '../../runner/playbook-events.js';
import type { ReviewContent } from '../ReviewApp.js';
import { EMPTY_RUN, reduceRun, type RunState } from './run-state.js';
import { EMPTY_REPLAY, reduceReplay, replayKey, type ReplayAction, type ReplayState } from './replay-state.js';

/** The screens of the responder UI. */
export type Screen = 'start' | 'lab' | 'open-path' | 'opening' | 'picker' | 'confirm-start' | 'run' | 'browser' | 'replay-pick' | 'replay';

/** What to open for review. */
export type OpenTarget = { readonly demo: true } | { readonly path: string } | { readonly runCase: true };

/** A side effect the app performs for the reducer. */
export type FlowEffect =
  | { readonly kind: 'probe' }
  | { readonly kind: 'load-pods' }
  | { readonly kind: 'open'; readonly target: OpenTarget }
  | { readonly kind: 'start-run'; readonly playbookId: string; readonly pod: string; readonly resume: boolean; readonly cutConnections: boolean }
  | { readonly kind: 'answer'; readonly ok: boolean }
  /** Tick checklist item `index` (from 1), with a note or none; and move on from the checklist. */
  | { readonly kind: 'tick'; readonly index: number; readonly note: string | null }
  | { readonly kind: 'checklist-done' }
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'list-scenarios' }
  | { readonly kind: 'start-replay'; readonly scenarioId: string }
  | { readonly kind: 'stop-replay' }
  | { readonly kind: 'quit' };

/** The responder UI's state. */
export interface FlowState {
  readonly screen: Screen;
  readonly help: boolean;
  readonly readOnly: boolean;
  readonly cluster: ClusterStatus;
  readonly playbooks: readonly PlaybookChoice[];
  readonly playbook: number;
  readonly notice: DisplayText | null;
  /** The responder chose (c on the start screen) to cut surviving connections at every isolate step; only when offered. */
  readonly cutConnections: boolean;
  readonly pathText: string;
  readonly picker: PickerState;
  readonly pods: { readonly requested: boolean; readonly done: boolean; readonly error: string | null };
  readonly pod: PodEntry | null;
  readonly run: RunState;
  readonly browser: ReviewContent | null;
  readonly browserBack: Screen;
  /** Replaying a shipped exercise with no cluster (x on the start screen). */
  readonly replay: ReplayState;
  readonly effects: readonly FlowEffect[];
}

/** What changes the flow: a key press, or news from a port. */
export type FlowAction =
  | { readonly type: 'key'; readonly press: KeyPress; readonly pageSize: number }
  | { readonly type: 'cluster'; readonly status: ClusterStatus }
  | { readonly type: 'playbooks'; readonly list: readonly PlaybookChoice[] }
  | { readonly type: 'pods'; readonly entries: readonly PodEntry[] }
  | { readonly type: 'pods-done'; readonly error: string | null }
  | { readonly type: 'run-event'; readonly event: PlaybookEvent; readonly at: number }
  | { readonly type: 'run-failed'; readonly message: DisplayText }
  | { readonly type: 'tick-failed'; readonly message: DisplayText }
  | { readonly type: 'opened'; readonly content: ReviewContent }
  | { readonly type: 'open-failed'; readonly message: string }
  | { readonly type: 'browser-left'; readonly how: 'quit' | 'back' }
  | ReplayAction
  | { readonly type: 'effects-taken'; readonly count: number };

/** The state the UI starts in: checking the cluster. */
export function initialFlow(readOnly: boolean): FlowState {
  return {
    screen: 'start', help: false, readOnly, cluster: { kind: 'checking' }, playbooks: [], playbook: 0, notice: null, cutConnections: false, pathText: '',
    picker: EMPTY_PICKER, pods: { requested: false, done: false, error: null }, pod: null, run: EMPTY_RUN, browser: null, browserBack: 'start', replay: EMPTY_REPLAY, effects: [{ kind: 'probe' }],
  };
}

const emit = (state: FlowState, ...effects: FlowEffect[]): FlowState => ({ ...state, effects: [...state.effects, ...effects] });

/** Tells whether a run is under way (started and not finished). */
export function runActive(state: FlowState): boolean {
  return state.screen === 'run' && state.run.finished === null;
}

function textMode(state: FlowState): boolean {
  if (state.help) return false;
  if (state.screen === 'open-path') return true;
  if (state.screen === 'picker') return state.picker.editing;
  if (state.screen === 'run' && state.run.checklist !== null && state.run.checklist.note !== null) return true;
  return state.screen === 'run' && state.run.confirm !== null && !state.readOnly;
}

// A checklist step waits here: move, x ticks the item under the cursor, n ticks it with a typed note, Enter moves on.
function onChecklist(state: FlowState, c: UiCommand): FlowState {
  const list = state.run.checklist;
  if (list === null || list.leaving) return state;
  const run = (action: Parameters<typeof reduceRun>[1]): RunState => reduceRun(state.run, action);
  const item = list.items[list.cursor];
  if (list.note !== null) {
    if (c.kind === 'type') return { ...state, run: run({ type: 'note', text: list.note + c.text }) };
    if (c.kind === 'erase') return { ...state, run: run({ type: 'note', text: [...list.note].slice(0, -1).join('') }) };
    if (c.kind === 'cancel') return { ...state, run: run({ type: 'note', text: null }) };
    if (c.kind === 'submit' && item !== undefined) return emit({ ...state, run: run({ type: 'note', text: null }) }, { kind: 'tick', index: item.index, note: list.note.trim() === '' ? null : list.note });
    return state;
  }
  if (c.kind === 'move') return { ...state, run: run({ type: 'checklist-move', by: c.by }) };
  if (c.kind === 'letter' && c.key === 'x' && item !== undefined && item.tick === null) return emit(state, { kind: 'tick', index: item.index, note: null });
  if (c.kind === 'letter' && c.key === 'n' && item !== undefined && item.tick === null) return { ...state, run: run({ type: 'note', text: '' }) };
  if (c.kind === 'select') return emit({ ...state, run: run({ type: 'checklist-leave' }) }, { kind: 'checklist-done' });
  return state;
}

function onStart(state: FlowState, c: UiCommand): FlowState {
  if (c.kind === 'move') return { ...state, playbook: Math.min(Math.max(0, state.playbook + c.by), Math.max(0, state.playbooks.length - 1)) };
  if (c.kind === 'select' && state.playbooks[state.playbook]?.needsToken === true) {
    return { ...state, notice: escapeUntrusted('This playbook starts from a leaked token: run it with `kustody run PLAYBOOK --token-file FILE --case CASE`.') };
  }
  if (c.kind === 'select' && state.cluster.kind === 'ready' && state.playbooks.length > 0) {
    const next: FlowState = { ...state, screen: 'picker', notice: null };
    return state.pods.requested ? next : emit({ ...next, pods: { requested: true, done: false, error: null } }, { kind: 'load-pods' });
  }
  if (c.kind !== 'letter') return state;
  if (c.key === 'l') return { ...state, screen: 'lab' };
  if (c.key === 'x') return state.replay.scenarios === null ? emit({ ...state, screen: 'replay-pick' }, { kind: 'list-scenarios' }) : { ...state, screen: 'replay-pick' };
  if (c.key === 'o') return { ...state, screen: 'open-path', pathText: '' };
  if (c.key === 'd') return emit({ ...state, screen: 'opening', browserBack: 'start' }, { kind: 'open', target: { demo: true } });
  if (c.key === 'r') return emit({ ...state, cluster: { kind: 'checking' }, notice: null }, { kind: 'probe' });
  if (c.key === 'c' && state.cluster.kind === 'ready' && state.cluster.vantages?.cut.offered === true) return { ...state, cutConnections: !state.cutConnections };
  return state;
}

// The replay screens decide in replay-state.ts; opening the case in the browser goes through the flow's open effect.
function onReplayKey(state: FlowState, c: UiCommand): FlowState {
  const next = replayKey(state.screen === 'replay' ? 'replay' : 'replay-pick', state.replay, c);
  const moved = { ...state, replay: next.replay, screen: next.screen };
  if (next.effect === 'open-case' && state.replay.outcome !== null) return emit({ ...moved, screen: 'opening', browserBack: 'replay' }, { kind: 'open', target: { path: state.replay.outcome.caseDir } });
  return next.effect === null || next.effect === 'open-case' ? moved : emit(moved, next.effect);
}

function onRun(state: FlowState, c: UiCommand, pageSize: number): FlowState {
  if (c.kind === 'page') return { ...state, run: reduceRun(state.run, { type: 'scroll', by: c.by * Math.max(1, pageSize) }) };
  if (state.run.checklist !== null && state.run.finished === null) return onChecklist(state, c);
  const confirm = state.run.confirm;
  if (confirm !== null && !state.readOnly) {
    if (c.kind === 'type') return { ...state, run: reduceRun(state.run, { type: 'type', text: c.text }) };
    if (c.kind === 'erase') return { ...state, run: reduceRun(state.run, { type: 'erase' }) };
    // A mismatch sends nothing: the prompt stays, emptied, and says so.
    if (c.kind === 'submit') return confirm.typed === confirm.expect ? emit({ ...state, run: reduceRun(state.run, { type: 'answered' }) }, { kind: 'answer', ok: true }) : { ...state, run: reduceRun(state.run, { type: 'refused' }) };
    if (c.kind === 'cancel') return emit({ ...state, run: reduceRun(state.run, { type: 'answered' }) }, { kind: 'answer', ok: false });
    return state;
  }
  if (state.run.finished !== null) {
    if (c.kind === 'letter' && c.key === 'e' && state.run.startError === null) return emit({ ...state, screen: 'opening', browserBack: 'run' }, { kind: 'open', target: { runCase: true } });
    const resumable = ['interrupted', 'failed', 'needs-confirmation'].includes(state.run.finished.status) && state.run.plan !== null && !state.run.plan.dryRun;
    if (c.kind === 'letter' && c.key === 'r' && resumable && state.run.plan !== null) {
      return emit({ ...state, run: EMPTY_RUN }, { kind: 'start-run', playbookId: state.run.plan.playbook.id, pod: state.run.plan.target, resume: true, cutConnections: state.cutConnections });
    }
    if (c.kind === 'back') return { ...state, screen: 'start' };
  }
  return state;
}

function onKey(state: FlowState, press: KeyPress, pageSize: number): FlowState {
  if (state.screen === 'browser') return state;
  const c = textMode(state) ? press.text : press.nav;
  if (c === null) return state;
  if (c.kind === 'interrupt' || (c.kind === 'quit' && runActive(state))) {
    if (!runActive(state)) return emit(state, { kind: 'quit' });
    // First Ctrl-C: stop at the next safe point (a pending confirmation is declined); a second one leaves at once.
    if (state.run.interrupting) return emit(state, { kind: 'quit' });
    const declined: FlowEffect[] = state.run.confirm !== null ? [{ kind: 'answer', ok: false }] : [];
    return emit({ ...state, run: reduceRun({ ...state.run, confirm: null }, { type: 'interrupting' }) }, ...declined, { kind: 'interrupt' });
  }
  if (c.kind === 'quit') return emit(state, { kind: 'quit' });
  if (state.help) return c.kind === 'help' || c.kind === 'back' ? { ...state, help: false } : state;
  if (c.kind === 'help') return { ...state, help: true };
  switch (state.screen) {
    case 'start': return onStart(state, c);
    case 'lab': return c.kind === 'back' || c.kind === 'select' ? { ...state, screen: 'start' } : state;
    case 'open-path':
      if (c.kind === 'type') return { ...state, pathText: (state.pathText + c.text).slice(0, 4096) };
      if (c.kind === 'erase') return { ...state, pathText: [...state.pathText].slice(0, -1).join('') };
      if (c.kind === 'cancel') return { ...state, screen: 'start' };
      if (c.kind === 'submit' && state.pathText.trim() !== '') return emit({ ...state, screen: 'opening', browserBack: 'start' }, { kind: 'open', target: { path: state.pathText.trim() } });
      return state;
    case 'opening': return state;
    case 'picker': {
      if (c.kind === 'back' && !state.picker.editing) return { ...state, screen: 'start' };
      const { state: picker, chosen } = reducePicker(state.picker, c, pageSize);
      return chosen === null ? { ...state, picker } : { ...state, picker, pod: chosen, screen: 'confirm-start' };
    }
    case 'confirm-start': {
      const playbook = state.playbooks[state.playbook];
      if (c.kind === 'back') return { ...state, screen: 'picker' };
      if (c.kind !== 'select' || playbook === undefined || state.pod === null) return state;
      return emit({ ...state, screen: 'run', run: EMPTY_RUN }, { kind: 'start-run', playbookId: playbook.id, pod: state.pod.ref, resume: false, cutConnections: state.cutConnections });
    }
    case 'run': return onRun(state, c, pageSize);
    case 'replay-pick':
    case 'replay': return onReplayKey(state, c);
  }
}

/** Applies one action to the flow. */
export function reduceFlow(state: FlowState, action: FlowAction): FlowState {
  switch (action.type) {
    case 'key': return onKey(state, action.press, action.pageSize);
    case 'cluster': return { ...state, cluster: action.status };
    case 'playbooks': return { ...state, playbooks: action.list, playbook: Math.min(state.playbook, Math.max(0, action.list.length - 1)) };
    case 'pods': return { ...state, picker: addPods(state.picker, action.entries) };
    case 'pods-done': return { ...state, pods: { ...state.pods, done: true, error: action.error } };
    case 'run-event': {
      const run = reduceRun(state.run, { type: 'event', event: action.event, at: action.at });
      // Read-only runs are dry runs, which never ask; should a confirmation come anyway, it is declined unseen.
      if (state.readOnly && action.event.type === 'confirm') return emit({ ...state, run: { ...run, confirm: null } }, { kind: 'answer', ok: false });
      return { ...state, run };
    }
    case 'run-failed': return { ...state, run: reduceRun(state.run, { type: 'start-failed', message: action.message }) };
    case 'tick-failed': return { ...state, run: reduceRun(state.run, { type: 'tick-failed', message: action.message }) };
    case 'opened': return { ...state, screen: 'browser', browser: action.content, notice: null };
    case 'open-failed': return { ...state, screen: state.browserBack, notice: escapeUntrusted(action.message, { maxBytes: 1024 }) };
    case 'browser-left': return action.how === 'quit' ? emit(state, { kind: 'quit' }) : { ...state, screen: state.browserBack, browser: null };
    case 'effects-taken': return { ...state, effects: state.effects.slice(action.count) };
    default: return { ...state, replay: reduceReplay(state.replay, action) };
  }
}
