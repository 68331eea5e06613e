// The browser's tab strip as one line that fits the terminal: full titles with counts when there is
// room, short titles when not; pure, no I/O.
import { display, type DisplayText } from '../display/index.js';
import { displayWidth } from '../display/fit-text.js';

/** One tab as the strip shows it. */
export interface TabLabel {
  readonly text: DisplayText;
  readonly active: boolean;
}

/**
 * Labels each tab `1 Processes (6)`, falling back to `1 Procs 6` when the full labels do not fit.
 *
 * @example tabStrip([{title: 'Processes', short: 'Procs', count: 6}], 0, 80) // [{text: ' 1 Processes (6) ', active: true}]
 */
export function tabStrip(tabs: readonly { title: DisplayText; short: DisplayText; count: number }[], active: number, width: number): TabLabel[] {
  const full = tabs.map((t, i) => ({ text: display` ${i + 1} ${t.title} (${t.count}) `, active: i === active }));
  const total = full.reduce((sum, t) => sum + displayWidth(t.text) + 1, 0);
  if (total <= width) return full;
  return tabs.map((t, i) => ({ text: display` ${i + 1} ${t.short} ${t.count} `, active: i === active }));
}
