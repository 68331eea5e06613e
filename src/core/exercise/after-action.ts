/**
 * The after-action report of an exercise, in the HSEEP layout: objectives met or not, the timeline of
 * injects and attacker actions against the team's actions, strengths, areas for improvement and an
 * improvement plan. Built from the score card and the same two logs; pure. Renderers escape every
 * value (after-action-render.ts).
 */
import type { Scenario } from './scenario-types.js';
import type { EvidenceRef, ScoreCard, ScoreCustodyRow, ScoreExerciseEvent, ScoreInput, ScoreItem } from './score.js';

/** One timeline line: who acted (the exercise or the team), when, what, and its row. */
export interface AfterActionEvent {
  at: string;
  /** Scenario minutes since the start. */
  minute: number;
  side: 'exercise' | 'team';
  who: string;
  what: string;
  source: EvidenceRef;
}

/** One improvement plan row (HSEEP: issue, corrective action, capability element, owner and dates to set). */
export interface ImprovementRow {
  area: string;
  action: string;
  /** HSEEP's POETE element: Planning, Organization, Equipment, Training, Exercise. */
  element: 'Planning' | 'Organization' | 'Equipment' | 'Training' | 'Exercise';
}

/** The after-action report model. */
export interface AfterActionModel {
  scenario: { id: string; title: string; summary: string; techniques: string[]; expectedPlaybook: string; facilitatorNotes: string };
  exercise: { id: number; namespace: string; startedAt: string; stoppedAt: string | null; replay: boolean };
  score: { total: number; max: number; objectivesMet: number; objectives: number; provisional: boolean };
  objectives: ScoreItem[];
  strengths: string[];
  improvements: string[];
  plan: ImprovementRow[];
  timeline: AfterActionEvent[];
  metrics: string[];
}

const ACTION_BY_MEASURE: Record<string, Omit<ImprovementRow, 'area'>> = {
  'captured': { action: 'Capture every suspect pod (`kustody capture pod`) before acting on it.', element: 'Training' },
  'captured-before-contain': { action: 'Take the volatile snapshot first: the playbooks\' snapshot step, or `kustody capture pod`, before isolate or revoke.', element: 'Training' },
  'isolated': { action: 'Rehearse isolation (`kustody isolate NS/POD --guard`) until it fits the time limit; keep the responder role bound in advance.', element: 'Training' },
  'first-capture-within': { action: 'Shorten the time to the first capture: bind the responder role and keep a kubeconfig ready.', element: 'Planning' },
  'identity-revoked': { action: 'Revoke the identity and keep the proof: `kustody revoke` polls TokenReview until the token is rejected.', element: 'Planning' },
  'object-found': { action: 'Hunt for persistence (`kustody audit sweep`) and record what was found (`kustody case note`).', element: 'Training' },
  'object-missed': { action: 'Hunt for persistence (`kustody audit sweep`) and record what was found (`kustody case note`).', element: 'Training' },
  'exported': { action: 'End every response with `kustody bundle export` and record the bundle hash outside the bundle.', element: 'Planning' },
  'pod-deleted-before-capture': { action: 'Never delete a pod before a capture; `kustody revoke --delete-pod` refuses until one is in the case.', element: 'Training' },
  'released-before-revoke': { action: 'Release a pod only after its identity was revoked and proven dead.', element: 'Planning' },
  'unrecorded-change': { action: 'Make every change through kustody (or note it with `kustody case note`) so the case shows who changed what.', element: 'Organization' },
  'hint': { action: 'Review the procedure the hint pointed to and add it to the team\'s runbook.', element: 'Training' },
};

function measureKind(item: ScoreItem, scenario: Scenario): string {
  if (item.kind === 'hint') return 'hint';
  if (item.id.startsWith('unrecorded-change:')) return 'unrecorded-change';
  const builtIn = /^(pod-deleted-before-capture|released-before-revoke):/.exec(item.id);
  if (builtIn !== null) return builtIn[1] ?? '';
  const rule = scenario.scoring.find((r) => r.id === item.id);
  const objective = scenario.objectives.find((o) => o.id === (rule?.objective ?? item.id));
  return objective?.measure.kind ?? rule?.measure?.kind ?? '';
}

function teamAction(row: ScoreCustodyRow): string | null {
  const d = (row.detail ?? {}) as Record<string, unknown>;
  if (row.kind === 'observe' && d.step === 'capture-end') return `capture of ${row.target} ended ${row.outcome}`;
  if (row.kind === 'observe' && d.step === 'simulated-capture') return `capture of ${row.target} (replay) ${row.outcome === 'simulated' ? 'simulated from the recording' : row.outcome}`;
  if (row.kind === 'observe' && d.sweep === 'persistence') return row.outcome === 'simulated' ? 'persistence sweep (simulated from the recording)' : 'persistence sweep started';
  if ((row.kind === 'contain' || row.kind === 'revoke') && ['applied', 'already-in-effect', 'deletion-under-way', 'failed', 'simulated'].includes(row.outcome)) return `${row.kind} (${String(d.plan ?? '')}): ${String(d.title ?? row.target)}: ${row.outcome}`;
  if (row.kind === 'revoke' && d.step === 'verify-tokens') return `TokenReview: tokens ${row.outcome}`;
  if (row.kind === 'export') return 'evidence bundle exported';
  if (row.kind === 'note') return `note: ${String(d.text ?? '')}`;
  if (row.kind === 'check' && row.outcome === 'ticked') return `checklist ${String(d.step_id ?? '')} item ${String(d.item ?? '')} ticked${typeof d.note === 'string' ? `: ${d.note}` : ''}`;
  if (row.kind === 'playbook' && (d.state === 'planned' || d.state === 'finished')) return `playbook ${String(d.playbook ?? d.run_id ?? '')} ${String(d.state)}${d.status === undefined ? '' : ` (${String(d.status)})`}`;
  return null;
}

function exerciseAction(event: ScoreExerciseEvent): string | null {
  const d = (event.detail ?? {}) as Record<string, unknown>;
  if (event.kind === 'inject' && event.outcome === 'fired') return `inject ${event.name}: ${String(d.message ?? '')}`;
  if (event.kind === 'attacker-action') return `attacker ${event.name}: ${event.outcome}${typeof d.description === 'string' ? ` (${d.description})` : ''}`;
  if (event.kind === 'hint' && event.outcome === 'given') return `hint ${event.name} given`;
  if (event.kind === 'facilitator' && (event.name === 'clock-started' || event.name === 'attacker-exited')) return `facilitator: ${event.name}`;
  return null;
}

/** Builds the after-action report model from the score input and its score card. */
export function buildAfterAction(input: ScoreInput, card: ScoreCard): AfterActionModel {
  const { scenario, exercise } = input;
  const minute = (at: string) => Math.round(((Date.parse(at) - Date.parse(exercise.startedAt)) / 1000 / exercise.minuteSeconds) * 10) / 10;
  const start = Date.parse(exercise.startedAt);
  const timeline: AfterActionEvent[] = [];
  for (const event of input.events) {
    const what = exerciseAction(event);
    if (what !== null) timeline.push({ at: event.at, minute: minute(event.at), side: 'exercise', who: event.kind, what, source: { table: 'exercise_events', rowid: event.seq } });
  }
  for (const row of input.custody) {
    const what = Date.parse(row.at) >= start ? teamAction(row) : null;
    if (what !== null) timeline.push({ at: row.at, minute: minute(row.at), side: 'team', who: row.actor, what, source: { table: 'actions', rowid: row.seq } });
  }
  timeline.sort((a, b) => a.at.localeCompare(b.at) || a.source.table.localeCompare(b.source.table) || a.source.rowid - b.source.rowid);
  const objectives = card.items.filter((i) => i.kind === 'objective');
  const mistakes = card.items.filter((i) => i.kind === 'mistake' && i.met);
  const hints = card.items.filter((i) => i.kind === 'hint');
  const avoided = card.items.filter((i) => i.kind === 'mistake' && !i.met);
  const areas = [...objectives.filter((o) => !o.met), ...mistakes, ...hints];
  return {
    scenario: { id: scenario.id, title: scenario.title, summary: scenario.summary, techniques: scenario.techniques.map((t) => `${t.id} ${t.name}`), expectedPlaybook: scenario.expectedPlaybook, facilitatorNotes: scenario.facilitatorNotes },
    exercise: { id: exercise.id, namespace: exercise.namespace, startedAt: exercise.startedAt, stoppedAt: exercise.stoppedAt, replay: exercise.replay === true },
    score: { total: card.total, max: card.max, objectivesMet: card.objectivesMet, objectives: card.objectives, provisional: card.provisional },
    objectives,
    strengths: [...objectives.filter((o) => o.met).map((o) => `${o.text} (${o.why})`), ...(avoided.length > 0 && mistakes.length === 0 ? ['No mistake among those checked: no pod deleted before a capture, none released early, no change made outside kustody.'] : [])],
    improvements: areas.map((a) => (a.kind === 'hint' ? `Needed the hint "${a.text}" (${a.points} points).` : a.kind === 'mistake' ? `Mistake: ${a.text} (${a.why}; ${a.points} points).` : `Not met: ${a.text} (${a.why}).`)),
    plan: areas.map((a) => {
      const fix = ACTION_BY_MEASURE[measureKind(a, scenario)] ?? { action: 'Review this with the team and agree a corrective action.', element: 'Training' as const };
      return { area: a.kind === 'hint' ? `Hint: ${a.text}` : a.text, ...fix };
    }),
    timeline,
    metrics: card.metrics.map((m) => `${m.id}: ${m.text}`),
  };
}
