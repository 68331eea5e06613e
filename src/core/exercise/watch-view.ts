/**
 * The facilitator's view of an exercise, built from the exercise log and the case's custody log: the
 * inject timeline (fired, requested, due at minute N, waiting for an event), what the attacker did
 * (refusals marked), what the team has found and done, hints given and the running score. Pure: rows
 * in, view out; `watch-lines.ts` turns it into escaped lines, the UI and `watch --json` only render it.
 */
import { elapsedMinutes, eventOfRow } from './schedule.js';
import type { Scenario, ScenarioEvent } from './scenario-types.js';
import { foldScoreFacts, SIMULATED_CAPTURE_STEP, SIMULATED_OUTCOME, type ScoreCustodyRow } from './score-facts.js';
import { scoreExercise } from './score.js';

/** An exercise log row as the view reads it (detail parsed). */
export interface WatchEventRow {
  seq: number;
  at: string;
  kind: string;
  name: string;
  outcome: string;
  detail: Record<string, unknown>;
}

/** A custody row as the view lists it: scoring's row without its detail. */
export type WatchCustodyRow = Omit<ScoreCustodyRow, 'detail'>;

/** What the watch has read of the case's custody log so far (the adapter keeps it bounded). */
export interface WatchCustody {
  /** Rows the team summary and the score read (`isWatchedRow`), detail parsed. */
  kept: ScoreCustodyRow[];
  /** The newest rows of any kind, oldest first. */
  recent: WatchCustodyRow[];
  /** Custody rows read so far. */
  total: number;
  /** Why the summary and score are not the whole case (rows too large or too many to keep), or null. */
  partial: string | null;
}

/** The exercise row as the view reads it. */
export interface WatchExercise {
  id: number;
  scenario_id: string;
  namespace: string;
  started_at: string;
  stopped_at: string | null;
  minute_seconds: number;
}

/** Everything the view is built from. */
export interface WatchInput {
  exercise: WatchExercise;
  scenario: Scenario;
  events: WatchEventRow[];
  custody: WatchCustody;
  /** Findings derived from the case, or null when not computed. */
  findings: number | null;
  now: string;
  attackerRunning: boolean;
  /** Bounds the attacker and team lists (newest kept); 10 unless told. */
  limit?: number;
}

/** One inject on the timeline. */
export interface WatchInject {
  key: number;
  id: string;
  /** `minute N` or `on EVENT`, as the scenario schedules it. */
  when: string;
  message: string;
  state: 'fired' | 'requested' | 'due' | 'waiting';
  firedAt: string | null;
  /** How it fired: `at minute N`, `on EVENT`, `by the facilitator`. */
  trigger: string | null;
  /** Scenario minutes until a pending minute inject is due (0 when overdue), else null. */
  dueIn: number | null;
  hasAction: boolean;
}

/** What the team has found and done, from the custody log. */
export interface WatchTeam {
  rows: number;
  captures: string[];
  isolated: string[];
  podsDeleted: string[];
  revocations: number;
  provenDead: string[];
  stillValid: string[];
  checklistTicks: number;
  notes: number;
  exports: number;
  sweptObjects: number;
  findings: number | null;
  events: Array<{ event: ScenarioEvent; at: string; seq: number }>;
  /** The newest rows, consecutive rows of one kind, target and actor folded into the last of them (`count`). */
  recent: Array<WatchCustodyRow & { count: number }>;
  partial: string | null;
}

/** What the facilitator sees. */
export interface WatchView {
  exercise: number;
  scenarioId: string;
  title: string;
  namespace: string;
  startedAt: string;
  stoppedAt: string | null;
  minute: number;
  durationMinutes: number;
  attackerRunning: boolean;
  /** Set when the exercise log records its runner (attacker or replay process) found dead. */
  interrupted: { at: string; message: string } | null;
  injects: WatchInject[];
  attacker: Array<{ seq: number; at: string; name: string; outcome: string; refused: boolean; what: string }>;
  attackerActions: number;
  attackerRefused: number;
  team: WatchTeam;
  hints: Array<{ id: string; cost: number; text: string; givenAt: string | null }>;
  hintCost: number;
  score: { total: number; max: number; objectivesMet: number; objectives: number; provisional: boolean } | null;
}

/** Custody kinds that are bookkeeping rather than something the team did. */
const QUIET_KINDS = new Set(['case-open', 'plan']);

/** Whether the summary and the score read this custody row (so the adapter keeps it, detail and all). */
export function isWatchedRow(kind: string, outcome: string, detail: unknown): boolean {
  if (['contain', 'revoke', 'export', 'note', 'check'].includes(kind)) return true;
  if (kind !== 'observe') return false;
  const d = detail !== null && typeof detail === 'object' ? detail as Record<string, unknown> : {};
  return outcome === 'complete' || d.step === 'capture-end' || d.step === SIMULATED_CAPTURE_STEP || d.sweep === 'persistence';
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function interruptionOf(events: WatchInput['events']): WatchView['interrupted'] {
  const died = events.find((e) => e.kind === 'error' && e.name === 'runner-died');
  return died === undefined ? null : { at: died.at, message: text(died.detail.message) || `the runner died at or before ${died.at}` };
}

/** Builds the view. */
export function buildWatchView(input: WatchInput): WatchView {
  const { exercise, scenario, events, custody } = input;
  const limit = input.limit ?? 10;
  const end = exercise.stopped_at ?? input.now;
  const minute = Math.max(0, elapsedMinutes(exercise.started_at, end, exercise.minute_seconds));
  const seen = new Map<ScenarioEvent, { at: string; seq: number }>();
  for (const row of custody.kept) {
    const event = eventOfRow(row, exercise.namespace);
    if (event !== null && !seen.has(event)) seen.set(event, { at: row.at, seq: row.seq });
  }
  const given = new Map<string, string>();
  for (const e of events) if (e.kind === 'hint' && !given.has(e.name)) given.set(e.name, e.at);
  const hints = scenario.hints.map((h) => ({ id: h.id, cost: h.cost, text: h.text, givenAt: given.get(h.id) ?? null }));
  const actions = events.filter((e) => e.kind === 'attacker-action');
  const refused = (outcome: string) => outcome === 'refused';
  return {
    exercise: exercise.id,
    scenarioId: exercise.scenario_id,
    title: scenario.title,
    namespace: exercise.namespace,
    startedAt: exercise.started_at,
    stoppedAt: exercise.stopped_at,
    minute: Math.floor(minute),
    durationMinutes: scenario.durationMinutes,
    attackerRunning: input.attackerRunning,
    interrupted: interruptionOf(events),
    injects: scenario.injects.map((inj, i) => injectLine(inj, i + 1, events, seen, minute, exercise.namespace)),
    attacker: actions.slice(-limit).map((e) => ({ seq: e.seq, at: e.at, name: e.name, outcome: e.outcome, refused: refused(e.outcome), what: text(e.detail.description) || text(e.detail.error) })),
    attackerActions: actions.length,
    attackerRefused: actions.filter((e) => refused(e.outcome)).length,
    team: teamOf(custody, events, input.findings, seen, limit),
    hints,
    hintCost: hints.filter((h) => h.givenAt !== null).reduce((sum, h) => sum + h.cost, 0),
    score: scoreOf(input),
  };
}

function injectLine(inj: Scenario['injects'][number], key: number, events: WatchEventRow[], seen: Map<ScenarioEvent, unknown>, minute: number, namespace: string): WatchInject {
  const fired = events.find((e) => e.kind === 'inject' && e.name === inj.id && e.outcome === 'fired');
  const requested = events.some((e) => e.kind === 'inject' && e.name === inj.id && e.outcome === 'requested');
  const atMinute = 'minute' in inj.at ? inj.at.minute : null;
  const base = {
    key, id: inj.id, when: atMinute !== null ? `minute ${atMinute}` : `on ${'event' in inj.at ? inj.at.event : ''}`,
    message: fired !== undefined && typeof fired.detail.message === 'string' ? fired.detail.message : inj.message.replaceAll('${{ namespace }}', namespace),
    hasAction: inj.action !== null,
  };
  if (fired !== undefined) return { ...base, state: 'fired', firedAt: fired.at, trigger: describeTrigger(fired.detail.trigger), dueIn: null };
  if (requested) return { ...base, state: 'requested', firedAt: null, trigger: null, dueIn: null };
  if (atMinute !== null) return { ...base, state: 'due', firedAt: null, trigger: null, dueIn: Math.max(0, Math.ceil(atMinute - minute)) };
  const event = 'event' in inj.at ? inj.at.event : null;
  return { ...base, state: event !== null && seen.has(event) ? 'due' : 'waiting', firedAt: null, trigger: null, dueIn: event !== null && seen.has(event) ? 0 : null };
}

function describeTrigger(trigger: unknown): string {
  if (trigger === null || typeof trigger !== 'object') return 'fired';
  const t = trigger as Record<string, unknown>;
  if (typeof t.event === 'string') return `on ${t.event}`;
  if (t.by === 'facilitator') return 'by the facilitator';
  if (typeof t.minute === 'number') return `at minute ${t.minute}`;
  return 'fired';
}

function teamOf(custody: WatchCustody, events: WatchEventRow[], findings: number | null, seen: Map<ScenarioEvent, { at: string; seq: number }>, limit: number): WatchTeam {
  const facts = foldScoreFacts(custody.kept, events.map((e) => ({ ...e, detail: e.detail as unknown })));
  const unique = (values: string[]) => [...new Set(values)];
  return {
    rows: custody.total,
    captures: unique(facts.captures.map((c) => c.pod)),
    isolated: unique(facts.planRows.filter((r) => r.plan === 'isolate').map((r) => r.pod)),
    podsDeleted: unique(facts.podDeletions.map((d) => d.pod)),
    revocations: custody.kept.filter((r) => r.kind === 'revoke' && ['applied', 'already-in-effect', 'deletion-under-way', SIMULATED_OUTCOME].includes(r.outcome)).length,
    provenDead: unique(facts.tokenVerdicts.flatMap((v) => v.revoked)),
    stillValid: unique(facts.tokenVerdicts.flatMap((v) => v.stillValid)),
    checklistTicks: custody.kept.filter((r) => r.kind === 'check' && r.outcome === 'ticked').length,
    notes: custody.kept.filter((r) => r.kind === 'note').length,
    exports: facts.exports.length,
    sweptObjects: facts.swept.length,
    findings,
    events: [...seen.entries()].map(([event, where]) => ({ event, ...where })).sort((a, b) => a.seq - b.seq),
    recent: foldRuns(custody.recent.filter((r) => !QUIET_KINDS.has(r.kind))).slice(-limit),
    partial: custody.partial,
  };
}

/** Folds consecutive rows of one kind, target and actor (a capture's steps) into the last of them, counted. */
function foldRuns(rows: WatchCustodyRow[]): Array<WatchCustodyRow & { count: number }> {
  const out: Array<WatchCustodyRow & { count: number }> = [];
  for (const row of rows) {
    const last = out.at(-1);
    if (last !== undefined && last.kind === row.kind && last.target === row.target && last.actor === row.actor) out[out.length - 1] = { ...row, count: last.count + 1 };
    else out.push({ ...row, count: 1 });
  }
  return out;
}

function scoreOf(input: WatchInput): WatchView['score'] {
  if (input.custody.partial !== null) return null;
  const { exercise } = input;
  const card = scoreExercise({
    scenario: input.scenario,
    exercise: { id: exercise.id, namespace: exercise.namespace, startedAt: exercise.started_at, stoppedAt: exercise.stopped_at, minuteSeconds: exercise.minute_seconds },
    custody: input.custody.kept,
    events: input.events,
  });
  return { total: card.total, max: card.max, objectivesMet: card.objectivesMet, objectives: card.objectives, provisional: card.provisional };
}
