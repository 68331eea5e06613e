// kustody's timeline: one UTC timeline of a case from every dated source, and its export formats.
export type { Timeline, TimelineEvent, TimelineFacts, TimelineSource, TableRead, SourceRow } from './timeline-event.js';
export { TIMELINE_SOURCES } from './sources.js';
export { buildTimeline, buildTimelineWithGaps, compareEvents, type TimelineRange } from './build-timeline.js';
export { TIMELINE_FORMATS, formatTimeline, timesketchRecord, timesketchLine, jsonlLine, csvLine, csvHeader, csvCell, CSV_COLUMNS, type TimelineFormat } from './formatters.js';
export { isoUtc, parseIsoTime } from './time-values.js';
