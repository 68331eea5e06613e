/** A change plan as the responder reviews it before confirming: each change with why, and the exact object or patch. */
import { describeRef, type ChangePlan } from '../core/changes/change.js';
import { display, escapeUntrusted, type DisplayText } from '../core/display/index.js';

/** The plan as terminal lines, every cluster-derived string escaped. */
export function describePlan(plan: ChangePlan): DisplayText[] {
  const lines: DisplayText[] = [display`Plan: ${escapeUntrusted(plan.kind)} ${escapeUntrusted(plan.target)} (case ${escapeUntrusted(plan.caseId)})`];
  for (const [i, c] of plan.changes.entries()) {
    lines.push(display`  ${i + 1}. ${escapeUntrusted(c.title)}`);
    lines.push(display`     why: ${escapeUntrusted(c.why)}`);
    const body = c.change.action === 'create' ? c.change.object : c.change.action === 'patch' ? c.change.ops : { delete: describeRef(c.change.target), preconditions: { uid: c.change.uid, resourceVersion: c.change.resourceVersion } };
    for (const line of JSON.stringify(body, null, 2).split('\n')) lines.push(display`       ${escapeUntrusted(line)}`);
  }
  for (const note of plan.report) lines.push(display`  ! ${escapeUntrusted(note)}`);
  return lines;
}
