/**
 * Container log lines. Logs are read with `timestamps=true`, so each line starts with the RFC 3339
 * time the runtime stamped it with; that time is the event's. A line without one (a cut last line,
 * a line continued past the cap) is left off and counted. The same line (same container, stamp and
 * text) read in several captures is one event. Pure.
 */
import { escapeBytes } from '../evidence/parsers/byte-text.js';
import { boundMessage, textOf } from './message-text.js';
import { isoUtc } from './time-values.js';
import type { TimelineEvent, TimelineSource } from './timeline-event.js';

const STAMPED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) ?(.*)$/s;
const LOG_SOURCE = /^pods\/([^/]+)\/([^/]+)\/log\?container=([^&]*)(&previous=true)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function textOfBytes(content: unknown): string {
  if (!(content instanceof Uint8Array)) return '';
  try {
    return utf8.decode(content);
  } catch {
    // Invalid UTF-8 is written \xNN (and backslashes doubled), so nothing is silently replaced.
    return escapeBytes(content).text;
  }
}

/** One event per stamped line of every stored container log. */
export const logLineSource: TimelineSource = {
  id: 'log-lines',
  reads: { logs: { table: 'artifacts', columns: ['source', 'content'], where: "source LIKE 'pods/%/log?container=%' AND content IS NOT NULL" } },
  events(rows, gaps) {
    const out: TimelineEvent[] = [];
    const seen = new Set<string>();
    let unstamped = 0;
    for (const row of rows.logs ?? []) {
      const where = LOG_SOURCE.exec(textOf(row.source));
      if (where === null) continue;
      const label = `${where[3] ?? ''} of ${where[1] ?? ''}/${where[2] ?? ''}${where[4] === undefined ? '' : ' (previous run)'}`;
      const lines = textOfBytes(row.content).split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      lines.forEach((line, index) => {
        const m = STAMPED.exec(line.endsWith('\r') ? line.slice(0, -1) : line);
        const datetime = m === null ? null : isoUtc(m[1]);
        if (m === null || datetime === null) {
          unstamped += 1;
          return;
        }
        const key = `${label}\0${m[1] ?? ''}\0${m[2] ?? ''}`;
        if (seen.has(key)) return;
        seen.add(key);
        out.push({ datetime, timestampDesc: 'Container log line', message: boundMessage(`${label}: ${m[2] ?? ''}`), source: { table: 'artifacts', rowid: row.rowid, line: index + 1 } });
      });
    }
    if (unstamped > 0) gaps.push(`${unstamped} container log line(s) carry no timestamp (cut by the size cap, or not stamped) and are not on the timeline`);
    return out;
  },
};
