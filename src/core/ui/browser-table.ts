// The browser's table model: columns that share the terminal width, and rows whose cells are
// escaped once up front with a lowercase search string beside them; pure, no I/O.
import { escapeUntrusted, trusted, type DisplayText } from '../display/index.js';

/** One column: a fixed width, or a share of what the fixed ones leave. */
export interface Column {
  readonly title: DisplayText;
  readonly width: number;
  /** When set, the column also takes this share of the spare width. */
  readonly grow?: number;
  readonly align?: 'left' | 'right';
}

/** One labelled value in the detail pane. */
export interface DetailLine {
  readonly label: DisplayText;
  readonly value: DisplayText;
}

/** A row of evidence by its table and SQLite rowid (what findings and links name). */
export interface EvidenceRef {
  readonly table: string;
  readonly rowid: number;
}

/** A row another row leads to, and how the link reads. */
export interface RowLink {
  readonly label: DisplayText;
  readonly ref: EvidenceRef;
}

/** What a row is and where it leads, besides its cells. */
export interface RowMeta {
  readonly ref?: EvidenceRef;
  readonly links?: () => readonly RowLink[];
}

/** One row: escaped cells, what a filter matches against, and the detail pane built on demand. */
export interface BrowserRow extends RowMeta {
  readonly cells: readonly DisplayText[];
  /** The escaped cells (and any extra searchable text) in lower case, joined. */
  readonly search: string;
  readonly detail: () => readonly DetailLine[];
}

/** One tab of the browser. */
export interface BrowserTable {
  readonly id: string;
  /** The SQLite table its rows come from, when they are rows of one (what EvidenceRef.table names). */
  readonly source?: string;
  readonly title: DisplayText;
  /** A short title for narrow terminals. */
  readonly short: DisplayText;
  readonly columns: readonly Column[];
  /** The rows, built (escaped and indexed) on first access. */
  readonly rows: readonly BrowserRow[];
  /** How many rows there are, known without building them. */
  readonly count: number;
  /** Shown instead of the table when it has no rows. */
  readonly empty: DisplayText;
}

/** A hostile value as the browser stores it: one line, bounded, escaped. */
export type CellValue = string | number | bigint | boolean | null | undefined;

const CELL_BYTES = 1024;
const DETAIL_BYTES = 8192;

/** Escapes one value for a cell (bounded to 1 KiB; null shows as empty). */
export function cell(value: CellValue): DisplayText {
  if (value === null || value === undefined) return trusted('');
  return escapeUntrusted(String(value), { maxBytes: CELL_BYTES });
}

/** Escapes one value for the detail pane (bounded to 8 KiB; null shows as `-`). */
export function detailValue(value: CellValue): DisplayText {
  if (value === null || value === undefined || value === '') return trusted('-');
  return escapeUntrusted(String(value), { maxBytes: DETAIL_BYTES });
}

/**
 * Builds a row whose cells and search text are escaped on first use (a screen shows a few dozen rows;
 * the search text of all of them is built in the background or at the first filter key).
 */
export function makeRow(cellsOf: () => readonly DisplayText[], detail: () => readonly DetailLine[], extraSearch?: () => readonly DisplayText[], meta: RowMeta = {}): BrowserRow {
  let cells: readonly DisplayText[] | null = null;
  let search: string | null = null;
  return {
    ...meta,
    get cells(): readonly DisplayText[] {
      cells ??= cellsOf();
      return cells;
    },
    get search(): string {
      if (search === null) {
        const extra = extraSearch?.() ?? [];
        search = (extra.length === 0 ? this.cells.join('\u0001') : `${this.cells.join('\u0001')}\u0001${extra.join('\u0001')}`).toLowerCase();
      }
      return search;
    },
    detail,
  };
}

/** Makes a table whose rows are built on first access: the first screen only pays for the tab it shows. */
export function lazyTable(meta: Omit<BrowserTable, 'rows' | 'count'>, count: number, build: () => BrowserRow[]): BrowserTable {
  let rows: BrowserRow[] | null = null;
  return {
    ...meta,
    count,
    get rows(): readonly BrowserRow[] {
      rows ??= build();
      return rows;
    },
  };
}

/**
 * Shares `total` columns between the columns: fixed widths first (one space between columns), the
 * rest split by `grow`; when even the fixed widths do not fit, the widest column gives up one column
 * at a time until the row fits.
 *
 * @example layoutColumns([{width: 5}, {width: 10, grow: 1}], 40) // [5, 34]
 */
export function layoutColumns(columns: readonly Pick<Column, 'width' | 'grow'>[], total: number): number[] {
  const gaps = Math.max(0, columns.length - 1);
  const widths = columns.map((c) => Math.max(1, c.width));
  const growTotal = columns.reduce((sum, c) => sum + (c.grow ?? 0), 0);
  let spare = total - gaps - widths.reduce((a, b) => a + b, 0);
  if (spare > 0 && growTotal > 0) {
    let given = 0;
    const growing = columns.map((c, i) => ({ i, grow: c.grow ?? 0 })).filter((c) => c.grow > 0);
    growing.forEach(({ i, grow }, k) => {
      const share = k === growing.length - 1 ? spare - given : Math.floor((spare * grow) / growTotal);
      widths[i] = (widths[i] ?? 0) + share;
      given += share;
    });
    return widths;
  }
  // Too narrow: take columns down one at a time from the widest, never below 1.
  while (spare < 0) {
    let widest = 0;
    widths.forEach((w, i) => {
      if (w > (widths[widest] ?? 0)) widest = i;
    });
    const w = widths[widest] ?? 1;
    if (w <= 1) break;
    widths[widest] = w - 1;
    spare += 1;
  }
  return widths;
}
