// Holds the evidence browser screen's state: one reducer over the pure browser screen machine.
import { useCallback, useReducer } from 'react';
import { initialBrowserScreen, reduceBrowserScreen, type BrowserKey, type BrowserScreenState } from '../../core/ui/browser-screen.js';
import type { Searchable } from '../../core/ui/browser-state.js';

/** The screen state and a `send` for one key press. */
export interface BrowserHandle {
  readonly state: BrowserScreenState;
  readonly send: (key: BrowserKey) => void;
}

/** Returns the browser screen state over `tables` (which must not change while mounted). */
export function useBrowser(tables: readonly Searchable[]): BrowserHandle {
  const [state, dispatch] = useReducer((s: BrowserScreenState, k: BrowserKey) => reduceBrowserScreen(tables, s, k), tables.length, initialBrowserScreen);
  const send = useCallback((key: BrowserKey) => dispatch(key), []);
  return { state, send };
}
