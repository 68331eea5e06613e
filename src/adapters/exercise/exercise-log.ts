/**
 * The exercise log: `<case dir>/exercise.db`, kept apart from the evidence. It records every attacker
 * action, inject, hint and every object an exercise created (intent before the call, uid after), so
 * `exercise stop` can clean up from this file alone after a crash. SQLite, WAL, synchronous=FULL.
 */
import Database from 'better-sqlite3';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { UnreadableInputError } from '../../core/errors.js';

/** The exercise log's file name inside a case folder. */
export const EXERCISE_DB_FILE = 'exercise.db';

/** `PRAGMA application_id` of an exercise log: "KXRC" in ASCII. */
const EXERCISE_APPLICATION_ID = 0x4b585243;

/** What an exercise_events row is about. */
export type ExerciseEventKind = 'attacker-action' | 'inject' | 'hint' | 'created-object' | 'deleted-object' | 'reverted-object' | 'facilitator' | 'error';

/** One exercise (one `exercise start`). */
export interface ExerciseRow {
  id: number;
  scenario_id: string;
  scenario_sha256: string;
  context: string;
  namespace: string;
  started_at: string;
  stopped_at: string | null;
  attacker_pid: number | null;
  /** /proc/<pid>/stat start time of the attacker process, so a reused PID is never signalled. */
  attacker_start_ticks: string | null;
  /** The server URL the exercise was started against. */
  server: string;
  /** Length of one scenario minute in seconds (60 except in rehearsals and tests). */
  minute_seconds: number;
  /** The scenario as parsed at start (JSON), so the attacker and stop never depend on the file again. */
  scenario_json: string;
}

/** One exercise_events row. */
export interface ExerciseEventRow {
  seq: number;
  exercise_id: number;
  at: string;
  kind: ExerciseEventKind;
  name: string;
  detail_json: string;
  outcome: string;
}

/** An object an exercise created (detail_json of created-object rows). */
export interface ExerciseObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  uid: string | null;
  /** Who created it: the facilitator at start, or the attacker's identity during the exercise. */
  by: 'facilitator' | 'attacker';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS exercise(
  id INTEGER PRIMARY KEY, scenario_id TEXT NOT NULL, scenario_sha256 TEXT NOT NULL, context TEXT NOT NULL,
  namespace TEXT NOT NULL, started_at TEXT NOT NULL, stopped_at TEXT, attacker_pid INTEGER,
  attacker_start_ticks TEXT, server TEXT NOT NULL, minute_seconds REAL NOT NULL, scenario_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS exercise_events(
  seq INTEGER PRIMARY KEY, exercise_id INTEGER NOT NULL REFERENCES exercise(id), at TEXT NOT NULL,
  kind TEXT NOT NULL, name TEXT NOT NULL, detail_json TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS exercise_events_by_exercise ON exercise_events(exercise_id, seq);
`;

/** An open exercise log. */
export interface ExerciseLog {
  db: Database.Database;
  close(): void;
}

/** Opens (creating when `create`) the exercise log of a case folder. */
export function openExerciseLog(caseDir: string, options: { create: boolean; readonly?: boolean }): ExerciseLog {
  const path = join(caseDir, EXERCISE_DB_FILE);
  if (!existsSync(path)) {
    if (!options.create) throw new UnreadableInputError('NO_EXERCISE', `The case ${caseDir} has no exercise log (${EXERCISE_DB_FILE}).`, 'Start one with `kustody exercise start ID --case CASE`.');
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600));
  }
  const db = new Database(path, { fileMustExist: true, readonly: options.readonly === true });
  try {
    db.pragma('busy_timeout = 10000');
    const appId = Number(db.pragma('application_id', { simple: true }));
    if (appId !== 0 && appId !== EXERCISE_APPLICATION_ID) throw new UnreadableInputError('NOT_EXERCISE_LOG', `${path} is not a kustody exercise log.`, 'Move the file away; kustody will not write into it.');
    if (options.readonly !== true) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      if (appId === 0) db.pragma(`application_id = ${EXERCISE_APPLICATION_ID}`);
      db.exec(SCHEMA);
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return { db, close: () => db.close() };
}

/** Records a new exercise and returns its id. */
export function insertExercise(log: ExerciseLog, row: Omit<ExerciseRow, 'id' | 'stopped_at' | 'attacker_pid' | 'attacker_start_ticks'>): number {
  const result = log.db.prepare(`INSERT INTO exercise(scenario_id, scenario_sha256, context, namespace, started_at, server, minute_seconds, scenario_json)
    VALUES (@scenario_id, @scenario_sha256, @context, @namespace, @started_at, @server, @minute_seconds, @scenario_json)`).run(row);
  return Number(result.lastInsertRowid);
}

/** Records the detached attacker process. */
export function setAttackerProcess(log: ExerciseLog, exerciseId: number, pid: number, startTicks: string | null): void {
  log.db.prepare('UPDATE exercise SET attacker_pid = ?, attacker_start_ticks = ? WHERE id = ?').run(pid, startTicks, exerciseId);
}

/** Marks the exercise stopped. */
export function markStopped(log: ExerciseLog, exerciseId: number, at: string): void {
  log.db.prepare('UPDATE exercise SET stopped_at = ? WHERE id = ? AND stopped_at IS NULL').run(at, exerciseId);
}

/** Appends one event (committed before this returns). */
export function recordEvent(log: ExerciseLog, exerciseId: number, event: { at: string; kind: ExerciseEventKind; name: string; detail: unknown; outcome: string }): number {
  const result = log.db.prepare('INSERT INTO exercise_events(exercise_id, at, kind, name, detail_json, outcome) VALUES (?, ?, ?, ?, ?, ?)')
    .run(exerciseId, event.at, event.kind, event.name, JSON.stringify(event.detail ?? {}), event.outcome);
  return Number(result.lastInsertRowid);
}

/** Every exercise in the log, oldest first. */
export function listExercises(log: ExerciseLog): ExerciseRow[] {
  return log.db.prepare('SELECT * FROM exercise ORDER BY id').all() as ExerciseRow[];
}

/** The exercise still running (not stopped), newest first, or the newest one when `includeStopped`. */
export function currentExercise(log: ExerciseLog, includeStopped = false): ExerciseRow | undefined {
  const sql = includeStopped ? 'SELECT * FROM exercise ORDER BY id DESC LIMIT 1' : 'SELECT * FROM exercise WHERE stopped_at IS NULL ORDER BY id DESC LIMIT 1';
  return log.db.prepare(sql).get() as ExerciseRow | undefined;
}

/** The events of one exercise, in order (optionally only after `afterSeq`). */
export function listEvents(log: ExerciseLog, exerciseId: number, afterSeq = 0): ExerciseEventRow[] {
  return log.db.prepare('SELECT * FROM exercise_events WHERE exercise_id = ? AND seq > ? ORDER BY seq').all(exerciseId, afterSeq) as ExerciseEventRow[];
}

/**
 * Every object an exercise created or meant to create, newest first, one per object: the uid from
 * the `created` row when the call came back, null when only the intent was recorded (a create the
 * cluster refused, `not-created`, drops its intent).
 */
export function createdObjects(log: ExerciseLog, exerciseId: number): ExerciseObjectRef[] {
  const rows = log.db.prepare("SELECT detail_json, outcome FROM exercise_events WHERE exercise_id = ? AND kind = 'created-object' ORDER BY seq").all(exerciseId) as Array<{ detail_json: string; outcome: string }>;
  const byKey = new Map<string, ExerciseObjectRef>();
  for (const row of rows) {
    const ref = JSON.parse(row.detail_json) as ExerciseObjectRef;
    const key = `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
    const known = byKey.get(key);
    if (row.outcome === 'not-created') {
      if (known !== undefined && known.uid === null) byKey.delete(key);
      continue;
    }
    if (row.outcome === 'created' || known === undefined) {
      byKey.delete(key);
      byKey.set(key, { ...ref, uid: row.outcome === 'created' ? ref.uid : (known?.uid ?? null) });
    }
  }
  return [...byKey.values()].reverse();
}
