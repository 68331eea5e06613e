/** Reads what `exercise score` and `exercise report` need: the case's custody log and the latest exercise with its events and scenario. */
import { join } from 'node:path';
import { KustodyError } from '../../core/errors.js';
import type { Scenario } from '../../core/exercise/scenario-types.js';
import type { ScoreInput } from '../../core/exercise/score.js';
import { CASE_DB_FILE } from '../store/case-store.js';
import { openReadableDb } from '../store/open-store.js';
import { currentExercise, listEvents, openExerciseLog } from './exercise-log.js';

/** Reads the score input of the newest exercise in the case folder. */
export function readScoreInput(caseDir: string): ScoreInput {
  const log = openExerciseLog(caseDir, { create: false, readonly: true });
  let input: Omit<ScoreInput, 'custody'>;
  try {
    const exercise = currentExercise(log, true);
    if (exercise === undefined) throw new KustodyError('NO_EXERCISE', `The case ${caseDir} has no exercise yet.`, { kind: 'usage', nextStep: 'Start one with `kustody exercise start ID --case CASE --yes`.' });
    const scenario = JSON.parse(exercise.scenario_json) as Scenario;
    const events = listEvents(log, exercise.id).map((e) => ({ seq: e.seq, at: e.at, kind: e.kind, name: e.name, outcome: e.outcome, detail: JSON.parse(e.detail_json) as unknown }));
    input = { scenario, events, exercise: { id: exercise.id, namespace: exercise.namespace, startedAt: exercise.started_at, stoppedAt: exercise.stopped_at, minuteSeconds: exercise.minute_seconds, replay: exercise.context === 'replay' } };
  } finally {
    log.close();
  }
  const db = openReadableDb(join(caseDir, CASE_DB_FILE));
  try {
    const rows = db.prepare('SELECT seq, at, actor, kind, target, outcome, detail FROM actions ORDER BY seq').all() as Array<{ seq: number | bigint; at: string; actor: string; kind: string; target: string; outcome: string; detail: string }>;
    return { ...input, custody: rows.map((r) => ({ seq: Number(r.seq), at: r.at, actor: r.actor, kind: r.kind, target: r.target, outcome: r.outcome, detail: JSON.parse(r.detail) as unknown })) };
  } finally {
    db.close();
  }
}
