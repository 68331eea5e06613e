/**
 * Whether an open exercise's runner is still alive: the detached attacker process of a live exercise,
 * or the `exercise replay` process itself, both recorded in exercise.db with their /proc start time (so
 * a reused PID is never taken for the runner). A runner found dead is recorded once, as an `error`
 * event `runner-died`; a replay, which created nothing on any cluster, is then closed as interrupted,
 * while a live exercise stays open until `exercise stop` removes what it created.
 */
import { isSameProcess, isZombie } from './attacker-process.js';
import { listEvents, markStopped, openExerciseLog, recordEvent, currentExercise, type ExerciseLog, type ExerciseRow } from './exercise-log.js';

/** The name of the exercise event that records a dead runner. */
export const RUNNER_DIED = 'runner-died';

/** A runner found dead: its pid, when it was found dead, the last thing it recorded, and whether the exercise was closed. */
export interface Interruption {
  exerciseId: number;
  scenarioId: string;
  replay: boolean;
  pid: number;
  foundDeadAt: string;
  lastEventAt: string | null;
  /** True for a replay (closed as interrupted); a live exercise still needs `exercise stop`. */
  closed: boolean;
  message: string;
}

/** Whether the exercise's recorded runner is gone (false while it runs, after a stop, or when no runner was ever recorded). */
export function runnerDead(exercise: ExerciseRow): boolean {
  if (exercise.stopped_at !== null || exercise.attacker_pid === null) return false;
  return !isSameProcess(exercise.attacker_pid, exercise.attacker_start_ticks) || isZombie(exercise.attacker_pid);
}

/**
 * Records, once, that the exercise's runner died (and closes a replay); returns the interruption, or
 * null while the runner runs. Idempotent: a runner already recorded dead is returned as recorded.
 */
export function noticeDeadRunner(log: ExerciseLog, exercise: ExerciseRow, now: string, noticedBy: string): Interruption | null {
  // The common case (the runner alive, or the exercise stopped) only reads /proc and the log.
  if (!runnerDead(exercise)) return recordedInterruption(log, exercise);
  return log.db.transaction((): Interruption | null => {
    const known = recordedInterruption(log, exercise);
    if (known !== null) return known;
    const fresh = log.db.prepare('SELECT * FROM exercise WHERE id = ?').get(exercise.id) as ExerciseRow;
    if (!runnerDead(fresh) || fresh.attacker_pid === null) return null;
    const events = listEvents(log, fresh.id);
    // `exercise stop` under way stopped the attacker on purpose (it records attacker-stopped first): not an interruption.
    if (events.some((e) => e.kind === 'facilitator' && e.name === 'attacker-stopped')) return null;
    const replay = fresh.context === 'replay';
    const last = events.at(-1);
    const lastEventAt = last?.at ?? null;
    const how = last?.kind === 'facilitator' && last.name === 'attacker-exited' ? `exited on a signal at ${last.at}` : `died at or before ${now}${lastEventAt === null ? '' : `; its last event was at ${lastEventAt}`}`;
    const message = `the ${replay ? 'replay' : 'attacker'} process (pid ${fresh.attacker_pid}) ${how}`;
    recordEvent(log, fresh.id, { at: now, kind: 'error', name: RUNNER_DIED, detail: { pid: fresh.attacker_pid, start_ticks: fresh.attacker_start_ticks, found_dead_at: now, last_event_at: lastEventAt, noticed_by: noticedBy, message, replay }, outcome: 'interrupted' });
    if (replay) markStopped(log, fresh.id, now);
    return { exerciseId: fresh.id, scenarioId: fresh.scenario_id, replay, pid: fresh.attacker_pid, foundDeadAt: now, lastEventAt, closed: replay, message };
  }).immediate();
}

/** The open exercise that stops a new one from starting in the case (its runner alive, or never recorded), and the interruption of one whose runner died. */
export function blockingExercise(log: ExerciseLog, now: string, noticedBy: string): { blocking: ExerciseRow | null; interrupted: Interruption | null } {
  const open = currentExercise(log);
  if (open === undefined) return { blocking: null, interrupted: null };
  const interrupted = noticeDeadRunner(log, open, now, noticedBy);
  return interrupted === null ? { blocking: open, interrupted: null } : { blocking: null, interrupted };
}

/** One line about an interruption for the person starting something new. */
export function describeInterruption(i: Interruption): string {
  return `Exercise ${i.exerciseId} (${i.scenarioId}) was interrupted: ${i.message}. ${i.closed ? 'It is closed.' : 'Its objects are still on the cluster: `kustody exercise stop CASE --yes` removes them (run it once per open exercise).'}`;
}

/** Notices a dead runner of the case's open exercise, if any; never throws (a log that cannot be written only goes unrecorded). */
export function noticeInCase(caseDir: string, now: string, noticedBy: string): Interruption | null {
  let log: ExerciseLog;
  try {
    log = openExerciseLog(caseDir, { create: false });
  } catch {
    return null;
  }
  try {
    const open = currentExercise(log);
    if (open !== undefined) return noticeDeadRunner(log, open, now, noticedBy);
    const last = currentExercise(log, true);
    return last === undefined ? null : recordedInterruption(log, last);
  } catch {
    return null;
  } finally {
    log.close();
  }
}

/** The interruption recorded for this exercise, or null. */
export function recordedInterruption(log: ExerciseLog, exercise: ExerciseRow): Interruption | null {
  const row = log.db.prepare("SELECT at, detail_json FROM exercise_events WHERE exercise_id = ? AND kind = 'error' AND name = ? ORDER BY seq LIMIT 1").get(exercise.id, RUNNER_DIED) as { at: string; detail_json: string } | undefined;
  if (row === undefined) return null;
  const d = JSON.parse(row.detail_json) as { pid?: number; last_event_at?: string | null; message?: string; replay?: boolean };
  const replay = exercise.context === 'replay';
  return { exerciseId: exercise.id, scenarioId: exercise.scenario_id, replay, pid: d.pid ?? 0, foundDeadAt: row.at, lastEventAt: d.last_event_at ?? null, closed: replay || exercise.stopped_at !== null, message: d.message ?? `the runner died at or before ${row.at}` };
}
