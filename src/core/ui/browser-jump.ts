// Following a link in the browser: find the tab and row an EvidenceRef names, show that row (clearing
// a filter that hides it), and remember where the jump came from so `b` returns there; pure.
import { display, escapeUntrusted, type DisplayText } from '../display/index.js';
import type { EvidenceRef, RowLink } from './browser-table.js';
import { fitView, rowIndexAt, type BrowserState, type Searchable } from './browser-state.js';

/** A table the browser can jump into: its rows know their ref and their links. */
export interface NavigableTable extends Searchable {
  readonly source?: string;
  readonly rows: readonly { readonly search: string; readonly ref?: EvidenceRef; readonly links?: () => readonly RowLink[] }[];
}

/** A place in the browser: a tab and a row index in that tab's table. */
export interface Place {
  readonly tab: number;
  readonly row: number;
}

/** How many jumps `b` can walk back. */
export const TRAIL_LIMIT = 100;

const indexes = new WeakMap<object, Map<number, number>>();

/** Finds the tab and row an EvidenceRef names, or null when no tab holds it (not loaded, or another table). */
export function locate(tables: readonly NavigableTable[], ref: EvidenceRef): Place | null {
  for (let tab = 0; tab < tables.length; tab++) {
    const table = tables[tab];
    if (table?.source !== ref.table) continue;
    const rows = table.rows;
    let index = indexes.get(rows);
    if (index === undefined) {
      index = new Map();
      rows.forEach((row, i) => {
        if (row.ref !== undefined) index?.set(row.ref.rowid, i);
      });
      indexes.set(rows, index);
    }
    const row = index.get(ref.rowid);
    return row === undefined ? null : { tab, row };
  }
  return null;
}

/** Where the cursor is now, as a place. */
export function currentPlace(state: BrowserState): Place | null {
  const view = state.views[state.tab];
  if (view === undefined) return null;
  const row = rowIndexAt(view, view.cursor);
  return row < 0 ? null : { tab: state.tab, row };
}

/** Shows `place`: its tab, the cursor on its row (the tab's filter is cleared when it hides the row). */
export function reveal(tables: readonly NavigableTable[], state: BrowserState, place: Place, height: number): BrowserState {
  const table = tables[place.tab];
  const stored = state.views[place.tab];
  if (table === undefined || stored === undefined) return state;
  const hidden = stored.matches !== null && !stored.matches.includes(place.row);
  const view = hidden ? { ...stored, filter: '', matches: null } : stored;
  const position = view.matches === null ? place.row : view.matches.indexOf(place.row);
  const placed = fitView(table, { ...view, cursor: position }, height);
  return { ...state, tab: place.tab, editing: false, views: state.views.map((v, i) => (i === place.tab ? placed : v)) };
}

/** Why a link cannot be followed: the row is outside what the browser loaded, or in no tab. */
export function unreachable(ref: EvidenceRef): DisplayText {
  return display`Row ${ref.rowid} of ${escapeUntrusted(ref.table, { maxColumns: 40 })} is not among the rows the browser loaded; query it with sqlite3.`;
}
