/**
 * Scores an exercise from evidence: every objective and scoring rule of the scenario is measured
 * against the case's custody log and the exercise log, hints cost their points, and the mistakes a
 * scenario does not score itself are charged at fixed costs. Every item names the rows behind it.
 * Pure and deterministic: the same logs always give the same score card.
 */
import type { Measure, Scenario } from './scenario-types.js';
import { evidenceOf, foldScoreFacts, mentions, simulatedMark, type EvidenceRef, type ScoreCustodyRow, type ScoreExerciseEvent, type ScoreFacts } from './score-facts.js';
import { timingMetrics, type ScoreMetric } from './score-metrics.js';

export type { EvidenceRef, ScoreCustodyRow, ScoreExerciseEvent } from './score-facts.js';
export type { ScoreMetric } from './score-metrics.js';

/** The exercise being scored, as its log describes it. */
export interface ScoredExercise {
  id: number;
  namespace: string;
  startedAt: string;
  stoppedAt: string | null;
  /** Length of one scenario minute in seconds. */
  minuteSeconds: number;
  /** True for `exercise replay`: no cluster, the changes were simulated. */
  replay?: boolean;
}

/** Everything a score is computed from. */
export interface ScoreInput {
  scenario: Scenario;
  exercise: ScoredExercise;
  custody: readonly ScoreCustodyRow[];
  events: readonly ScoreExerciseEvent[];
}

/** One scored line: an objective or rule met or not, a mistake made or not, a hint taken. */
export interface ScoreItem {
  id: string;
  kind: 'objective' | 'mistake' | 'hint';
  text: string;
  met: boolean;
  /** Points this item adds (negative for mistakes and hints; 0 when a positive rule was not met or a mistake not made). */
  points: number;
  /** The points at stake. */
  possible: number;
  /** How the measure was decided, in words. */
  why: string;
  evidence: EvidenceRef[];
}

/** The whole score card. */
export interface ScoreCard {
  scenario: string;
  exercise: number;
  total: number;
  /** The sum of every positive rule's points. */
  max: number;
  /** Objectives met / listed. */
  objectivesMet: number;
  objectives: number;
  items: ScoreItem[];
  metrics: ScoreMetric[];
  /** True while the exercise is still running (a provisional score). */
  provisional: boolean;
  /** True when the exercise was a replay without a cluster (its changes simulated). */
  replay: boolean;
  /** Set when the exercise's runner (attacker or replay process) was found dead: the exercise log row that says so. */
  interrupted: { at: string; message: string; evidence: EvidenceRef } | null;
}

/** Costs charged for mistakes a scenario does not score with a rule of its own. */
export const DEFAULT_MISTAKE_POINTS = { 'pod-deleted-before-capture': -20, 'released-before-revoke': -15, 'unrecorded-change': -10 } as const;

interface Verdict {
  holds: boolean;
  why: string;
  evidence: EvidenceRef[];
}

const verdict = (holds: boolean, why: string, evidence: EvidenceRef[] = []): Verdict => ({ holds, why, evidence });

/** Computes the score card. */
export function scoreExercise(input: ScoreInput): ScoreCard {
  const facts = foldScoreFacts(input.custody, input.events);
  const { scenario, exercise } = input;
  const measure = (m: Measure) => evaluate(m, facts, exercise);
  const items: ScoreItem[] = [];
  const scored = new Set<string>();
  for (const rule of scenario.scoring) {
    const objective = rule.objective === null ? undefined : scenario.objectives.find((o) => o.id === rule.objective);
    const m = objective?.measure ?? rule.measure;
    if (m === null || m === undefined) continue;
    if (objective !== undefined) scored.add(objective.id);
    const v = measure(m);
    const mistake = rule.points < 0;
    items.push({ id: rule.id, kind: mistake ? 'mistake' : 'objective', text: objective?.text ?? describeMeasure(m), met: v.holds, points: v.holds ? rule.points : 0, possible: rule.points, why: v.why, evidence: v.evidence });
  }
  for (const objective of scenario.objectives.filter((o) => !scored.has(o.id))) {
    const v = measure(objective.measure);
    items.push({ id: objective.id, kind: 'objective', text: objective.text, met: v.holds, points: 0, possible: 0, why: v.why, evidence: v.evidence });
  }
  items.push(...defaultMistakes(input, facts, measure));
  items.push(...hintItems(input));
  const objectiveItems = scenario.objectives.map((o) => items.find((i) => i.kind === 'objective' && (i.id === o.id || scenario.scoring.some((r) => r.id === i.id && r.objective === o.id))));
  return {
    scenario: scenario.id, exercise: exercise.id,
    total: items.reduce((sum, i) => sum + i.points, 0),
    max: items.filter((i) => i.possible > 0).reduce((sum, i) => sum + i.possible, 0),
    objectivesMet: objectiveItems.filter((i) => i?.met === true).length, objectives: scenario.objectives.length,
    items, metrics: timingMetrics(facts, exercise, scenario), provisional: exercise.stoppedAt === null, replay: exercise.replay === true,
    interrupted: interruptionOf(input.events),
  };
}

/** The first `runner-died` error in the exercise log (the runner process found dead), or null. */
function interruptionOf(events: ScoreInput['events']): ScoreCard['interrupted'] {
  const died = events.find((e) => e.kind === 'error' && e.name === 'runner-died');
  if (died === undefined) return null;
  const detail = died.detail !== null && typeof died.detail === 'object' ? died.detail as { message?: unknown } : {};
  return { at: died.at, message: typeof detail.message === 'string' ? detail.message : `the runner died at or before ${died.at}`, evidence: { table: 'exercise_events', rowid: died.seq } };
}

/** Scenario pods: the workloads of kind Pod and the pods the attacker created, on schedule or with an inject. */
function exercisePods(input: ScoreInput): string[] {
  const names = input.scenario.workloads.filter((w) => w.object.kind === 'Pod').map((w) => w.name);
  const calls = [...input.scenario.actions, ...input.scenario.injects.flatMap((i) => (i.action === null ? [] : [i.action]))];
  for (const call of calls) if (call.do === 'create' && call.object.kind === 'Pod') names.push(String((call.object.metadata as { name?: unknown } | undefined)?.name ?? ''));
  return [...new Set(names.filter((n) => n !== ''))];
}

function defaultMistakes(input: ScoreInput, facts: ScoreFacts, measure: (m: Measure) => Verdict): ScoreItem[] {
  const ruled = (kind: string, key: string) => input.scenario.scoring.some((r) => r.measure?.kind === kind && (r.measure.pod ?? r.measure.name) === key);
  const items: ScoreItem[] = [];
  for (const pod of exercisePods(input)) {
    for (const kind of ['pod-deleted-before-capture', 'released-before-revoke'] as const) {
      if (ruled(kind, pod)) continue;
      const v = measure({ kind, pod });
      const cost = DEFAULT_MISTAKE_POINTS[kind];
      items.push({ id: `${kind}:${pod}`, kind: 'mistake', text: describeMeasure({ kind, pod }), met: v.holds, points: v.holds ? cost : 0, possible: cost, why: v.why, evidence: v.evidence });
    }
  }
  for (const gone of facts.goneAtStop) {
    const recorded = facts.changed.find((c) => c.kind === gone.kind && c.name === gone.name && (c.namespace ?? null) === (gone.namespace ?? null));
    const label = `${gone.kind} ${gone.namespace === null ? '' : `${gone.namespace}/`}${gone.name}`;
    const cost = DEFAULT_MISTAKE_POINTS['unrecorded-change'];
    items.push({
      id: `unrecorded-change:${gone.kind}/${gone.name}`, kind: 'mistake', text: `${label} was changed in the cluster without a record in the case`, met: recorded === undefined,
      points: recorded === undefined ? cost : 0, possible: cost,
      why: recorded === undefined ? `exercise stop found ${label} already gone, and no custody row records who removed it (a change made outside kustody)` : `removed by kustody (custody row ${recorded.seq})`,
      evidence: recorded === undefined ? [evidenceOf(gone)] : [evidenceOf(gone), evidenceOf(recorded)],
    });
  }
  return items;
}

function hintItems(input: ScoreInput): ScoreItem[] {
  const seen = new Set<string>();
  const items: ScoreItem[] = [];
  for (const event of input.events) {
    if (event.kind !== 'hint' || event.outcome !== 'given' || seen.has(event.name)) continue;
    seen.add(event.name);
    const hint = input.scenario.hints.find((h) => h.id === event.name);
    const recordedCost = (event.detail as { cost?: unknown } | null)?.cost;
    const cost = hint?.cost ?? (typeof recordedCost === 'number' ? recordedCost : 0);
    items.push({ id: `hint:${event.name}`, kind: 'hint', text: hint?.text ?? event.name, met: true, points: -cost, possible: -cost, why: `hint given at ${event.at}`, evidence: [{ table: 'exercise_events', rowid: event.seq }] });
  }
  return items;
}

/** One measure in words, for items without an objective text. */
export function describeMeasure(m: Measure): string {
  switch (m.kind) {
    case 'captured': return `capture pod ${m.pod ?? ''}`;
    case 'captured-before-contain': return `capture pod ${m.pod ?? ''} before containing it`;
    case 'isolated': return `isolate pod ${m.pod ?? ''}${m.minutes === undefined ? '' : ` within ${m.minutes} minutes`}`;
    case 'first-capture-within': return `a first capture within ${m.minutes ?? 0} minutes`;
    case 'identity-revoked': return `revoke ServiceAccount ${m.service_account ?? ''} and prove its tokens dead`;
    case 'object-found': return `find ${m.object_kind ?? ''} ${m.name ?? ''}`;
    case 'exported': return 'export an evidence bundle';
    case 'pod-deleted-before-capture': return `pod ${m.pod ?? ''} deleted before any capture of it`;
    case 'released-before-revoke': return `pod ${m.pod ?? ''} released before its identity was revoked`;
    case 'object-missed': return `${m.object_kind ?? ''} ${m.name ?? ''} never found`;
  }
}

function minutesSince(exercise: ScoredExercise, at: string): number {
  return (Date.parse(at) - Date.parse(exercise.startedAt)) / 1000 / exercise.minuteSeconds;
}

function evaluate(m: Measure, facts: ScoreFacts, exercise: ScoredExercise): Verdict {
  const ns = exercise.namespace;
  const pod = `${ns}/${m.pod ?? ''}`;
  const capture = facts.captures.find((c) => c.pod === pod);
  const containment = facts.planRows.find((r) => r.pod === pod && r.plan !== 'collector' && r.plan !== 'cleanup');
  const deletion = facts.podDeletions.find((d) => d.pod === pod);
  const goneUnrecorded = facts.goneAtStop.find((g) => g.kind === 'Pod' && g.name === m.pod && !facts.changed.some((c) => c.kind === 'Pod' && c.name === m.pod));
  switch (m.kind) {
    case 'captured':
      return capture === undefined ? verdict(false, `no capture of ${pod} stored anything`) : verdict(true, `captured (${capture.status}) at ${capture.at}${simulatedMark(capture)}`, [evidenceOf(capture)]);
    case 'captured-before-contain': {
      if (capture === undefined) return verdict(false, `no capture of ${pod} stored anything`, [containment, deletion].filter((f) => f !== undefined).map(evidenceOf));
      const first = [containment, deletion].filter((f) => f !== undefined).sort((a, b) => a.seq - b.seq)[0];
      if (first !== undefined && first.seq < capture.seq) return verdict(false, `contained at ${first.at}${simulatedMark(first)} (row ${first.seq}), before the first capture at ${capture.at}`, [evidenceOf(first), evidenceOf(capture)]);
      return verdict(true, first === undefined ? `captured at ${capture.at}${simulatedMark(capture)}; never contained` : `captured at ${capture.at}${simulatedMark(capture)}, before containment at ${first.at}${simulatedMark(first)}`, [capture, first].filter((f) => f !== undefined).map(evidenceOf));
    }
    case 'isolated': {
      const isolation = facts.planRows.find((r) => r.pod === pod && r.plan === 'isolate');
      if (isolation === undefined) return verdict(false, `${pod} was never isolated with kustody`);
      const minutes = minutesSince(exercise, isolation.at);
      const inTime = m.minutes === undefined || minutes <= m.minutes;
      return verdict(inTime, `isolated${simulatedMark(isolation)} ${minutes.toFixed(1)} scenario minutes after the start${m.minutes === undefined ? '' : ` (limit ${m.minutes})`}`, [evidenceOf(isolation)]);
    }
    case 'first-capture-within': {
      const first = facts.captures.find((c) => c.pod.startsWith(`${ns}/`));
      if (first === undefined) return verdict(false, 'no capture in the exercise namespace');
      const minutes = minutesSince(exercise, first.at);
      return verdict(minutes <= (m.minutes ?? 0), `first capture${simulatedMark(first)} ${minutes.toFixed(1)} scenario minutes after the start (limit ${m.minutes ?? 0})`, [evidenceOf(first)]);
    }
    case 'identity-revoked': return identityRevoked(facts, ns, m.service_account ?? '');
    case 'object-found':
    case 'object-missed': {
      const found = objectFound(facts, ns, m.object_kind ?? '', m.name ?? '');
      return m.kind === 'object-found' ? found : verdict(!found.holds, found.holds ? `found: ${found.why}` : found.why, found.evidence);
    }
    case 'exported': {
      const row = facts.exports[0];
      return row === undefined ? verdict(false, 'no bundle exported') : verdict(true, `exported at ${row.at}`, [evidenceOf(row)]);
    }
    case 'pod-deleted-before-capture': {
      if (deletion !== undefined) {
        const before = capture === undefined || capture.seq > deletion.seq;
        return verdict(before, before ? `deleted at ${deletion.at}${simulatedMark(deletion)} with no capture before it` : `captured at ${capture.at} before deletion at ${deletion.at}${simulatedMark(deletion)}`, [deletion, capture].filter((f) => f !== undefined).map(evidenceOf));
      }
      if (goneUnrecorded !== undefined) return verdict(capture === undefined, capture === undefined ? 'deleted outside kustody (gone at exercise stop) and never captured' : `deleted outside kustody, after a capture at ${capture.at}`, [goneUnrecorded, capture].filter((f) => f !== undefined).map(evidenceOf));
      return verdict(false, 'not deleted before a capture');
    }
    case 'released-before-revoke': {
      const release = facts.planRows.find((r) => r.pod === pod && r.plan === 'release');
      if (release === undefined) return verdict(false, 'never released');
      const proof = facts.tokenVerdicts.find((v) => v.planTarget === `pod:${pod}` && v.revoked.length > 0 && v.stillValid.length === 0 && v.seq < release.seq);
      return proof === undefined ? verdict(true, `released at ${release.at} before any TokenReview proved its tokens dead`, [evidenceOf(release)]) : verdict(false, `released at ${release.at}, after its tokens were proven dead`, [evidenceOf(proof), evidenceOf(release)]);
    }
  }
}

/**
 * An identity is revoked and proven dead when TokenReview rejected a token of it, or when kustody
 * deleted its ServiceAccount (uid precondition, read back gone: the API server rejects every token
 * bound to that uid); either way no later TokenReview may find a token of it still valid.
 */
function identityRevoked(facts: ScoreFacts, ns: string, account: string): Verdict {
  const subject = `system:serviceaccount:${ns}:${account}`;
  const proof = facts.tokenVerdicts.find((v) => v.revoked.includes(subject));
  const deletion = facts.accountDeletions.find((d) => d.namespace === ns && d.name === account);
  const first = [proof, deletion].filter((f) => f !== undefined).sort((a, b) => a.seq - b.seq)[0];
  if (first === undefined) return verdict(false, `no TokenReview in the case rejected a token of ${subject}, and kustody never deleted its ServiceAccount`);
  const later = facts.tokenVerdicts.find((v) => v.seq > first.seq && v.stillValid.includes(subject));
  if (later !== undefined) return verdict(false, `a later TokenReview (row ${later.seq}) found a token of ${subject} still valid`, [evidenceOf(first), evidenceOf(later)]);
  if (proof !== undefined) return verdict(true, `TokenReview rejected the tokens of ${subject} at ${proof.at}${simulatedMark(proof)}`, [evidenceOf(proof)]);
  // No TokenReview proof: `first` is the deletion.
  return verdict(true, `ServiceAccount ${ns}/${account} deleted through kustody at ${first.at}${simulatedMark(first)} and read back gone: every token bound to its uid is rejected (no token of it was sent to TokenReview)`, [evidenceOf(first)]);
}

/**
 * How a team "finds" a planted object: it captured it (a Pod), a persistence sweep listed it, it
 * changed it through kustody (deleted, isolated, edited a binding), or named it in a case note or a
 * checklist tick note. Seeing it pass
 * by in a capture of something else does not count: the team must act on it or say so.
 */
function objectFound(facts: ScoreFacts, ns: string, kind: string, name: string): Verdict {
  if (kind === 'Pod') {
    const capture = facts.captures.find((c) => c.pod === `${ns}/${name}`);
    if (capture !== undefined) return verdict(true, `captured at ${capture.at}${simulatedMark(capture)}`, [evidenceOf(capture)]);
  }
  const swept = facts.swept.find((c) => c.kind === kind && c.name === name && (c.namespace === null || c.namespace === ns));
  if (swept !== undefined) return verdict(true, `listed by a persistence sweep at ${swept.at}${simulatedMark(swept)}`, [evidenceOf(swept)]);
  const changed = facts.changed.find((c) => c.kind === kind && c.name === name && (c.namespace === null || c.namespace === ns));
  if (changed !== undefined) return verdict(true, `changed through kustody at ${changed.at}${simulatedMark(changed)}`, [evidenceOf(changed)]);
  const note = facts.notes.find((n) => mentions(n.text, name));
  if (note !== undefined) return verdict(true, `named in a responder note at ${note.at}`, [evidenceOf(note)]);
  return verdict(false, `${kind} ${name} was never captured, swept, changed through kustody or named in a note`);
}
