// Renders only the rows that fit: the header, the visible window of the (filtered) table, and the
// position line, each already cut to the terminal width; pure, no I/O.
import { display, joinDisplay, trusted, type DisplayText } from '../display/index.js';
import { layoutColumns, type BrowserTable } from './browser-table.js';
import { fitView, rowIndexAt, visibleCount, type TabView } from './browser-state.js';
import { fitDisplay } from '../display/fit-text.js';

/** One line of the window: its text (exactly `width` columns) and whether the cursor is on it. */
export interface WindowLine {
  readonly text: DisplayText;
  readonly selected: boolean;
  readonly key: number;
}

/** What the table area shows. */
export interface TableWindow {
  readonly header: DisplayText;
  readonly lines: readonly WindowLine[];
  /** `rows 41–60 of 10000 (filtered from 12000)`. */
  readonly position: DisplayText;
  /** The row under the cursor, or -1. */
  readonly selectedRow: number;
}

const SPACE = trusted(' ');

/**
 * Lays out the visible window of a table for a terminal `width` wide and `height` rows tall.
 *
 * @example tableWindow(table, view, 100, 20).lines.length // at most 20, whatever the row count
 */
export function tableWindow(table: BrowserTable, stored: TabView, width: number, height: number): TableWindow {
  const view = fitView(table, stored, height);
  const widths = layoutColumns(table.columns, width);
  const fitRow = (cells: readonly DisplayText[]): DisplayText =>
    joinDisplay(table.columns.map((c, i) => fitDisplay(cells[i] ?? trusted(''), widths[i] ?? 1, c.align ?? 'left')), SPACE);
  const count = visibleCount(table, view);
  const lines: WindowLine[] = [];
  const end = Math.min(count, view.offset + Math.max(1, height));
  for (let position = view.offset; position < end; position++) {
    const index = rowIndexAt(view, position);
    const row = table.rows[index];
    if (row === undefined) continue;
    lines.push({ text: fitRow(row.cells), selected: position === view.cursor, key: index });
  }
  const filtered = view.matches === null ? trusted('') : display` (filtered from ${table.rows.length})`;
  const position = count === 0 ? display`no rows${filtered}` : display`rows ${view.offset + 1}–${end} of ${count}${filtered}`;
  return { header: fitRow(table.columns.map((c) => c.title)), lines, position, selectedRow: count === 0 ? -1 : rowIndexAt(view, view.cursor) };
}
