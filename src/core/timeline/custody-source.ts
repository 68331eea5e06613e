/** Timeline sources of the custody log: every action kustody recorded, and the responders' notes. Pure. */
import { boundMessage, textOf } from './message-text.js';
import { isoUtc } from './time-values.js';
import type { SourceRow, TimelineEvent, TimelineSource } from './timeline-event.js';

function detailOf(row: SourceRow): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(textOf(row.detail));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The few detail fields that say what an action was (a capture step, a playbook state, a change plan). */
function summaryOf(kind: string, detail: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ['step', 'plan', 'state', 'step_id', 'change_id', 'status'] as const) {
    const value = textOf(detail[key]);
    if (value !== '') parts.push(`${key}=${value}`);
  }
  if (kind === 'playbook' && textOf(detail.playbook) !== '') parts.unshift(`playbook=${textOf(detail.playbook)}`);
  return parts.join(' ');
}

/** Every custody row but notes: "kind target (outcome) by actor [summary]". */
export const custodySource: TimelineSource = {
  id: 'custody',
  reads: { actions: { table: 'actions', columns: ['seq', 'at', 'actor', 'kind', 'target', 'detail', 'outcome'], where: "kind <> 'note'" } },
  events(rows, gaps) {
    const out: TimelineEvent[] = [];
    for (const row of rows.actions ?? []) {
      const datetime = isoUtc(row.at);
      if (datetime === null) {
        gaps.push(`custody row ${textOf(row.seq)} has no valid time`);
        continue;
      }
      const kind = textOf(row.kind);
      const summary = summaryOf(kind, detailOf(row));
      const message = `${kind} ${textOf(row.target)} (${textOf(row.outcome)}) by ${textOf(row.actor)}${summary === '' ? '' : `: ${summary}`}`;
      out.push({ datetime, timestampDesc: 'Custody action', message: boundMessage(message), source: { table: 'actions', rowid: row.rowid } });
    }
    return out;
  },
};

/** The responders' notes (`case note`, `n` in the browser): the note's text. */
export const notesSource: TimelineSource = {
  id: 'notes',
  reads: { actions: { table: 'actions', columns: ['seq', 'at', 'actor', 'detail'], where: "kind = 'note'" } },
  events(rows, gaps) {
    const out: TimelineEvent[] = [];
    for (const row of rows.actions ?? []) {
      const datetime = isoUtc(row.at);
      if (datetime === null) {
        gaps.push(`note in custody row ${textOf(row.seq)} has no valid time`);
        continue;
      }
      const message = `Note by ${textOf(row.actor)}: ${textOf(detailOf(row).text)}`;
      out.push({ datetime, timestampDesc: 'Responder note', message: boundMessage(message), source: { table: 'actions', rowid: row.rowid } });
    }
    return out;
  },
};
