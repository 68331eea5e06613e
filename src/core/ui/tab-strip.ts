// The browser's tab strip as one line that fits the terminal: full titles with counts when there is
// room, then short titles with counts, then short titles with only the active tab's count, then
// numbers with only the active tab named; pure, no I/O.
import { display, type DisplayText } from '../display/index.js';
import { displayWidth } from '../display/fit-text.js';

/** One tab as the strip shows it. */
export interface TabLabel {
  readonly text: DisplayText;
  readonly active: boolean;
}

/**
 * Labels each tab `1 Processes (6)`, falling back step by step to `1 Procs 6`, `1 Procs` and `1`
 * (the active tab keeps its name and count longest) until the strip fits `width` columns.
 *
 * @example tabStrip([{title: 'Processes', short: 'Procs', count: 6}], 0, 80) // [{text: ' 1 Processes (6) ', active: true}]
 */
export function tabStrip(tabs: readonly { title: DisplayText; short: DisplayText; count: number }[], active: number, width: number): TabLabel[] {
  const levels: ((t: (typeof tabs)[number], i: number) => DisplayText)[] = [
    (t, i) => display` ${i + 1} ${t.title} (${t.count}) `,
    (t, i) => display` ${i + 1} ${t.short} ${t.count} `,
    (t, i) => (i === active ? display` ${i + 1} ${t.short} ${t.count} ` : display` ${i + 1} ${t.short} `),
    (t, i) => (i === active ? display` ${i + 1} ${t.short} ${t.count} ` : display` ${i + 1} `),
  ];
  let labels: TabLabel[] = [];
  for (const level of levels) {
    labels = tabs.map((t, i) => ({ text: level(t, i), active: i === active }));
    // One column between labels.
    const total = labels.reduce((sum, l) => sum + displayWidth(l.text) + 1, -1);
    if (total <= width) return labels;
  }
  return labels;
}
