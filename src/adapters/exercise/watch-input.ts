/**
 * Reads what `exercise watch` shows by polling both logs incrementally: each read takes only the rows
 * added since the last one (at most `batchRows` custody rows), keeps the custody rows the summary and
 * score need up to a byte budget, the newest rows for the list, and re-derives the findings count at
 * most every `findingsEveryMs`. Read-only on the case; the exercise log handle is the caller's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deriveFindings } from '../../core/findings/index.js';
import type { Scenario } from '../../core/exercise/scenario-types.js';
import type { ScoreCustodyRow } from '../../core/exercise/score-facts.js';
import { isWatchedRow, type WatchCustodyRow, type WatchEventRow, type WatchInput } from '../../core/exercise/watch-view.js';
import { readCaseFacts } from '../findings/read-case-facts.js';
import { CASE_DB_FILE } from '../store/case-store.js';
import { openReadableDb, type ReadableDb } from '../store/open-store.js';
import { isSameProcess } from './attacker-process.js';
import { currentExercise, listEvents, type ExerciseLog } from './exercise-log.js';

/** Bounds of one watch session. */
export interface WatchBounds {
  /** Custody rows read per poll. */
  batchRows: number;
  /** Bytes of custody detail kept for the summary and the score; past it they are marked partial. */
  keepBytes: number;
  /** A custody row's detail larger than this is not kept (marked partial). */
  rowBytes: number;
  /** Newest custody rows kept for the list. */
  recentRows: number;
  /** Exercise-log detail larger than this is not parsed. */
  eventBytes: number;
  /** Least time between two derivations of the findings count. */
  findingsEveryMs: number;
}

/** The bounds `exercise watch` runs with. */
export const DEFAULT_WATCH_BOUNDS: WatchBounds = { batchRows: 5000, keepBytes: 32 * 1024 * 1024, rowBytes: 1024 * 1024, recentRows: 40, eventBytes: 64 * 1024, findingsEveryMs: 10_000 };

/** A polling reader of one case's logs. */
export interface WatchSource {
  /** Reads what was added since the last call; null while the case has no exercise. `caughtUp` is false while custody rows remain unread. */
  read(now: string): { input: Omit<WatchInput, 'now'>; caughtUp: boolean } | null;
  close(): void;
}

const MAX_TEXT = 512;

/** Opens a polling reader over the case's custody log and the given exercise log. */
export function openWatchSource(caseDir: string, log: ExerciseLog, bounds: WatchBounds = DEFAULT_WATCH_BOUNDS, clock: () => number = Date.now): WatchSource {
  let db: ReadableDb | null = null;
  let exerciseId = -1;
  let scenario: Scenario | null = null;
  let events: WatchEventRow[] = [];
  let lastCustodySeq = 0;
  let total = 0;
  let keptBytes = 0;
  let partial: string | null = null;
  const kept: ScoreCustodyRow[] = [];
  const recent: WatchCustodyRow[] = [];
  let findings: number | null = null;
  let findingsAt = -Infinity;
  let findingsTotal = -1;

  const openCase = (): ReadableDb | null => {
    if (db === null && existsSync(join(caseDir, CASE_DB_FILE))) db = openReadableDb(join(caseDir, CASE_DB_FILE));
    return db;
  };

  const readCustody = (): boolean => {
    const caseDb = openCase();
    if (caseDb === null) return true;
    const rows = caseDb.prepare(`SELECT seq, at, actor, kind, target, outcome, length(detail) AS size,
        CASE WHEN kind IN ('observe', 'contain', 'revoke', 'export', 'note', 'check') AND length(detail) <= ? THEN detail END AS detail
        FROM actions WHERE seq > ? ORDER BY seq LIMIT ?`).all(bounds.rowBytes, lastCustodySeq, bounds.batchRows) as Array<{ seq: number | bigint; at: string; actor: string; kind: string; target: string; outcome: string; size: number; detail: string | null }>;
    for (const row of rows) {
      const seq = Number(row.seq);
      lastCustodySeq = seq;
      total += 1;
      const listed = { seq, at: String(row.at).slice(0, 40), actor: String(row.actor).slice(0, MAX_TEXT), kind: String(row.kind).slice(0, 40), target: String(row.target).slice(0, MAX_TEXT), outcome: String(row.outcome).slice(0, 40) };
      recent.push(listed);
      if (recent.length > bounds.recentRows) recent.shift();
      const detail = row.detail === null ? null : parse(row.detail);
      if (row.detail === null && ['observe', 'contain', 'revoke', 'export', 'note', 'check'].includes(listed.kind)) {
        partial ??= `custody row ${seq} is larger than ${bounds.rowBytes} bytes and was not read`;
        continue;
      }
      if (detail === null || !isWatchedRow(listed.kind, listed.outcome, detail)) continue;
      if (keptBytes + row.size > bounds.keepBytes) {
        partial ??= `the custody log holds more than ${bounds.keepBytes} bytes of rows to summarise (from row ${seq} on)`;
        continue;
      }
      keptBytes += row.size;
      kept.push({ ...listed, target: String(row.target), detail });
    }
    return rows.length < bounds.batchRows;
  };

  const readFindings = (): void => {
    const caseDb = openCase();
    if (caseDb === null || total === findingsTotal || clock() - findingsAt < bounds.findingsEveryMs) return;
    findingsAt = clock();
    findingsTotal = total;
    try {
      findings = deriveFindings(readCaseFacts(caseDb, new Date(findingsAt).toISOString(), { findingsOnly: true })).length;
    } catch {
      findings = null;
    }
  };

  return {
    read() {
      const exercise = currentExercise(log, true);
      if (exercise === undefined) return null;
      if (exercise.id !== exerciseId) {
        exerciseId = exercise.id;
        scenario = JSON.parse(exercise.scenario_json) as Scenario;
        events = [];
      }
      const after = events.at(-1)?.seq ?? 0;
      for (const r of listEvents(log, exercise.id, after)) {
        const detail = r.detail_json.length <= bounds.eventBytes ? parse(r.detail_json) : null;
        events.push({ seq: r.seq, at: r.at, kind: r.kind, name: r.name, outcome: r.outcome, detail: detail ?? { unread: `detail larger than ${bounds.eventBytes} bytes` } });
      }
      const caughtUp = readCustody();
      if (caughtUp) readFindings();
      const attackerRunning = exercise.stopped_at === null && exercise.attacker_pid !== null && isSameProcess(exercise.attacker_pid, exercise.attacker_start_ticks);
      return {
        caughtUp,
        input: {
          exercise, scenario: scenario as Scenario, events, attackerRunning, findings,
          custody: { kept, recent: [...recent], total, partial },
        },
      };
    },
    close() {
      db?.close();
      db = null;
    },
  };
}

function parse(json: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(json) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
  } catch {
    return null;
  }
}
