// Lays out the pod picker's page: one fitted line per pod of the current page, the page indicator
// and the selected pod's risk signals in full; pure, no I/O.
import { display, joinDisplay, trusted, type DisplayText } from '../display/index.js';
import { layoutColumns, type Column } from './browser-table.js';
import { fitDisplay } from '../display/fit-text.js';
import { pageOf, type PodEntry } from './pod-list.js';
import type { PickerState } from './picker-state.js';

const COLUMNS: readonly Column[] = [
  { title: trusted('NAMESPACE/NAME'), width: 24, grow: 3 }, { title: trusted('PHASE'), width: 9 }, { title: trusted('NODE'), width: 10, grow: 1 },
  { title: trusted('SERVICEACCOUNT'), width: 14, grow: 1 }, { title: trusted('RISK SIGNALS'), width: 16, grow: 3 },
];

/** The picker's visible part. */
export interface PickerView {
  readonly header: DisplayText;
  readonly lines: readonly { readonly text: DisplayText; readonly selected: boolean; readonly risky: boolean; readonly key: string }[];
  readonly position: DisplayText;
  readonly selected: PodEntry | null;
}

/**
 * Lays out the page holding the cursor, `pageSize` rows of `width` columns.
 *
 * @example pickerView(state, 100, 20).position // 'page 1 of 51 · pods 1–20 of 1000'
 */
export function pickerView(state: PickerState, width: number, pageSize: number): PickerView {
  const widths = layoutColumns(COLUMNS, width);
  const fit = (cells: readonly DisplayText[]): DisplayText => joinDisplay(cells.map((c, i) => fitDisplay(c, widths[i] ?? 1)), trusted(' '));
  const size = Math.max(1, pageSize);
  const page = pageOf(state.matches, Math.floor(state.cursor / size), size);
  const lines = page.items.map((pod, i) => ({
    text: fit([display`${pod.namespace}/${pod.name}`, pod.phase, pod.node, pod.serviceAccount, pod.tags]),
    selected: page.first + i === state.cursor,
    risky: pod.signals.length > 0,
    key: pod.ref,
  }));
  const searched = state.query === '' ? trusted('') : display` matching the search (of ${state.all.length})`;
  const position = state.matches.length === 0
    ? display`no pods${searched}`
    : display`page ${page.page + 1} of ${page.pages} · pods ${page.first + 1}–${page.first + page.items.length} of ${state.matches.length}${searched}`;
  return { header: fit(COLUMNS.map((c) => c.title)), lines, position, selected: state.matches[state.cursor] ?? null };
}
