/**
 * Writes a timeline as Timesketch JSON lines, CSV or kustody's own JSON lines. JSON carries untrusted
 * text safely by encoding (controls, bidi and invisibles as \uXXXX); CSV is read by people and
 * spreadsheets, so its cells show them in kustody's escape notation and a cell that a spreadsheet
 * would run as a formula gets a leading apostrophe. Pure.
 */
import { composedText, escapeUntrusted, toSafeJson, UNBOUNDED, type DisplayText } from '../display/index.js';
import type { TimelineEvent } from './timeline-event.js';

/** The output formats of `kustody timeline`. */
export const TIMELINE_FORMATS = ['timesketch', 'csv', 'jsonl'] as const;
/** One of TIMELINE_FORMATS. */
export type TimelineFormat = (typeof TIMELINE_FORMATS)[number];

/** Timesketch's documented datetime form: ISO 8601 with an explicit +00:00 offset. */
function timesketchDatetime(iso: string): string {
  return iso.endsWith('Z') ? `${iso.slice(0, -1)}+00:00` : iso;
}

/** One event as the fields Timesketch imports: its three required ones, `timestamp` (µs) and kustody's attributes. */
export function timesketchRecord(event: TimelineEvent): Record<string, string | number> {
  const record: Record<string, string | number> = {
    message: event.message,
    datetime: timesketchDatetime(event.datetime),
    timestamp_desc: event.timestampDesc,
    timestamp: Date.parse(event.datetime) * 1000,
    kustody_table: event.source.table,
    kustody_rowid: event.source.rowid,
  };
  if (event.source.line !== undefined) record.kustody_line = event.source.line;
  if (event.derived !== undefined) record.kustody_derived = event.derived;
  return record;
}

/** One Timesketch JSON line (no trailing newline). */
export function timesketchLine(event: TimelineEvent): DisplayText {
  return toSafeJson(timesketchRecord(event));
}

/** One line of kustody's own JSON lines: the TimelineEvent as it is. */
export function jsonlLine(event: TimelineEvent): DisplayText {
  return toSafeJson(event);
}

/** The CSV columns, Timesketch's names first so the file imports there too. */
export const CSV_COLUMNS = ['message', 'datetime', 'timestamp_desc', 'timestamp', 'kustody_table', 'kustody_rowid', 'kustody_line', 'kustody_derived'] as const;

/**
 * A cell a spreadsheet may run as a formula: one starting with = + - @ (a tab or CR is escaped before
 * this test), also after leading spaces (some importers trim them) and in the full-width forms some
 * locales read as the same operators.
 */
const FORMULA_START = /^\s*[=+\-@\uff1d\uff0b\uff0d\uff20]/u;

/** One CSV cell: escaped for people, neutralised for spreadsheets, quoted per RFC 4180. */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  let text = typeof value === 'number' ? String(value) : escapeUntrusted(value, UNBOUNDED);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV header line. */
export function csvHeader(): DisplayText {
  return composedText(CSV_COLUMNS.join(','));
}

/** One CSV record (no line ending); every cell is escaped, so the line is safe on a terminal. */
export function csvLine(event: TimelineEvent): DisplayText {
  const record = timesketchRecord(event);
  return composedText(CSV_COLUMNS.map((column) => csvCell(record[column])).join(','));
}

/** The whole timeline in a format, one line per event (CSV with its header first), without line endings. */
export function* formatTimeline(events: Iterable<TimelineEvent>, format: TimelineFormat): Generator<DisplayText> {
  if (format === 'csv') yield csvHeader();
  const line = format === 'csv' ? csvLine : format === 'timesketch' ? timesketchLine : jsonlLine;
  for (const event of events) yield line(event);
}
