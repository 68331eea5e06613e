/** The report's timeline: the same one `kustody timeline` exports (src/core/timeline), read from the opened case. */
import type { ReportTimelineEvent } from '../../core/report/model.js';
import { readTimeline } from '../timeline/read-timeline-facts.js';
import type { ReadableDb } from '../store/open-store.js';

/** The timeline events of a case, sorted, what they cover, and what could not be dated. */
export function reportTimeline(db: ReadableDb): { events: ReportTimelineEvent[]; source: string; gaps: string[] } {
  const timeline = readTimeline(db);
  return {
    events: timeline.events,
    source: 'Every dated row of the case (custody log, notes, process starts, containers, Kubernetes events and objects, log lines, audit events), UTC, as `kustody timeline` exports it.',
    gaps: timeline.gaps,
  };
}
