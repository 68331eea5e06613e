// The evidence browser screen's reducer: key presses (in both modes' meanings) folded into the
// browser state, the help toggle, following links (Enter) and coming back (b, Backspace), the detail
// pane's scroll, the note line, and the request to leave; pure, so fast input cannot race React.
import { display, trusted, type DisplayText } from '../display/index.js';
import type { RowLink } from './browser-table.js';
import { currentPlace, locate, reveal, TRAIL_LIMIT, unreachable, type NavigableTable, type Place } from './browser-jump.js';
import { reduceBrowser, initialBrowserState, type BrowserAction, type BrowserState } from './browser-state.js';
import type { KeyPress, UiCommand } from './ui-command.js';

/** A note the user submitted, for the screen to record (`id` tells one submission from the next). */
export interface NoteRequest {
  readonly id: number;
  readonly text: string;
}

/** The screen's state. */
export interface BrowserScreenState {
  readonly browser: BrowserState;
  readonly help: boolean;
  readonly leave: 'quit' | 'back' | null;
  /** First detail line shown. */
  readonly detailScroll: number;
  /** The list of the selected row's links, when open (Enter on a row with several). */
  readonly links: { readonly items: readonly RowLink[]; readonly cursor: number } | null;
  /** Where each followed link was taken from, latest last. */
  readonly trail: readonly Place[];
  /** The note being typed, or null. */
  readonly note: string | null;
  readonly noteRequest: NoteRequest | null;
  /** One line of news for the user (why a key did nothing, what a note became). */
  readonly message: DisplayText | null;
}

/** One key press: the table area's height, the detail pane's height and line count, and what this screen allows. */
export interface BrowserKey {
  readonly press: KeyPress;
  readonly height: number;
  readonly canGoBack: boolean;
  readonly detail?: { readonly height: number; readonly total: number };
  /** Why notes cannot be added here (a bundle, the demo), or null when they can. */
  readonly noteRefusal?: DisplayText | null;
}

/** The line a recorded (or refused) note comes back as. */
export type NoteOutcome = DisplayText;

/** News from outside the reducer (a note recorded or refused). */
export interface BrowserNews {
  readonly message: DisplayText;
}

/** The longest note accepted, in characters (`case note` takes 64 KiB). */
export const NOTE_LIMIT = 16 * 1024;

/** The screen state over `tabs` tabs before any key. */
export function initialBrowserScreen(tabs: number): BrowserScreenState {
  return { browser: initialBrowserState(tabs), help: false, leave: null, detailScroll: 0, links: null, trail: [], note: null, noteRequest: null, message: null };
}

function actionFor(command: UiCommand, editing: boolean): BrowserAction | null {
  switch (command.kind) {
    case 'move': return { type: 'move', by: command.by };
    case 'page': return { type: 'page', by: command.by };
    case 'home': return { type: 'home' };
    case 'end': return { type: 'end' };
    case 'next-tab': return { type: 'tab', by: 1 };
    case 'prev-tab': return { type: 'tab', by: -1 };
    case 'tab': return { type: 'tab-to', index: command.index };
    case 'filter': return { type: 'filter-open' };
    case 'type': return editing ? { type: 'filter-type', text: command.text } : null;
    case 'erase': return { type: 'filter-erase' };
    case 'submit': return { type: 'filter-close', keep: true };
    case 'cancel': return { type: 'filter-close', keep: false };
    default: return null;
  }
}

function jump(tables: readonly NavigableTable[], state: BrowserScreenState, link: RowLink, height: number): BrowserScreenState {
  const place = locate(tables, link.ref);
  if (place === null) return { ...state, links: null, message: unreachable(link.ref) };
  const from = currentPlace(state.browser);
  const trail = from === null ? state.trail : [...state.trail, from].slice(-TRAIL_LIMIT);
  return { ...state, browser: reveal(tables, state.browser, place, height), trail, links: null, detailScroll: 0, message: null };
}

function follow(tables: readonly NavigableTable[], state: BrowserScreenState, height: number): BrowserScreenState {
  const place = currentPlace(state.browser);
  const links = place === null ? [] : (tables[place.tab]?.rows[place.row]?.links?.() ?? []);
  const only = links[0];
  if (only === undefined) return { ...state, message: trusted('This row links to nothing else.') };
  if (links.length === 1) return jump(tables, state, only, height);
  return { ...state, links: { items: links, cursor: 0 }, message: null };
}

function back(tables: readonly NavigableTable[], state: BrowserScreenState, height: number): BrowserScreenState {
  const last = state.trail[state.trail.length - 1];
  if (last === undefined) return { ...state, message: trusted('Nothing to go back to: b returns along links followed with Enter.') };
  return { ...state, browser: reveal(tables, state.browser, last, height), trail: state.trail.slice(0, -1), detailScroll: 0, message: null };
}

function onLinks(tables: readonly NavigableTable[], state: BrowserScreenState, command: UiCommand, height: number): BrowserScreenState {
  const open = state.links;
  if (open === null) return state;
  const last = open.items.length - 1;
  const at = (cursor: number) => ({ ...state, links: { ...open, cursor: Math.min(Math.max(0, cursor), last) } });
  switch (command.kind) {
    case 'move': return at(open.cursor + command.by);
    case 'page': return at(open.cursor + command.by * 10);
    case 'home': return at(0);
    case 'end': return at(last);
    case 'select': {
      const link = open.items[open.cursor];
      return link === undefined ? state : jump(tables, state, link, height);
    }
    case 'back': case 'link-back': return { ...state, links: null };
    default: return state;
  }
}

function onNote(state: BrowserScreenState, command: UiCommand): BrowserScreenState {
  const text = state.note ?? '';
  switch (command.kind) {
    case 'type': return { ...state, note: (text + command.text.replace(/[\x00-\x1f\x7f-\x9f]/g, '')).slice(0, NOTE_LIMIT) };
    case 'erase': return { ...state, note: [...text].slice(0, -1).join('') };
    case 'cancel': return { ...state, note: null, message: trusted('Note discarded: nothing was recorded.') };
    case 'submit':
      if (text.trim() === '') return { ...state, note: null, message: trusted('The note was empty: nothing was recorded.') };
      return { ...state, note: null, noteRequest: { id: (state.noteRequest?.id ?? 0) + 1, text }, message: trusted('Recording the note…') };
    default: return state;
  }
}

function scrollDetail(state: BrowserScreenState, key: BrowserKey, direction: 1 | -1): BrowserScreenState {
  const detail = key.detail ?? { height: 0, total: 0 };
  const step = Math.max(1, Math.floor(detail.height / 2));
  const max = detail.total <= detail.height ? 0 : detail.total - detail.height + 1;
  return { ...state, detailScroll: Math.min(max, Math.max(0, state.detailScroll + direction * step)) };
}

/**
 * Applies one key press, or news from outside: Ctrl-C and q (outside a text line) leave, ? toggles
 * help, Enter follows the row's links, b/Backspace come back, d/u scroll the detail, n starts a note,
 * Esc closes what is open (links, filter) or goes back; everything else moves, switches tabs or
 * edits the filter.
 *
 * @example reduceBrowserScreen(tables, state, {press: {nav: {kind: 'move', by: 1}, text: null}, height: 20, canGoBack: false})
 */
export function reduceBrowserScreen(tables: readonly NavigableTable[], state: BrowserScreenState, input: BrowserKey | BrowserNews): BrowserScreenState {
  if ('message' in input) return { ...state, message: input.message };
  const key = input;
  if (state.leave !== null) return state;
  const typing = state.browser.editing || state.note !== null;
  const command = typing ? key.press.text : key.press.nav;
  if (command === null) return state;
  if (command.kind === 'interrupt' || command.kind === 'quit') return { ...state, leave: 'quit' };
  if (state.note !== null) return onNote(state, command);
  if (state.help) return command.kind === 'help' || command.kind === 'back' ? { ...state, help: false } : state;
  if (command.kind === 'help') return { ...state, help: true };
  if (state.links !== null) return onLinks(tables, state, command, key.height);
  if (!state.browser.editing) {
    if (command.kind === 'select') return follow(tables, state, key.height);
    if (command.kind === 'link-back' || (command.kind === 'letter' && command.key === 'b')) return back(tables, state, key.height);
    if (command.kind === 'letter' && (command.key === 'd' || command.key === 'u')) return scrollDetail(state, key, command.key === 'd' ? 1 : -1);
    if (command.kind === 'letter' && command.key === 'n') {
      const refusal = key.noteRefusal ?? display`Notes cannot be added here.`;
      return key.noteRefusal === null ? { ...state, note: '', message: null } : { ...state, message: refusal };
    }
  }
  if (command.kind === 'back') {
    const view = state.browser.views[state.browser.tab];
    if (view !== undefined && view.filter !== '') return { ...state, browser: reduceBrowser(tables, state.browser, { type: 'filter-close', keep: false }, key.height) };
    return key.canGoBack ? { ...state, leave: 'back' } : state;
  }
  const action = actionFor(command, state.browser.editing);
  if (action === null) return state;
  const browser = reduceBrowser(tables, state.browser, action, key.height);
  const moved = browser.tab !== state.browser.tab || browser.views[browser.tab] !== state.browser.views[state.browser.tab];
  return { ...state, browser, detailScroll: moved ? 0 : state.detailScroll, message: moved ? null : state.message };
}
