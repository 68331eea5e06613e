// Holds the evidence browser screen's state: one reducer over the pure browser screen machine.
import { useCallback, useReducer } from 'react';
import { initialBrowserScreen, reduceBrowserScreen, type BrowserKey, type BrowserNews, type BrowserScreenState } from '../../core/ui/browser-screen.js';
import type { NavigableTable } from '../../core/ui/browser-jump.js';

/** The screen state and a `send` for one key press or piece of news. */
export interface BrowserHandle {
  readonly state: BrowserScreenState;
  readonly send: (input: BrowserKey | BrowserNews) => void;
}

/** Returns the browser screen state over `tables` (the tab count must not change while mounted; rows may be added). */
export function useBrowser(tables: readonly NavigableTable[]): BrowserHandle {
  const [state, dispatch] = useReducer((s: BrowserScreenState, k: BrowserKey | BrowserNews) => reduceBrowserScreen(tables, s, k), tables.length, initialBrowserScreen);
  const send = useCallback((input: BrowserKey | BrowserNews) => dispatch(input), []);
  return { state, send };
}
