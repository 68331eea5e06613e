/** Response steps planned but not done: playbook steps whose run stopped before them. */
import { asArray, asObject, asString } from '../json-fields.js';
import { makeFinding } from '../make-finding.js';
import type { ActionFact, Finding, FindingRule } from '../types.js';

interface RunState {
  planned: ActionFact;
  playbook: string;
  steps: string[];
  last: Map<string, ActionFact>;
}

/** One finding per step of the latest non-dry-run playbook run (per playbook and pod) that did not reach `done`. */
export const openChecklistItemRule: FindingRule = {
  id: 'open-checklist-item',
  describes: 'playbook steps planned in the latest run that are not done (failed, declined, interrupted or never reached)',
  derive(facts) {
    const runs = new Map<string, RunState>();
    const latestRun = new Map<string, string>();
    for (const a of facts.actions) {
      if (a.kind !== 'playbook') continue;
      const detail = asObject(a.detail);
      const runId = asString(detail.run_id);
      if (runId === null) continue;
      if (detail.state === 'planned' && detail.dry_run !== true) {
        const playbook = asString(detail.playbook) ?? '?';
        runs.set(runId, { planned: a, playbook, steps: asArray(detail.steps).filter((s): s is string => typeof s === 'string'), last: new Map() });
        latestRun.set(`${playbook}|${a.target}`, runId);
      }
      const step = asString(detail.step_id);
      const run = runs.get(runId);
      if (run !== undefined && step !== null) run.last.set(step, a);
    }
    const findings: Finding[] = [];
    for (const runId of latestRun.values()) {
      const run = runs.get(runId)!;
      for (const step of run.steps) {
        const last = run.last.get(step);
        const state = last === undefined ? 'not reached' : asString(asObject(last.detail).state) ?? last.outcome;
        if (state === 'done') continue;
        findings.push(makeFinding('open-checklist-item', {
          key: `${runId}|${step}`,
          severity: state === 'failed' ? 'medium' : 'low',
          title: `Playbook ${run.playbook} step ${step} is open (${state})`,
          detail: `Run ${runId} on ${run.planned.target} planned this step; its last state is ${state}. Resume with \`kustody run … --resume\` or record why it was skipped (\`kustody case note\`).`,
          evidence: [{ table: 'actions', rowid: (last ?? run.planned).seq }],
          at: (last ?? run.planned).at,
        }));
      }
    }
    return findings;
  },
};
