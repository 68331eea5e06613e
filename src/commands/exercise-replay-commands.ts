/** `kustody exercise replay` (practice without a cluster, from a recorded lab run) and `kustody exercise record` (make that recording). */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { display, escapeUntrusted, toSafeJson, trusted } from '../core/display/index.js';
import { KustodyError, UsageError } from '../core/errors.js';
import { buildRecording } from '../core/exercise/recording-build.js';
import { formatMoves, parseMoves } from '../core/exercise/replay-moves.js';
import { loadRecording, recordingPathFor } from '../adapters/exercise/recording-files.js';
import { loadScenario } from '../adapters/exercise/scenario-files.js';
import { readScoreInput } from '../adapters/exercise/score-input.js';
import { resolveCaseDir } from '../adapters/store/case-store.js';
import { utcNow } from '../adapters/system/responder-env.js';
import { runReplay } from '../runner/exercise/run-replay.js';
import { defaultCaseParent, type Command } from './command.js';
import { caseDirFlag } from './exercise-live-commands.js';
import { problemLine } from './playbook-commands.js';

/** `kustody exercise replay ID --case C [--moves …] [--minute-seconds N] [--recording FILE] [--yes] [--json]`. */
export const exerciseReplay: Command = {
  path: ['exercise', 'replay'],
  usage: 'kustody exercise replay ID|FILE --case CASE [--moves MOVE[:POD][@MINUTE],…] [--minute-seconds N] [--recording FILE] [--yes] [--json]',
  summary: 'practice a scenario without a cluster, from a recorded lab run (changes simulated and recorded as such)',
  help: [
    'Plays the scenario from its recording (exercises/recordings/ID.json, made from a real lab run with `kustody exercise record`):',
    'the attacker\'s actions and the injects fire on the scenario clock with the outcomes the lab run got, and event injects fire',
    'when your moves show the event (pod-isolated, identity-revoked…). No cluster is contacted. Every move that would change the',
    'cluster is recorded in CASE\'s custody log with outcome `simulated`; `kustody exercise score CASE` and `exercise report CASE`',
    'read the result as they read a live exercise, and say which rows were simulated. Use `kustody case note`, `kustody check` and',
    '`kustody bundle export` on CASE as in a real incident, during or after the replay.',
    'Moves: capture:POD, isolate:POD, release:POD, revoke:POD (delete the pod, prove its tokens dead), delete:POD (a deletion',
    'outside kustody, as with kubectl), sweep (the persistence sweep), revoke-sa:NAME (delete a ServiceAccount found without a pod); @MINUTE sets the scenario minute (default: one after the',
    'move before). Without --moves, the lab team\'s recorded moves are played. --moves - takes the moves typed on standard input',
    'while the clock runs, each at the minute it arrives (`end` or the end of input stops). --minute-seconds speeds the clock up (default 60).',
    'Without --yes only the plan is shown.',
  ].join('\n'),
  options: { case: { type: 'string' }, moves: { type: 'string' }, 'minute-seconds': { type: 'string' }, recording: { type: 'string' }, yes: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const loaded = loadScenario(args.positionals[0] ?? '');
    if (loaded.scenario === null) {
      for (const problem of loaded.problems) io.err(problemLine(problem));
      throw new KustodyError('SCENARIO_INVALID', 'The scenario is not valid; nothing was replayed.', { kind: 'usage', nextStep: 'Fix the problems above (`kustody exercise validate FILE`).' });
    }
    const scenario = loaded.scenario;
    const caseDir = caseDirFlag(args.values, env);
    const minuteSeconds = args.values['minute-seconds'] === undefined ? 60 : Number(args.values['minute-seconds']);
    if (!Number.isFinite(minuteSeconds) || minuteSeconds < 0.01 || minuteSeconds > 600) throw new UsageError('--minute-seconds must be a number from 0.01 to 600.');
    const recordingPath = typeof args.values.recording === 'string' ? args.values.recording : recordingPathFor(loaded.path, scenario.id);
    const { recording, sha256 } = loadRecording(recordingPath, scenario);
    const typed = args.values.moves === '-';
    const moves = typed ? [] : typeof args.values.moves === 'string' ? parseMoves(args.values.moves) : recording.response;
    const stale = recording.scenario_sha256 !== loaded.sha256;
    if (!json) {
      io.out(display`Replay of ${escapeUntrusted(scenario.id)} from the lab run of ${escapeUntrusted(recording.recorded_at)} (namespace ${escapeUntrusted(recording.namespace)}); no cluster is contacted, changes are simulated.`);
      if (stale) io.out(trusted('  note: the scenario file changed since this recording was made; actions are matched by id.'));
      for (const a of scenario.actions) io.out(display`  attacker ${escapeUntrusted('minute' in a.at ? `minute ${a.at.minute}` : `on ${a.at.event}`)}: ${escapeUntrusted(a.description)}`);
      io.out(typed ? trusted('  moves: typed on standard input while the clock runs, one MOVE[:POD] a line (`end` to stop)') : display`  moves: ${escapeUntrusted(formatMoves(moves))}`);
    }
    if (args.values.yes !== true) {
      if (json) io.out(toSafeJson({ status: 'not-confirmed', moves: typed ? '-' : formatMoves(moves) }));
      else io.out(trusted('Nothing was recorded. Run again with --yes to play the replay.'));
      return 1;
    }
    const lines = typed ? createInterface({ input: process.stdin, crlfDelay: Infinity }) : null;
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const result = await runReplay({
        caseDir, scenario, scenarioSha256: loaded.sha256, recording, recordingSha256: sha256, moves, minuteSeconds, signal: controller.signal,
        ...(lines === null ? {} : { live: lines }),
        progress: (line) => { if (!json) io.out(display`  ${escapeUntrusted(line, { maxBytes: 2000 })}`); },
      });
      if (json) io.out(toSafeJson({ status: result.status, exercise: result.exerciseId, namespace: result.namespace, recording_sha256: sha256, scenario_changed_since_recording: stale, moves: result.moves }));
      else io.out(display`Replay ${escapeUntrusted(result.status)}. Score it with \`kustody exercise score ${escapeUntrusted(caseDir)}\`.`);
      return result.status === 'finished' ? 0 : 130;
    } finally {
      lines?.close();
      if (typed) process.stdin.destroy();
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    }
  },
};

/** `kustody exercise record CASE -o FILE`. */
export const exerciseRecord: Command = {
  path: ['exercise', 'record'],
  usage: 'kustody exercise record CASE -o FILE [--json]',
  summary: 'make a replay recording from a finished lab exercise (for exercises/recordings/)',
  help: 'Writes, from CASE\'s exercise log and custody log, what `exercise replay` needs: the attacker\'s actions and injects on the scenario clock with their outcomes, the team\'s moves, and per pod the row counts of its capture and the identities TokenReview proved dead. No token, Secret value or raw capture is written.',
  options: { output: { type: 'string', short: 'o' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const caseDir = resolveCaseDir(args.positionals[0] ?? '', defaultCaseParent(env));
    const output = args.values.output;
    if (typeof output !== 'string') throw new UsageError('-o FILE is required.', `Usage: ${exerciseRecord.usage}`);
    const input = readScoreInput(caseDir);
    if (input.exercise.stoppedAt === null) throw new KustodyError('EXERCISE_RUNNING', 'The exercise is still running; a recording is made from a finished one.', { kind: 'usage', nextStep: 'Stop it first: `kustody exercise stop CASE --yes`.' });
    const sha = loadScenario(input.scenario.id).sha256;
    const recording = buildRecording(input, sha, utcNow());
    writeFileSync(output, `${JSON.stringify(recording, null, 1)}\n`, { flag: 'wx', mode: 0o644 });
    if (json) io.out(toSafeJson({ output, events: recording.events.length, moves: recording.response.length, pods: Object.keys(recording.pods) }));
    else io.out(display`Wrote ${escapeUntrusted(output)}: ${recording.events.length} attacker actions and injects, ${recording.response.length} moves (${escapeUntrusted(formatMoves(recording.response))}).`);
    return 0;
  },
};
