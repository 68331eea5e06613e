/**
 * The report's timeline. Until the timeline module (src/core/timeline) lands, the custody log and the
 * capture start/end times; `reportTimeline` is the one place to swap for its `buildTimeline`.
 */
import { summarizeAction } from '../../core/report/custody-summary.js';
import type { CaseFacts } from '../../core/findings/types.js';
import type { ReportTimelineEvent } from '../../core/report/model.js';

/** The timeline events of a case, sorted by time then source, and a sentence saying what they cover. */
export function reportTimeline(facts: CaseFacts): { events: ReportTimelineEvent[]; source: string } {
  const events: ReportTimelineEvent[] = [];
  for (const a of facts.actions) events.push({ datetime: a.at, timestampDesc: 'Custody action', message: `${a.kind} ${a.target}: ${summarizeAction(a.kind, a.outcome, a.detail, 200)}`, source: { table: 'actions', rowid: a.seq } });
  for (const c of facts.captures) {
    if (typeof c.started_at === 'string') events.push({ datetime: c.started_at, timestampDesc: 'Capture start', message: `capture ${String(c.capture_id)} of ${String(c.target)}`, source: { table: 'captures', rowid: c.rowid } });
  }
  events.sort((x, y) => (x.datetime < y.datetime ? -1 : x.datetime > y.datetime ? 1 : x.source.table < y.source.table ? -1 : x.source.table > y.source.table ? 1 : x.source.rowid - y.source.rowid));
  return { events, source: 'Custody log and capture start times (UTC, the responder machine\'s clock).' };
}
