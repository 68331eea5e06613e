/**
 * What scoring reads from a case's custody log and an exercise log, folded into facts: captures,
 * isolations and other containment, deletions, releases, TokenReview verdicts, exports, notes, and
 * what `exercise stop` found already gone. Pure: the rows come in, facts go out.
 */

/** The custody outcome of a step `exercise replay` simulated instead of running against a cluster. */
export const SIMULATED_OUTCOME = 'simulated';

/** The step of a capture `exercise replay` simulated from a recording (not `capture-end`: no captures row stands behind it). */
export const SIMULATED_CAPTURE_STEP = 'simulated-capture';

/** A custody row as scoring reads it (detail parsed). */
export interface ScoreCustodyRow {
  seq: number;
  at: string;
  actor: string;
  kind: string;
  target: string;
  outcome: string;
  detail: unknown;
}

/** An exercise_events row as scoring reads it (detail parsed). */
export interface ScoreExerciseEvent {
  seq: number;
  at: string;
  kind: string;
  name: string;
  outcome: string;
  detail: unknown;
}

/** Where a score item's proof is: a custody row (`actions`) or an exercise log row (`exercise_events`). */
export interface EvidenceRef {
  table: 'actions' | 'exercise_events';
  rowid: number;
}

/** A dated fact backed by one row. */
export interface Fact {
  seq: number;
  at: string;
  table: EvidenceRef['table'];
  /** Set when the row records a simulated change or capture (`exercise replay`): it counts, and says so. */
  simulated?: true;
}

/** A fact about one object (`Kind namespace/name`). */
export interface ObjectFact extends Fact {
  kind: string;
  namespace: string | null;
  name: string;
}

/** Everything scoring needs, folded from both logs. */
export interface ScoreFacts {
  /** Captures that stored something (capture-end not `failed`), by `namespace/pod`. */
  captures: Array<Fact & { pod: string; status: string }>;
  /** Changes kustody applied (or found in effect) to a pod's containment, by plan and `namespace/pod`. */
  planRows: Array<Fact & { plan: string; pod: string; changeId: string }>;
  /** Every object a recorded change touched (applied, already in effect, deletion under way). */
  changed: ObjectFact[];
  /** Pods kustody deleted. */
  podDeletions: Array<Fact & { pod: string }>;
  /** ServiceAccounts kustody deleted (revoke --rotate-sa/--delete-sa, a sweep): every token bound to the old uid died with them. */
  accountDeletions: ObjectFact[];
  /** TokenReview verdicts: per subject, revoked or still valid. */
  tokenVerdicts: Array<Fact & { planTarget: string; revoked: string[]; stillValid: string[] }>;
  exports: Fact[];
  /** Responder text: case notes and checklist tick notes. */
  notes: Array<Fact & { text: string }>;
  /** Objects a persistence sweep (`kustody audit sweep`) listed as found. */
  swept: ObjectFact[];
  /** Objects the exercise created that `exercise stop` found already gone (removed during the exercise). */
  goneAtStop: ObjectFact[];
}

/** Outcomes that count as done. `simulated`: what `exercise replay` records for a step it played without a cluster. */
const APPLIED = new Set(['applied', 'already-in-effect', 'deletion-under-way', SIMULATED_OUTCOME]);

/** The change ids of a ServiceAccount's deletion: `revoke --rotate-sa` (its delete half), `revoke --delete-sa`, an audit sweep's. */
const ACCOUNT_DELETIONS = /^(rotate-sa-delete|delete-sa|sweep-ServiceAccount-.*)$/;

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Reads a custody target `Kind namespace/name` or `Kind name`. */
export function parseObjectTarget(target: string): { kind: string; namespace: string | null; name: string } | null {
  const match = /^([A-Za-z]+) (?:([a-z0-9-]+)\/)?([^\s/]+)$/.exec(target);
  if (match === null) return null;
  return { kind: match[1] ?? '', namespace: match[2] ?? null, name: match[3] ?? '' };
}

function podOf(target: unknown): string | null {
  const text = str(target);
  return text !== null && text.startsWith('pod:') ? text.slice(4) : null;
}

/** Folds both logs into facts (rows in seq order). */
export function foldScoreFacts(custody: readonly ScoreCustodyRow[], events: readonly ScoreExerciseEvent[]): ScoreFacts {
  const facts: ScoreFacts = { captures: [], planRows: [], changed: [], podDeletions: [], accountDeletions: [], tokenVerdicts: [], exports: [], notes: [], swept: [], goneAtStop: [] };
  for (const row of custody) {
    const d = record(row.detail);
    const base = { seq: row.seq, at: row.at, table: 'actions' as const, ...(row.outcome === SIMULATED_OUTCOME ? { simulated: true as const } : {}) };
    if (row.kind === 'observe' && (d.step === 'capture-end' || d.step === SIMULATED_CAPTURE_STEP) && row.outcome !== 'failed') {
      const pod = podOf(row.target);
      if (pod !== null) facts.captures.push({ ...base, pod, status: row.outcome });
    } else if ((row.kind === 'contain' || row.kind === 'revoke') && APPLIED.has(row.outcome) && d.step !== 'verify-tokens') {
      const object = parseObjectTarget(row.target);
      if (object !== null) facts.changed.push({ ...base, ...object });
      const pod = podOf(d.plan_target);
      const plan = str(d.plan);
      const changeId = str(d.change_id) ?? '';
      if (pod !== null && plan !== null) facts.planRows.push({ ...base, plan, pod, changeId });
      if (object?.kind === 'Pod' && changeId === 'delete-pod') facts.podDeletions.push({ ...base, pod: `${object.namespace ?? ''}/${object.name}` });
      // Only a deletion kustody sent itself: `already-in-effect` may mean the account was swapped for a new one under the same name.
      if (object?.kind === 'ServiceAccount' && ACCOUNT_DELETIONS.test(changeId) && row.outcome !== 'already-in-effect') facts.accountDeletions.push({ ...base, ...object });
    } else if (row.kind === 'revoke' && d.step === 'verify-tokens' && Array.isArray(d.checks)) {
      const checks = d.checks.map(record);
      const subjects = (outcome: string) => checks.filter((c) => c.outcome === outcome).map((c) => str(c.subject) ?? '').filter((s) => s !== '');
      // A token TokenReview rejected before any change (forged, or dead already) proves no revocation.
      const revoked = checks.filter((c) => c.outcome === 'revoked' && c.beforeAuthenticated !== false).map((c) => str(c.subject) ?? '').filter((s) => s !== '');
      facts.tokenVerdicts.push({ ...base, planTarget: row.target, revoked, stillValid: [...subjects('still-valid'), ...subjects('unknown')] });
    } else if (row.kind === 'observe' && d.sweep === 'persistence' && Array.isArray(d.items)) {
      for (const item of d.items.map(record)) {
        const kind = str(item.kind);
        const name = str(item.name);
        if (kind !== null && name !== null) facts.swept.push({ ...base, kind, namespace: str(item.namespace), name });
      }
    } else if (row.kind === 'export') {
      facts.exports.push(base);
    } else if (row.kind === 'note' && typeof d.text === 'string') {
      facts.notes.push({ ...base, text: d.text });
    } else if (row.kind === 'check' && row.outcome === 'ticked' && typeof d.note === 'string') {
      facts.notes.push({ ...base, text: d.note });
    }
  }
  for (const event of events) {
    const d = record(event.detail);
    if (event.kind !== 'deleted-object' || event.outcome !== 'gone' || d.read_back === true || d.found_by === 'sweep') continue;
    const kind = str(d.kind);
    const name = str(d.name);
    if (kind !== null && name !== null) facts.goneAtStop.push({ seq: event.seq, at: event.at, table: 'exercise_events', kind, namespace: str(d.namespace), name });
  }
  return facts;
}

/** Whether `text` names `name` as a whole word (names run on letters, digits, dots and dashes). */
export function mentions(text: string, name: string): boolean {
  if (name === '') return false;
  let from = 0;
  for (;;) {
    const at = text.indexOf(name, from);
    if (at < 0) return false;
    const before = at === 0 ? '' : text[at - 1] ?? '';
    const after = text[at + name.length] ?? '';
    if (!/[a-z0-9.-]/i.test(before) && !/[a-z0-9-]/i.test(after)) return true;
    from = at + 1;
  }
}

/** ` (simulated)` for a fact from a replay, '' otherwise: every verdict built on one says so. */
export function simulatedMark(fact: Fact | undefined): string {
  return fact?.simulated === true ? ' (simulated)' : '';
}

/** Turns a fact into its evidence reference. */
export function evidenceOf(fact: Fact): EvidenceRef {
  return { table: fact.table, rowid: fact.seq };
}
