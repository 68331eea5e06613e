/**
 * The timeline's sources, one line each: add yours here (the adapter reads what its `reads` name,
 * and a table an older case lacks reads as empty).
 */
import { auditSource } from './audit-source.js';
import { custodySource, notesSource } from './custody-source.js';
import { containerSource, kubeEventSource, objectSource } from './kube-sources.js';
import { logLineSource } from './log-source.js';
import { processStartSource } from './process-source.js';
import type { TimelineSource } from './timeline-event.js';

/** Every source a timeline is built from, in no particular order (events are sorted afterwards). */
export const TIMELINE_SOURCES: readonly TimelineSource[] = [
  custodySource,
  notesSource,
  processStartSource,
  containerSource,
  kubeEventSource,
  objectSource,
  logLineSource,
  auditSource,
];
