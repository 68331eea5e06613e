/** One line saying what a custody row did, from its kind and detail (a note's text, a change's title and outcome, a capture step). */
import type { JsonValue } from '../custody/canonical-json.js';
import { asArray, asObject, asString } from '../findings/json-fields.js';

/** The summary of one custody row, at most `max` characters before escaping. */
export function summarizeAction(kind: string, outcome: string, detail: JsonValue, max = 300): string {
  const d = asObject(detail);
  let line: string;
  if (kind === 'note') line = `note: ${asString(d.text) ?? ''}`;
  else if (kind === 'playbook') line = `playbook ${asString(d.state) ?? outcome}${asString(d.step_id) !== null ? ` step ${asString(d.step_id)}` : ''}`;
  else if (kind === 'plan') line = `plan ${asString(d.plan) ?? '?'}: ${outcome}${Array.isArray(d.changes) ? `, ${asArray(d.changes).length} change(s)` : ''}`;
  else if (asString(d.title) !== null) line = `${asString(d.plan) ?? kind} change "${asString(d.title)}": ${outcome}`;
  else if (asString(d.step) !== null) line = `${asString(d.step)}: ${outcome}`;
  else line = `${kind}: ${outcome}`;
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
