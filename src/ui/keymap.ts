// Every key the UI understands, mapped once to a semantic command; screens handle commands, never
// raw keys. The help overlay is generated from the same table, so it cannot drift from the bindings.
import type { Key } from 'ink';
import type { KeyMode, KeyPress, UiCommand } from '../core/ui/ui-command.js';

export type { KeyMode, KeyPress, UiCommand } from '../core/ui/ui-command.js';

/**
 * Maps one key press to a command for the current mode, or null when it means nothing there.
 *
 * @example commandFor('j', key, 'nav') // {kind: 'move', by: 1}
 */
export function commandFor(input: string, key: Key, mode: KeyMode): UiCommand | null {
  if (key.ctrl && input === 'c') return { kind: 'interrupt' };
  if (mode === 'text') {
    if (key.return) return { kind: 'submit' };
    if (key.pageDown) return { kind: 'page', by: 1 };
    if (key.pageUp) return { kind: 'page', by: -1 };
    if (key.escape) return { kind: 'cancel' };
    if (key.backspace || key.delete) return { kind: 'erase' };
    if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return null;
    return input === '' ? null : { kind: 'type', text: input };
  }
  if (key.upArrow || (!key.ctrl && input === 'k')) return { kind: 'move', by: -1 };
  if (key.downArrow || (!key.ctrl && input === 'j')) return { kind: 'move', by: 1 };
  if (key.pageDown || input === ' ' || (key.ctrl && input === 'f')) return { kind: 'page', by: 1 };
  if (key.pageUp || (key.ctrl && input === 'b')) return { kind: 'page', by: -1 };
  if (key.home || input === 'g') return { kind: 'home' };
  if (key.end || input === 'G') return { kind: 'end' };
  if ((key.tab && key.shift) || key.leftArrow) return { kind: 'prev-tab' };
  if (key.tab || key.rightArrow) return { kind: 'next-tab' };
  if (key.return) return { kind: 'select' };
  if (key.escape) return { kind: 'back' };
  if (key.backspace || key.delete) return { kind: 'link-back' };
  if (input === '?') return { kind: 'help' };
  if (input === '/') return { kind: 'filter' };
  if (input === 'q') return { kind: 'quit' };
  if (/^[1-9]$/.test(input)) return { kind: 'tab', index: Number(input) - 1 };
  if (/^[a-z]$/.test(input) && !key.ctrl && !key.meta) return { kind: 'letter', key: input };
  return null;
}

/** One line of the keyboard help. */
export interface KeyHelp {
  readonly keys: string;
  readonly does: string;
}

/** The keyboard help for each screen, in the order shown. */
export const KEY_HELP: Readonly<Record<'common' | 'browser' | 'picker' | 'start' | 'run', readonly KeyHelp[]>> = {
  common: [
    { keys: '?', does: 'show or hide this help' },
    { keys: 'q', does: 'quit (in a text field: Esc first)' },
    { keys: 'Ctrl-C', does: 'quit; during a step, stop after the current change and record the step as interrupted' },
  ],
  browser: [
    { keys: 'Tab / → , Shift-Tab / ←', does: 'next / previous tab' },
    { keys: '1 … 8', does: 'jump to a tab (1 is Findings when the case has any)' },
    { keys: '↑ ↓ / j k', does: 'move one row' },
    { keys: 'PgUp PgDn / Ctrl-B Ctrl-F / Space', does: 'move one page' },
    { keys: 'Home End / g G', does: 'first / last row' },
    { keys: '/', does: 'filter: type words (all must match), Enter keeps, Esc clears' },
    { keys: 'Enter', does: 'follow the row\'s links (a finding to its evidence, a process to its sockets, mounts, credentials, children)' },
    { keys: 'b / Backspace', does: 'go back to where the last link was followed from' },
    { keys: 'd / u', does: 'scroll the detail pane down / up' },
    { keys: 'n', does: 'add a timestamped note to the custody log (live case folders only)' },
    { keys: 'Esc', does: 'close the link list, clear the filter' },
  ],
  picker: [
    { keys: '↑ ↓ / j k, PgUp PgDn', does: 'move; pages hold what fits on screen' },
    { keys: '/', does: 'search namespace/name, ServiceAccount, node, signal tags' },
    { keys: 'Enter', does: 'choose the pod and show the plan' },
    { keys: 'Esc', does: 'back to the start screen' },
  ],
  start: [
    { keys: '↑ ↓', does: 'choose a playbook' },
    { keys: 'Enter', does: 'continue to the pod picker' },
    { keys: 'x', does: 'replay a tabletop exercise from a recorded lab run, no cluster needed' },
    { keys: 'l', does: 'how to start the practice lab' },
    { keys: 'o', does: 'open a case folder or bundle for review' },
    { keys: 'd', does: 'open the demo case' },
    { keys: 'r', does: 'check the cluster again' },
  ],
  run: [
    { keys: 'type namespace/pod, Enter', does: 'approve a contain or revoke step (must match exactly)' },
    { keys: 'Esc', does: 'decline the step: nothing is sent, the run stops' },
    { keys: 'PgUp PgDn', does: 'scroll a long plan preview' },
    { keys: '↑ ↓, x / n, Enter', does: 'on a checklist step: choose an item, tick it (n: with a note), continue' },
    { keys: 'e', does: 'when the run is over: browse the case\'s evidence' },
    { keys: 'r', does: 'after an interrupted, declined or failed run: resume it (done steps are skipped)' },
  ],
};

const PLAIN_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

// A character inside a multi-character chunk, read as the key a terminal sends for it.
function keyOfChar(ch: string): { input: string; key: Key } {
  if (ch === '\r' || ch === '\n') return { input: '', key: { ...PLAIN_KEY, return: true } };
  if (ch === '\t') return { input: '', key: { ...PLAIN_KEY, tab: true } };
  if (ch === '\x7f' || ch === '\b') return { input: '', key: { ...PLAIN_KEY, backspace: true } };
  if (ch === '\x03') return { input: 'c', key: { ...PLAIN_KEY, ctrl: true } };
  return { input: ch, key: PLAIN_KEY };
}

/**
 * Reads one chunk of terminal input as key presses, each with its nav and text meaning. A chunk of
 * several characters (fast typing, a paste, tmux send-keys) becomes one press per character, Enter,
 * Tab and Backspace included.
 */
export function keyPresses(input: string, key: Key): KeyPress[] {
  const special = key.return || key.escape || key.tab || key.backspace || key.delete || key.upArrow || key.downArrow
    || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.ctrl || key.meta;
  const presses = special || [...input].length <= 1 ? [{ input, key }] : [...input].map(keyOfChar);
  return presses.map((p) => ({ nav: commandFor(p.input, p.key, 'nav'), text: commandFor(p.input, p.key, 'text') }));
}
