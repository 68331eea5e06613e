/**
 * `kustody timeline CASE|BUNDLE`: one UTC timeline of a case (custody log, notes, processes, containers,
 * Kubernetes events and objects, log lines, audit events) as Timesketch JSON lines, CSV or JSON lines.
 * A bundle is verified first and refused (exit 1) unless intact, as `review` and `report` do.
 */
import { display, escapeUntrusted, trusted } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { formatTimeline, parseIsoTime, TIMELINE_FORMATS, type TimelineFormat } from '../core/timeline/index.js';
import { refusalLines } from '../core/ui/review-view.js';
import { looksLikeCase, readCaseReadOnly, readVerifiedBundle } from '../adapters/ui-data/open-review.js';
import { sortTimeline, type SortedTimeline } from '../adapters/timeline/sorted-timeline.js';
import { writeOutputFile } from '../adapters/system/write-output-file.js';
import { defaultCaseParent, type Command } from './command.js';

function rangeBound(flag: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? parseIsoTime(value) : null;
  if (ms === null) throw new UsageError(`--${flag} takes a UTC time in ISO 8601: 2026-12-07, 2026-12-07T06:00:00Z or 2026-12-07T08:00:00+02:00 (a zone is required).`);
  return ms;
}

/** `kustody timeline`: prints or writes the case's timeline. */
export const timelineCommand: Command = {
  path: ['timeline', ''],
  usage: 'kustody timeline (CASE | BUNDLE.tar) [--format timesketch|csv|jsonl] [--since T] [--until T] [-o FILE] [--pubkey KEY.pub] [--sha256 HEX]',
  summary: 'one UTC timeline of a case, for Timesketch (JSON lines), spreadsheets (CSV) or scripts (JSON lines)',
  help: [
    'Sources: the custody log, notes, process start times (derived, and marked so), container start and finish times,',
    'Kubernetes events, object creation times, container log lines, and audit events when the case has them.',
    '--format timesketch (default): JSON lines with message, datetime (ISO 8601), timestamp_desc, timestamp (µs),',
    'kustody_table and kustody_rowid (the evidence row), kustody_derived when the time was derived. Import with Timesketch\'s',
    'JSONL upload. csv: the same columns; control and invisible characters shown in kustody\'s escape notation and',
    'cells starting with = + - @ (after spaces too, or full-width) prefixed with \' so no spreadsheet runs them. jsonl: kustody\'s own TimelineEvent per line.',
    '--since/--until keep events at or after / at or before a time (ISO 8601 with a zone, or a date meaning 00:00 UTC).',
    'A bundle is verified first (as `bundle verify`, with --pubkey/--sha256) and refused with exit 1 unless intact.',
    'Without -o the timeline goes to stdout; what could not be dated is listed on stderr.',
  ].join('\n'),
  options: { format: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, output: { type: 'string', short: 'o' }, pubkey: { type: 'string' }, sha256: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, env }) {
    const v = args.values;
    const format = (v.format ?? 'timesketch') as TimelineFormat;
    if (!TIMELINE_FORMATS.includes(format)) throw new UsageError(`--format takes ${TIMELINE_FORMATS.join(', ')}.`);
    const range = { since: rangeBound('since', v.since), until: rangeBound('until', v.until) };
    if (range.since !== undefined && range.until !== undefined && range.since > range.until) throw new UsageError('--since is after --until: nothing can be in that range.');
    const sha256 = v.sha256;
    if (sha256 !== undefined && (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256))) throw new UsageError('--sha256 takes the 64 hex digits printed by `kustody bundle export` (or sha256sum).');
    const path = args.positionals[0] ?? '';
    let timeline: SortedTimeline;
    if (looksLikeCase(path)) {
      timeline = readCaseReadOnly(path, defaultCaseParent(env), (db) => sortTimeline(db, range));
    } else {
      const read = await readVerifiedBundle(path, { pubkeyPath: typeof v.pubkey === 'string' ? v.pubkey : undefined, expectedSha256: typeof sha256 === 'string' ? sha256 : undefined }, (db) => sortTimeline(db, range));
      if (!read.ok) {
        for (const line of refusalLines(read.path, read.report)) io.err(line);
        io.err(display`kustody: ${escapeUntrusted(read.path)} was refused: it is ${escapeUntrusted(read.report.status)}; no timeline was written.`);
        io.err(trusted('  next: see the findings above, or run `kustody bundle verify` on it.'));
        return read.report.status === 'unreadable' ? 2 : 1;
      }
      timeline = read.value;
    }
    try {
      const output = typeof v.output === 'string' ? v.output : undefined;
      if (output === undefined) {
        // Every line is JSON (control characters encoded) or escaped CSV: safe on a terminal.
        for (const line of formatTimeline(timeline.events(), format)) io.out(line);
      } else {
        writeOutputFile(output, (function* () {
          for (const line of formatTimeline(timeline.events(), format)) yield `${line}\n`;
        })());
        io.err(display`Wrote ${timeline.count} events to ${escapeUntrusted(output)}`);
      }
    } finally {
      timeline.close();
    }
    const { gaps, gapTotal } = timeline.gaps;
    for (const gap of gaps) io.err(display`  note: ${escapeUntrusted(gap)}`);
    if (gapTotal > gaps.length) io.err(display`  note: ${gapTotal - gaps.length} more items could not be dated.`);
    return 0;
  },
};
