// The pod picker's state machine: search text, cursor and the page it sits on, over a list that keeps
// growing while pages of pods arrive; pure, no I/O.
import { searchPods, type PodEntry } from './pod-list.js';
import type { UiCommand } from './ui-command.js';

/** The picker's state. `matches` is the search result over `all`. */
export interface PickerState {
  readonly all: readonly PodEntry[];
  readonly query: string;
  readonly matches: readonly PodEntry[];
  readonly cursor: number;
  readonly editing: boolean;
}

/** An empty picker. */
export const EMPTY_PICKER: PickerState = { all: [], query: '', matches: [], cursor: 0, editing: false };

/** Adds a page of pods as it arrives; the search and the cursor stay where they were. */
export function addPods(state: PickerState, pods: readonly PodEntry[]): PickerState {
  const all = [...state.all, ...pods];
  return { ...state, all, matches: state.query === '' ? all : [...state.matches, ...searchPods(pods, state.query)] };
}

function withQuery(state: PickerState, query: string): PickerState {
  const base = query.startsWith(state.query) && state.query !== '' ? state.matches : state.all;
  return { ...state, query, matches: searchPods(base, query), cursor: 0 };
}

/**
 * Applies one command for a page of `pageSize` rows; returns the chosen pod on Enter.
 *
 * @example reducePicker(state, {kind: 'move', by: 1}, 20).state.cursor // 1
 */
export function reducePicker(state: PickerState, command: UiCommand, pageSize: number): { state: PickerState; chosen: PodEntry | null } {
  const last = Math.max(0, state.matches.length - 1);
  const at = (cursor: number): PickerState => ({ ...state, cursor: Math.min(Math.max(0, cursor), last) });
  const none = (next: PickerState) => ({ state: next, chosen: null });
  switch (command.kind) {
    case 'move': return none(at(state.cursor + command.by));
    case 'page': return none(at(state.cursor + command.by * Math.max(1, pageSize)));
    case 'home': return none(at(0));
    case 'end': return none(at(last));
    case 'filter': return none({ ...state, editing: true });
    case 'type': return none(withQuery(state, state.query + command.text.replace(/[\x00-\x1f\x7f-\x9f]/g, '')));
    case 'erase': return none(withQuery(state, [...state.query].slice(0, -1).join('')));
    case 'submit': return none({ ...state, editing: false });
    case 'cancel': return none({ ...withQuery(state, ''), editing: false });
    case 'select': return { state, chosen: state.matches[state.cursor] ?? null };
    default: return none(state);
  }
}
