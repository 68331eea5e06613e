/**
 * `kustody exercise replay`: plays a scenario from its recording, with no cluster. The exercise is
 * recorded in the case's exercise log like a live one (context `replay`); the attacker's actions and
 * the injects fire on the scenario clock (accelerated by --minute-seconds) with the outcomes the lab
 * run got; event injects fire when the team's moves show the event; every move that would have changed
 * the cluster is a custody row with outcome `simulated`. `exercise score` and `exercise report` read
 * the result exactly as they read a live exercise.
 */
import { join } from 'node:path';
import { KustodyError, messageOf } from '../../core/errors.js';
import { dueItems, eventsOf, type CustodyRowFacts } from '../../core/exercise/schedule.js';
import type { Scenario } from '../../core/exercise/scenario-types.js';
import type { Recording } from '../../core/exercise/recording.js';
import { formatMoves, parseMoves, type Move } from '../../core/exercise/replay-moves.js';
import { initialWorld, replayAttackerAction, simulateMove, type ReplayWorld } from '../../core/exercise/replay.js';
import { insertExercise, markStopped, openExerciseLog, recordEvent, setAttackerProcess, type ExerciseLog } from '../../adapters/exercise/exercise-log.js';
import { processStartTicks } from '../../adapters/exercise/attacker-process.js';
import { blockingExercise, describeInterruption } from '../../adapters/exercise/runner-liveness.js';
import { CASE_DB_FILE, recordAction } from '../../adapters/store/case-store.js';
import { openWritableDb } from '../../adapters/store/open-store.js';
import { readResponderIdentity, utcNow } from '../../adapters/system/responder-env.js';

/** What to replay. */
export interface ReplayRequest {
  caseDir: string;
  scenario: Scenario;
  scenarioSha256: string;
  recording: Recording;
  recordingSha256: string;
  moves: readonly Move[];
  minuteSeconds: number;
  signal: AbortSignal;
  progress: (line: string) => void;
  /** Moves typed while the clock runs (one `MOVE[:POD]` a line, played at the minute it arrives; `end` or the end of input stops taking moves). */
  live?: AsyncIterable<string>;
}

/** What the replay did. */
export interface ReplayResult {
  exerciseId: number;
  namespace: string;
  status: 'finished' | 'interrupted';
  /** Custody rows each move left, by seq, with their outcomes. */
  moves: Array<Move & { rows: Array<{ seq: number; outcome: string }> }>;
}

/** Plays the replay to its end (or until `signal` aborts), recording everything. */
export async function runReplay(req: ReplayRequest): Promise<ReplayResult> {
  const { scenario, recording } = req;
  const namespace = recording.namespace;
  const log = openExerciseLog(req.caseDir, { create: true });
  try {
    const { blocking: running, interrupted } = blockingExercise(log, utcNow(), 'exercise replay');
    if (running !== null) throw new KustodyError('EXERCISE_RUNNING', `The case already runs exercise ${running.scenario_id} (${running.context}).`, { kind: 'usage', nextStep: 'Stop it first (`kustody exercise stop CASE --yes`), or replay into another case.' });
    if (interrupted !== null) req.progress(describeInterruption(interrupted));
    const startedAt = utcNow();
    const exerciseId = insertExercise(log, { scenario_id: scenario.id, scenario_sha256: req.scenarioSha256, context: 'replay', namespace, started_at: startedAt, server: `replay:sha256:${req.recordingSha256}`, minute_seconds: req.minuteSeconds, scenario_json: JSON.stringify(scenario) });
    // The replay's runner is this process: recorded with its start time, so a replay killed midway is found dead, not open forever.
    setAttackerProcess(log, exerciseId, process.pid, processStartTicks(process.pid));
    const event = (kind: Parameters<typeof recordEvent>[2]['kind'], name: string, detail: unknown, outcome: string) => recordEvent(log, exerciseId, { at: utcNow(), kind, name, detail, outcome });
    event('facilitator', 'replay-started', { recording_sha256: req.recordingSha256, recorded_at: recording.recorded_at, moves: formatMoves(req.moves), simulated: true }, 'ok');
    const world = initialWorld(scenario, namespace);
    const steal = replayAttackerAction(scenario, recording, world, 'steal-token');
    event('attacker-action', 'steal-token', steal.detail, steal.outcome);
    const clock = { done: new Set<string>(['steal-token']), fired: new Set<string>(), rows: [] as CustodyRowFacts[] };
    const fireDue = (minute: number) => {
      const events = new Set(eventsOf(clock.rows, namespace).keys());
      for (const item of dueItems(scenario, { elapsedMinutes: minute, doneActions: clock.done, firedInjects: clock.fired, events })) {
        if (item.type === 'action') {
          clock.done.add(item.id);
          const played = replayAttackerAction(scenario, recording, world, item.id);
          event('attacker-action', item.id, played.detail, played.outcome);
          req.progress(`minute ${minute}: attacker ${item.id}: ${played.outcome}`);
          continue;
        }
        const inject = scenario.injects.find((i) => i.id === item.id);
        if (inject === undefined) continue;
        clock.fired.add(inject.id);
        const message = inject.message.replaceAll('${{ namespace }}', namespace);
        event('inject', inject.id, { message, trigger: 'minute' in inject.at ? { minute: inject.at.minute } : { event: inject.at.event }, has_action: inject.action !== null, replayed: true }, 'fired');
        req.progress(`minute ${minute}: INJECT ${inject.id}: ${message}`);
        if (inject.action !== null) {
          const played = replayAttackerAction(scenario, recording, world, `inject:${inject.id}`);
          event('attacker-action', `inject:${inject.id}`, played.detail, played.outcome);
        }
      }
    };
    const result: ReplayResult = { exerciseId, namespace, status: 'finished', moves: [] };
    const play = (move: Move) => {
      const rows = recordMove(req.caseDir, move, world, recording);
      clock.rows.push(...rows.map((r) => ({ seq: r.seq, at: r.at, kind: r.kind, target: r.target, outcome: r.outcome, detail: r.detail })));
      result.moves.push({ ...move, rows: rows.map((r) => ({ seq: r.seq, outcome: r.outcome })) });
      req.progress(`minute ${move.minute}: ${move.move}${move.pod === null ? '' : ` ${move.pod}`}: ${rows.length === 0 ? 'done outside kustody (no custody row)' : rows.map((r) => `row ${r.seq} ${r.outcome}`).join(', ')}`);
    };
    const points = [...new Set([...scenario.actions.flatMap((a) => ('minute' in a.at ? [a.at.minute] : [])), ...scenario.injects.flatMap((i) => ('minute' in i.at ? [i.at.minute] : []))])].sort((a, b) => a - b);
    const queue: Move[] = [...req.moves];
    const input = { open: req.live !== undefined, wake: () => {} };
    const nowMinute = () => (Date.now() - Date.parse(startedAt)) / 1000 / req.minuteSeconds;
    if (req.live !== undefined) void readLiveMoves(req.live, queue, nowMinute, input, req.progress);
    const stopped = aborted(req.signal);
    for (;;) {
      const stoppedBy = log.db.prepare('SELECT stopped_at FROM exercise WHERE id = ?').get(exerciseId) as { stopped_at: string | null };
      if (req.signal.aborted || stoppedBy.stopped_at !== null) {
        result.status = 'interrupted';
        break;
      }
      const move = queue[0];
      const point = points[0];
      const now = nowMinute();
      // At equal minutes the attacker and injects go first, then the team's move (as in a live exercise's tick).
      if (point !== undefined && point <= now && (move === undefined || point <= move.minute)) {
        points.shift();
        fireDue(point);
        continue;
      }
      if (move !== undefined && move.minute <= now) {
        queue.shift();
        fireDue(move.minute);
        play(move);
        fireDue(move.minute);
        continue;
      }
      // Typed moves are taken until the input ends or the scenario's time is up; the timeline then plays out.
      const taking = input.open && now < scenario.durationMinutes;
      if (move === undefined && point === undefined && !taking) break;
      const next = Math.min(move?.minute ?? Infinity, point ?? Infinity, taking ? scenario.durationMinutes : Infinity);
      const woken = new Promise<void>((resolve) => { input.wake = resolve; });
      let timer: NodeJS.Timeout | undefined;
      const due = Number.isFinite(next) ? new Promise<void>((resolve) => { timer = setTimeout(resolve, Math.max(0, Date.parse(startedAt) + next * req.minuteSeconds * 1000 - Date.now())); }) : new Promise<void>(() => {});
      await Promise.race([due, woken, stopped]);
      clearTimeout(timer);
    }
    endReplay(log, exerciseId, world, result.status, event);
    return result;
  } finally {
    log.close();
  }
}

function recordMove(caseDir: string, move: Move, world: ReplayWorld, recording: Recording) {
  const simulated = simulateMove(move, world, recording);
  if (simulated.length === 0) return [];
  const who = readResponderIdentity();
  const db = openWritableDb(join(caseDir, CASE_DB_FILE));
  try {
    return simulated.map((row) => recordAction(db, { at: utcNow(), actor: `${who.osUser}@${who.host}`, kind: row.kind, target: row.target, detail: row.detail, outcome: row.outcome }));
  } finally {
    db.close();
  }
}

/** What `exercise stop` would have found at the end: pods deleted outside kustody are gone, unrecorded. Then the exercise is stopped. */
function endReplay(log: ExerciseLog, exerciseId: number, world: ReplayWorld, status: ReplayResult['status'], event: (kind: 'deleted-object' | 'facilitator', name: string, detail: unknown, outcome: string) => number): void {
  for (const pod of world.deletedOutside) {
    event('deleted-object', `Pod ${world.namespace}/${pod}`, { apiVersion: 'v1', kind: 'Pod', namespace: world.namespace, name: pod, uid: null, by: 'facilitator', found_by: 'replay-end', simulated: true }, 'gone');
  }
  event('facilitator', status === 'finished' ? 'replay-finished' : 'replay-interrupted', { simulated: true }, 'ok');
  markStopped(log, exerciseId, utcNow());
}

/** Reads typed moves into the queue, each at the scenario minute it arrives; a line that is not a move is said and skipped. */
async function readLiveMoves(lines: AsyncIterable<string>, queue: Move[], nowMinute: () => number, input: { open: boolean; wake: () => void }, progress: (line: string) => void): Promise<void> {
  try {
    for await (const raw of lines) {
      const text = raw.trim();
      if (text === '') continue;
      if (text === 'end') break;
      try {
        const [move] = parseMoves(text.replace(/@.*$/, ''));
        if (move !== undefined) queue.push({ ...move, minute: Math.round(nowMinute() * 100) / 100 });
      } catch (error) {
        progress(`not a move (${messageOf(error)})`);
      }
      input.wake();
    }
  } finally {
    input.open = false;
    input.wake();
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
