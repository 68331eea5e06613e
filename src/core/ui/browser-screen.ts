// The evidence browser screen's reducer: key presses (in both modes' meanings) folded into the
// browser state, the help toggle and the request to leave; pure, so fast input cannot race React.
import { reduceBrowser, initialBrowserState, type BrowserAction, type BrowserState, type Searchable } from './browser-state.js';
import type { KeyPress, UiCommand } from './ui-command.js';

/** The screen's state: the browser, whether help is shown, and whether the user asked to leave. */
export interface BrowserScreenState {
  readonly browser: BrowserState;
  readonly help: boolean;
  readonly leave: 'quit' | 'back' | null;
}

/** One key press for a table area `height` rows tall; `canGoBack` when there is a screen to go back to. */
export interface BrowserKey {
  readonly press: KeyPress;
  readonly height: number;
  readonly canGoBack: boolean;
}

/** The screen state over `tabs` tabs before any key. */
export function initialBrowserScreen(tabs: number): BrowserScreenState {
  return { browser: initialBrowserState(tabs), help: false, leave: null };
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

/**
 * Applies one key press: Ctrl-C and q (outside the filter line) leave, ? toggles help, Esc clears a
 * filter or goes back, everything else moves, switches tabs or edits the filter.
 *
 * @example reduceBrowserScreen(tables, state, {press: {nav: {kind: 'move', by: 1}, text: null}, height: 20, canGoBack: false})
 */
export function reduceBrowserScreen(tables: readonly Searchable[], state: BrowserScreenState, key: BrowserKey): BrowserScreenState {
  if (state.leave !== null) return state;
  const editing = state.browser.editing;
  const command = editing ? key.press.text : key.press.nav;
  if (command === null) return state;
  if (command.kind === 'interrupt' || command.kind === 'quit') return { ...state, leave: 'quit' };
  if (state.help) return command.kind === 'help' || command.kind === 'back' ? { ...state, help: false } : state;
  if (command.kind === 'help') return { ...state, help: true };
  if (command.kind === 'back') {
    const view = state.browser.views[state.browser.tab];
    if (view !== undefined && view.filter !== '') return { ...state, browser: reduceBrowser(tables, state.browser, { type: 'filter-close', keep: false }, key.height) };
    return key.canGoBack ? { ...state, leave: 'back' } : state;
  }
  const action = actionFor(command, editing);
  return action === null ? state : { ...state, browser: reduceBrowser(tables, state.browser, action, key.height) };
}
