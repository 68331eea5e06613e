// The replay screens' state: the shipped scenarios to pick from, the progress lines of the replay under
// way, and its outcome (score and after-action summary). Pure: keys and port news in, state and the
// effect to perform out.
import type { ReplayOutcome, ScenarioChoice } from '../../core/exercise/replay-summary.js';
import type { UiCommand } from '../../core/ui/ui-command.js';

/** What the replay screens show. */
export interface ReplayState {
  /** null until listed. */
  readonly scenarios: readonly ScenarioChoice[] | null;
  readonly selected: number;
  readonly lines: readonly string[];
  readonly running: boolean;
  readonly stopping: boolean;
  readonly outcome: ReplayOutcome | null;
  readonly error: string | null;
}

/** News from the replay ports. */
export type ReplayAction =
  | { readonly type: 'scenarios'; readonly list: readonly ScenarioChoice[] }
  | { readonly type: 'scenarios-failed'; readonly message: string }
  | { readonly type: 'replay-line'; readonly line: string }
  | { readonly type: 'replay-done'; readonly outcome: ReplayOutcome }
  | { readonly type: 'replay-failed'; readonly message: string };

/** No scenario listed, no replay yet. */
export const EMPTY_REPLAY: ReplayState = { scenarios: null, selected: 0, lines: [], running: false, stopping: false, outcome: null, error: null };

/** Progress lines kept (the screen shows the newest that fit). */
const MAX_LINES = 200;

/** Applies news from the ports. */
export function reduceReplay(state: ReplayState, action: ReplayAction): ReplayState {
  switch (action.type) {
    case 'scenarios': return { ...state, scenarios: action.list, selected: Math.min(state.selected, Math.max(0, action.list.length - 1)), error: null };
    case 'scenarios-failed': return { ...state, scenarios: [], error: action.message };
    case 'replay-line': return { ...state, lines: [...state.lines, action.line].slice(-MAX_LINES) };
    case 'replay-done': return { ...state, running: false, stopping: false, outcome: action.outcome };
    case 'replay-failed': return { ...state, running: false, stopping: false, error: action.message };
  }
}

/** What a key does on a replay screen: the next state and screen, and an effect to perform. */
export function replayKey(screen: 'replay-pick' | 'replay', state: ReplayState, c: UiCommand): {
  replay: ReplayState;
  screen: 'start' | 'replay-pick' | 'replay';
  effect: { kind: 'start-replay'; scenarioId: string } | { kind: 'stop-replay' } | 'open-case' | null;
} {
  const stay = { replay: state, screen, effect: null };
  if (screen === 'replay-pick') {
    const list = state.scenarios ?? [];
    if (c.kind === 'move') return { ...stay, replay: { ...state, selected: Math.min(Math.max(0, state.selected + c.by), Math.max(0, list.length - 1)) } };
    if (c.kind === 'back') return { ...stay, screen: 'start' };
    const chosen = list[state.selected];
    if (c.kind === 'select' && chosen !== undefined) {
      return { replay: { ...state, lines: [], running: true, stopping: false, outcome: null, error: null }, screen: 'replay', effect: { kind: 'start-replay', scenarioId: chosen.id } };
    }
    return stay;
  }
  if (state.running) return c.kind === 'back' && !state.stopping ? { ...stay, replay: { ...state, stopping: true }, effect: { kind: 'stop-replay' } } : stay;
  if (c.kind === 'letter' && c.key === 'e' && state.outcome !== null) return { ...stay, effect: 'open-case' };
  if (c.kind === 'back' || c.kind === 'select') return { ...stay, screen: 'replay-pick' };
  return stay;
}
