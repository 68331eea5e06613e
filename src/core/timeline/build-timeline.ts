/** Builds one UTC timeline from the rows of a case: every source's events, filtered to a range and sorted. Pure. */
import { TIMELINE_SOURCES } from './sources.js';
import { parseIsoTime } from './time-values.js';
import type { Timeline, TimelineEvent, TimelineFacts, TimelineSource } from './timeline-event.js';

/** The range a timeline keeps, both ends inclusive, as epoch milliseconds. */
export interface TimelineRange {
  since?: number;
  until?: number;
}

/** Orders events by time, then source table, row id and line, so equal inputs give equal output. */
export function compareEvents(a: TimelineEvent, b: TimelineEvent): number {
  if (a.datetime !== b.datetime) return a.datetime < b.datetime ? -1 : 1;
  if (a.source.table !== b.source.table) return a.source.table < b.source.table ? -1 : 1;
  if (a.source.rowid !== b.source.rowid) return a.source.rowid - b.source.rowid;
  return (a.source.line ?? 0) - (b.source.line ?? 0);
}

/** The events of every source within `range`, sorted, with what could not be dated, built in memory from facts already read (the commands read through the bounded reader in src/adapters/timeline instead). */
export function buildTimelineWithGaps(facts: TimelineFacts, range: TimelineRange = {}, sources: readonly TimelineSource[] = TIMELINE_SOURCES): Timeline {
  const gaps: string[] = [];
  const events: TimelineEvent[] = [];
  for (const source of sources) {
    for (const event of source.events(facts[source.id] ?? {}, gaps)) {
      const ms = parseIsoTime(event.datetime);
      if (ms === null) continue;
      if (range.since !== undefined && ms < range.since) continue;
      if (range.until !== undefined && ms > range.until) continue;
      events.push(event);
    }
  }
  events.sort(compareEvents);
  return { events, gaps };
}

/** The events of every source within `range` (`since`/`until` as ISO 8601 strings or epoch ms), sorted by datetime then source. */
export function buildTimeline(facts: TimelineFacts, options: { since?: string | number; until?: string | number } = {}, sources: readonly TimelineSource[] = TIMELINE_SOURCES): TimelineEvent[] {
  const bound = (value: string | number | undefined) => (value === undefined ? undefined : typeof value === 'number' ? value : parseIsoTime(value) ?? undefined);
  return buildTimelineWithGaps(facts, { since: bound(options.since), until: bound(options.until) }, sources).events;
}
