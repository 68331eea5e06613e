// The evidence browser's state machine: which tab, where the cursor is, which window of rows is on
// screen, and the filter, narrowed incrementally over precomputed lowercase rows; pure, no I/O.

/** Per-tab view: cursor and first visible row (both positions in the filtered list), and the filter. */
export interface TabView {
  readonly cursor: number;
  readonly offset: number;
  readonly filter: string;
  /** Row indexes matching the filter, or null when there is no filter. */
  readonly matches: readonly number[] | null;
}

/** The whole browser state. */
export interface BrowserState {
  readonly tab: number;
  readonly views: readonly TabView[];
  /** True while the filter line has the keyboard. */
  readonly editing: boolean;
}

/** What the browser can be told to do (keys are mapped to these in ui/keymap.ts). */
export type BrowserAction =
  | { readonly type: 'move'; readonly by: number }
  | { readonly type: 'page'; readonly by: 1 | -1 }
  | { readonly type: 'home' }
  | { readonly type: 'end' }
  | { readonly type: 'tab'; readonly by: number }
  | { readonly type: 'tab-to'; readonly index: number }
  | { readonly type: 'filter-open' }
  | { readonly type: 'filter-type'; readonly text: string }
  | { readonly type: 'filter-erase' }
  | { readonly type: 'filter-close'; readonly keep: boolean };

/** What the reducer needs of a table: each row's lowercase search text. */
export interface Searchable {
  readonly rows: readonly { readonly search: string }[];
}

const EMPTY_VIEW: TabView = { cursor: 0, offset: 0, filter: '', matches: null };

/** The state a browser over `tabs` tabs starts in. */
export function initialBrowserState(tabs: number): BrowserState {
  return { tab: 0, views: Array.from({ length: tabs }, () => EMPTY_VIEW), editing: false };
}

/** How many rows the current filter leaves in a tab. */
export function visibleCount(table: Searchable, view: TabView): number {
  return view.matches === null ? table.rows.length : view.matches.length;
}

/** Maps a position in the filtered list to the table's row index. */
export function rowIndexAt(view: TabView, position: number): number {
  return view.matches === null ? position : (view.matches[position] ?? -1);
}

/**
 * Returns the indexes of rows containing every space-separated term of `query` (lower-cased), looking
 * only among `within` when given (valid when the new query extends the one that produced it).
 *
 * @example filterRows(table, 'nc 8080') // rows mentioning both "nc" and "8080"
 */
export function filterRows(table: Searchable, query: string, within?: readonly number[]): number[] | null {
  const terms = query.toLowerCase().split(/\s+/).filter((t) => t !== '');
  if (terms.length === 0) return null;
  const rows = table.rows;
  const out: number[] = [];
  const test = (i: number): void => {
    const search = rows[i]?.search ?? '';
    for (const term of terms) if (!search.includes(term)) return;
    out.push(i);
  };
  if (within !== undefined) for (const i of within) test(i);
  else for (let i = 0; i < rows.length; i++) test(i);
  return out;
}

function place(view: TabView, cursor: number, count: number, height: number): TabView {
  const h = Math.max(1, height);
  const c = count === 0 ? 0 : Math.min(Math.max(0, cursor), count - 1);
  let offset = view.offset;
  if (c < offset) offset = c;
  if (c >= offset + h) offset = c - h + 1;
  offset = Math.max(0, Math.min(offset, Math.max(0, count - h)));
  return { ...view, cursor: c, offset };
}

/** Returns the view with its window moved (not its cursor) so the cursor shows in `height` rows: a terminal resize needs no action. */
export function fitView(table: Searchable, view: TabView, height: number): TabView {
  return place(view, view.cursor, visibleCount(table, view), height);
}

function withFilter(table: Searchable, view: TabView, filter: string, height: number): TabView {
  const narrows = view.matches !== null && view.filter !== '' && filter.startsWith(view.filter);
  const matches = filterRows(table, filter, narrows && view.matches !== null ? view.matches : undefined);
  const next: TabView = { ...view, filter, matches, cursor: 0, offset: 0 };
  return place(next, 0, visibleCount(table, next), height);
}

/** Applies one action, for a table area `height` rows tall; `tables` are the tabs the state was made for. */
export function reduceBrowser(tables: readonly Searchable[], state: BrowserState, action: BrowserAction, height: number): BrowserState {
  const table = tables[state.tab];
  const stored = state.views[state.tab];
  if (table === undefined || stored === undefined) return state;
  const view = fitView(table, stored, height);
  const count = visibleCount(table, view);
  const h = Math.max(1, height);
  const update = (next: TabView): BrowserState => ({ ...state, views: state.views.map((v, i) => (i === state.tab ? next : v)) });
  switch (action.type) {
    case 'move': return update(place(view, view.cursor + action.by, count, h));
    case 'page': return update(place({ ...view, offset: view.offset + action.by * h }, view.cursor + action.by * h, count, h));
    case 'home': return update(place(view, 0, count, h));
    case 'end': return update(place(view, count - 1, count, h));
    case 'tab': return { ...state, editing: false, tab: (state.tab + action.by + tables.length * 8) % tables.length };
    case 'tab-to': return action.index >= 0 && action.index < tables.length ? { ...state, editing: false, tab: action.index } : state;
    case 'filter-open': return { ...state, editing: true };
    case 'filter-type': return update(withFilter(table, view, view.filter + action.text.replace(/[\x00-\x1f\x7f]/g, ''), h));
    case 'filter-erase': return update(withFilter(table, view, [...view.filter].slice(0, -1).join(''), h));
    case 'filter-close':
      return { ...(action.keep ? state : update(withFilter(table, view, '', h))), editing: false };
  }
}
