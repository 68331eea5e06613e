/**
 * The report's timeline: the events `kustody timeline` exports (read by the timeline module's bounded
 * reader, in the same order), of which the report keeps the earliest REPORT_LIMITS.timeline, each
 * message cut to REPORT_MESSAGE_CHARS. Memory: the reader's batch and twice the kept events.
 */
import { compareEvents, TIMELINE_SOURCES, type TimelineEvent, type TimelineSource } from '../../core/timeline/index.js';
import { REPORT_LIMITS, type ReportTimelineEvent } from '../../core/report/model.js';
import type { ReadableDb } from '../store/open-store.js';
import { readTimelineEvents } from '../timeline/read-timeline-events.js';

/** Longest event message the report keeps, in characters (the rest stays in evidence.db). */
export const REPORT_MESSAGE_CHARS = 1000;

/** The report's share of the timeline: the earliest events, how many there are in all, and what could not be dated. */
export interface ReportTimeline {
  readonly events: ReportTimelineEvent[];
  readonly total: number;
  readonly source: string;
  readonly gaps: string[];
  readonly gapTotal: number;
}

/** Keeps the `limit` earliest events seen, sorting and cutting whenever twice as many are held. */
class EarliestEvents {
  private held: TimelineEvent[] = [];
  total = 0;
  constructor(private readonly limit: number) {}

  add(events: readonly TimelineEvent[]): void {
    for (const event of events) {
      this.total += 1;
      this.held.push(event.message.length > REPORT_MESSAGE_CHARS ? { ...event, message: cut(event.message) } : event);
      if (this.held.length >= 2 * this.limit) this.trim();
    }
  }

  earliest(): TimelineEvent[] {
    this.trim();
    return this.held;
  }

  private trim(): void {
    this.held.sort(compareEvents);
    this.held.length = Math.min(this.held.length, this.limit);
  }
}

function cut(message: string): string {
  let end = REPORT_MESSAGE_CHARS;
  const code = message.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  // A copy, not a slice: V8 keeps a sliced string's whole parent alive, and the parent may be a note of many MiB.
  const kept = JSON.parse(JSON.stringify(message.slice(0, end))) as string;
  return `${kept}… (cut: ${message.length - end} more characters in evidence.db)`;
}

/** The timeline events of a case for its report: the earliest `limit` (REPORT_LIMITS.timeline), in timeline order. */
export function reportTimeline(db: ReadableDb, limit: number = REPORT_LIMITS.timeline, sources: readonly TimelineSource[] = TIMELINE_SOURCES): ReportTimeline {
  const keep = new EarliestEvents(limit);
  const { gaps, gapTotal } = readTimelineEvents(db, (events) => keep.add(events), {}, sources);
  return {
    events: keep.earliest(),
    total: keep.total,
    source: 'Every dated row of the case (custody log, notes, process starts, containers, Kubernetes events and objects, log lines, audit events), UTC, as `kustody timeline` exports it.',
    gaps,
    gapTotal,
  };
}
