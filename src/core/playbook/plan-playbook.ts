/**
 * Plans a whole playbook against known facts about the target: what each observe step reads or runs,
 * and the exact change plan of each contain and revoke step. The runner plans each step just before
 * it runs (against the cluster as it is then); this whole-run plan is what golden tests and reviews
 * compare. Pure.
 */
import type { ChangePlan } from '../changes/change.js';
import { planIsolation, type IsolationFacts } from '../contain/plan-isolation.js';
import { planRevocation, type RevocationFacts } from '../revoke/plan-revocation.js';
import { describeStep, describeUndo, type StepTarget } from './describe-step.js';
import type { Playbook, PlaybookStep } from './types.js';

/** What is known about the target when planning a whole run. */
export interface PlaybookFacts {
  target: StepTarget;
  isolation: IsolationFacts;
  revocation: RevocationFacts;
}

/** One step of a whole-run plan. */
export interface PlannedStep {
  id: string;
  title: string;
  why: string;
  action: PlaybookStep['action'];
  danger: PlaybookStep['danger'];
  confirm: boolean;
  needs: string[];
  verify: string | null;
  undo: string | null;
  params: PlaybookStep['params'];
  does: string[];
  changes: ChangePlan | null;
}

/** A whole-run plan. */
export interface PlaybookPlan {
  playbook: { id: string; title: string; description: string; inputs: string[] };
  target: string;
  steps: PlannedStep[];
}

/** Plans every step of `playbook` against `facts`, in order. */
export function planPlaybook(playbook: Playbook, facts: PlaybookFacts): PlaybookPlan {
  let captured = facts.revocation.captureInCase;
  const steps = playbook.steps.map((step): PlannedStep => {
    const changes = stepChanges(step, facts, captured);
    if (step.action === 'capture') captured = true;
    return {
      id: step.id, title: step.title, why: step.why, action: step.action, danger: step.danger, confirm: step.confirm, needs: step.needs,
      verify: step.verify, undo: describeUndo(step.undo), params: step.params, does: describeStep(step, facts.target), changes,
    };
  });
  const { id, title, description, inputs } = playbook;
  return { playbook: { id, title, description, inputs }, target: `${facts.target.namespace}/${facts.target.pod}`, steps };
}

/** The change plan of a contain or revoke step given the facts (release plans from the custody log, so it has none here). */
export function stepChanges(step: PlaybookStep, facts: Pick<PlaybookFacts, 'isolation' | 'revocation'>, captureInCase: boolean): ChangePlan | null {
  switch (step.action) {
    case 'isolate':
      return planIsolation(facts.isolation, step.params);
    case 'revoke':
      return planRevocation({ ...facts.revocation, captureInCase }, revocationOptions(step.params));
    default:
      return null;
  }
}

/** Maps a revoke step's params to the planner's options (a playbook never deletes an uncaptured pod). */
export function revocationOptions(params: Extract<PlaybookStep, { action: 'revoke' }>['params']) {
  return { legacyTokens: params.legacyTokens, rbac: params.rbac, rotateServiceAccount: params.rotateSa, deletePod: params.deletePod, allowUncaptured: false };
}
