/** What the evidence does not hold: captures that failed, stopped part-way or never ended, warnings, and a case with no capture at all. */
import { asArray, asObject, asString } from '../json-fields.js';
import { groupBy, makeFinding, refs, text } from '../make-finding.js';
import type { ActionFact, Finding, FindingRule } from '../types.js';

/** One finding per capture that did not complete, one per (capture, warning code), and one when nothing was captured. */
export const captureGapRule: FindingRule = {
  id: 'capture-gap',
  describes: 'captures that failed, were partial or never finished, the warnings they recorded, and cases without any capture',
  derive(facts) {
    const findings: Finding[] = [];
    const ends = new Map<string, ActionFact>();
    for (const a of facts.actions) {
      const detail = asObject(a.detail);
      if (a.kind === 'observe' && detail.step === 'capture-end') ends.set(asString(detail.capture_id) ?? '', a);
    }
    if (facts.captures.length === 0) {
      findings.push(makeFinding('capture-gap', {
        key: 'no-capture', severity: 'medium', title: 'No runtime capture in this case',
        detail: 'The case holds no capture: no processes, connections, mounts or credentials were recorded, so findings rest on the custody log alone.',
        evidence: [],
      }));
    }
    for (const capture of facts.captures) {
      const id = text(capture.capture_id);
      const end = ends.get(id);
      const status = text(capture.status);
      if (status === 'complete' && end !== undefined) continue;
      const unfinished = end === undefined ? [] : asArray(asObject(end.detail).unfinished_steps).filter((s): s is string => typeof s === 'string');
      const notes = end === undefined ? [] : asArray(asObject(end.detail).notes).filter((s): s is string => typeof s === 'string');
      findings.push(makeFinding('capture-gap', {
        key: id,
        severity: status === 'failed' ? 'high' : 'medium',
        title: end === undefined ? `Capture ${id} of ${text(capture.target)} never finished` : `Capture ${id} of ${text(capture.target)} is ${status}`,
        detail: end === undefined ? `It started at ${text(capture.started_at)} and has no capture-end row: kustody was stopped or crashed mid-capture, so its tables may lack rows.`
          : `${unfinished.length > 0 ? `Steps not finished: ${unfinished.join(', ')}. ` : ''}${notes.slice(0, 5).join(' ')}`,
        evidence: [{ table: 'captures', rowid: capture.rowid }, ...(end !== undefined ? [{ table: 'actions', rowid: end.seq }] : [])],
        at: text(capture.started_at),
      }));
    }
    for (const [key, rows] of groupBy(facts.warnings, (w) => `${text(w.capture_id)}|${text(w.code)}`)) {
      const first = rows[0]!;
      findings.push(makeFinding('capture-gap', {
        key: `warning|${key}`,
        severity: 'low',
        title: `${rows.length} capture warning(s) ${text(first.code)} in ${text(first.target)}`,
        detail: `${text(first.step)}: ${text(first.message)}${rows.length > 1 ? ` (and ${rows.length - 1} more like it)` : ''}`,
        evidence: refs('capture_warnings', rows),
      }));
    }
    return findings;
  },
};
