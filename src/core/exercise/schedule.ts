/**
 * The exercise's clock: which attacker actions and injects are due, given the minutes elapsed, what
 * already ran, and the events the team's custody log shows; and those events derived from custody
 * rows. Pure: the attacker process feeds it rows and acts on the answer.
 */
import type { Scenario, ScenarioEvent, ScenarioTime } from './scenario-types.js';

/** One thing due now: an attacker action or an inject, by id. */
export interface DueItem {
  type: 'action' | 'inject';
  id: string;
}

/** What the clock knows. */
export interface ClockState {
  elapsedMinutes: number;
  /** Action ids already run (whatever their outcome) and inject ids already fired. */
  doneActions: ReadonlySet<string>;
  firedInjects: ReadonlySet<string>;
  events: ReadonlySet<ScenarioEvent>;
}

function isDue(at: ScenarioTime, state: ClockState): boolean {
  return 'minute' in at ? state.elapsedMinutes >= at.minute : state.events.has(at.event);
}

/** Every action and inject due and not yet done, in the scenario's order (actions first at equal times). */
export function dueItems(scenario: Scenario, state: ClockState): DueItem[] {
  const due: Array<DueItem & { order: number }> = [];
  scenario.actions.forEach((a, i) => {
    if (!state.doneActions.has(a.id) && isDue(a.at, state)) due.push({ type: 'action', id: a.id, order: i });
  });
  scenario.injects.forEach((inj, i) => {
    if (!state.firedInjects.has(inj.id) && isDue(inj.at, state)) due.push({ type: 'inject', id: inj.id, order: 1000 + i });
  });
  return due.sort((a, b) => a.order - b.order).map(({ type, id }) => ({ type, id }));
}

/** A custody log row as the clock reads it. */
export interface CustodyRowFacts {
  seq: number;
  at: string;
  kind: string;
  target: string;
  outcome: string;
  detail: unknown;
}

function field(detail: unknown, key: string): unknown {
  return detail !== null && typeof detail === 'object' ? (detail as Record<string, unknown>)[key] : undefined;
}

/** The scenario event a custody row shows for pods in `namespace`, or null. */
export function eventOfRow(row: CustodyRowFacts, namespace: string): ScenarioEvent | null {
  const podPrefix = `pod:${namespace}/`;
  const planTarget = String(field(row.detail, 'plan_target') ?? '');
  const plan = field(row.detail, 'plan');
  // `simulated`: a step `exercise replay` played without a cluster fires the same events.
  const applied = row.outcome === 'applied' || row.outcome === 'unverified' || row.outcome === 'simulated';
  if (row.kind === 'contain' && applied && planTarget.startsWith(podPrefix)) {
    if (plan === 'isolate') return 'pod-isolated';
    if (plan === 'release') return 'pod-released';
  }
  if (row.kind === 'observe' && (row.outcome === 'complete' || row.outcome === 'simulated') && row.target.startsWith(podPrefix)) return 'capture-completed';
  if (row.kind === 'revoke' && field(row.detail, 'step') === 'verify-tokens' && (row.outcome === 'revoked' || row.outcome === 'simulated') && row.target.includes(`${namespace}/`)) return 'identity-revoked';
  if (row.kind === 'revoke' && applied) {
    const change = field(row.detail, 'change');
    const target = field(change, 'target');
    if (field(change, 'action') === 'delete' && field(target, 'kind') === 'Pod' && field(target, 'namespace') === namespace) return 'pod-deleted';
  }
  return null;
}

/** Every event the rows show, with the first time each was seen. */
export function eventsOf(rows: Iterable<CustodyRowFacts>, namespace: string): Map<ScenarioEvent, { at: string; seq: number }> {
  const seen = new Map<ScenarioEvent, { at: string; seq: number }>();
  for (const row of rows) {
    const event = eventOfRow(row, namespace);
    if (event !== null && !seen.has(event)) seen.set(event, { at: row.at, seq: row.seq });
  }
  return seen;
}

/** Scenario minutes elapsed between two ISO times. */
export function elapsedMinutes(startedAt: string, now: string, minuteSeconds: number): number {
  return (Date.parse(now) - Date.parse(startedAt)) / 1000 / minuteSeconds;
}
