/** `kustody exercise watch CASE`: the facilitator's live view of an exercise, with injects and hints fired by hand. */
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import type { Scenario } from '../core/exercise/scenario-types.js';
import { watchLines } from '../core/exercise/watch-lines.js';
import { buildWatchView, type WatchView } from '../core/exercise/watch-view.js';
import { currentExercise, listEvents, openExerciseLog, type ExerciseLog } from '../adapters/exercise/exercise-log.js';
import { noticeDeadRunner, noticeInCase } from '../adapters/exercise/runner-liveness.js';
import { openWatchSource, type WatchSource } from '../adapters/exercise/watch-input.js';
import { resolveCaseDir } from '../adapters/store/case-store.js';
import { utcNow } from '../adapters/system/responder-env.js';
import { giveHint, requestInject } from './exercise-play-commands.js';
import { defaultCaseParent, type Command } from './command.js';

/** Reads both logs until the custody log is read to its end (each read bounded), and builds the view. */
function snapshot(source: WatchSource): WatchView | null {
  for (;;) {
    const read = source.read(utcNow());
    if (read === null) return null;
    if (read.caughtUp) return buildWatchView({ ...read.input, now: utcNow() });
  }
}

/** Fires an inject exactly as `exercise inject` does, and says what happened. */
function fireInject(log: ExerciseLog, id: string): DisplayText {
  const running = currentExercise(log);
  if (running === undefined) return trusted('The exercise is stopped: nothing recorded.');
  const outcome = requestInject(log, running, JSON.parse(running.scenario_json) as Scenario, id);
  const what = escapeUntrusted(id, { maxColumns: 40 });
  if (outcome === 'requested') return display`Inject ${what} recorded: the attacker process fires it on its next tick.`;
  if (outcome === 'already-fired') return display`Inject ${what} had already fired; nothing recorded.`;
  return display`Inject ${what} fired (the attacker process is not running, so its action was skipped).`;
}

/** Gives the hint the facilitator was asked about exactly as `exercise hint` does, unless it was given meanwhile, and says what happened. */
function giveAskedHint(log: ExerciseLog, id: string): DisplayText {
  const running = currentExercise(log);
  if (running === undefined) return trusted('The exercise is stopped: nothing recorded.');
  const what = escapeUntrusted(id, { maxColumns: 40 });
  if (listEvents(log, running.id).some((e) => e.kind === 'hint' && e.name === id)) return display`Hint ${what} was given meanwhile; nothing recorded.`;
  const hint = giveHint(log, running, JSON.parse(running.scenario_json) as Scenario, id);
  return hint === null ? trusted('Every hint has been given.') : display`Hint ${what} given (-${hint.cost} points): tell the players.`;
}

/** `kustody exercise watch CASE [--once] [--json]`. */
export const exerciseWatch: Command = {
  path: ['exercise', 'watch'],
  usage: 'kustody exercise watch CASE [--once] [--json]',
  summary: 'the facilitator\'s live view: injects, attacker actions, what the team has done, the score; fire injects and hints',
  help: [
    'Shows the inject timeline (fired, requested, due at minute N, waiting for an event), the attacker\'s actions (refusals marked),',
    'what the team has done (captures, isolations, revocations, tokens proven dead, checklist ticks, findings, the newest custody',
    'rows), hints given and the running score, re-read from CASE/exercise.db and the case\'s custody log every second.',
    'Keys: 1-9 fire that inject, h gives the next hint (each asks y/n first and is recorded as `exercise inject`/`exercise hint`',
    'record it), q quits. With --once (or when not on a terminal) prints the view once; --json prints it as one JSON document.',
  ].join('\n'),
  options: { once: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const caseDir = resolveCaseDir(args.positionals[0] ?? '', defaultCaseParent(env));
    const interactive = process.stdout.isTTY === true && process.stdin.isTTY === true;
    const once = json || args.values.once === true || !interactive;
    noticeInCase(caseDir, utcNow(), 'exercise watch');
    const log = openExerciseLog(caseDir, { create: false, readonly: once });
    const source = openWatchSource(caseDir, log);
    try {
      if (once) {
        const view = snapshot(source);
        if (json) io.out(toSafeJson({ view }));
        else if (view === null) io.out(trusted('No exercise in this case yet.'));
        else for (const line of watchLines(view)) io.out(line.text);
        return 0;
      }
      const load = (): WatchView | null => {
        const open = currentExercise(log);
        if (open !== undefined) noticeDeadRunner(log, open, utcNow(), 'exercise watch');
        const read = source.read(utcNow());
        return read === null ? null : buildWatchView({ ...read.input, now: utcNow() });
      };
      const [{ runApp }, { ExerciseWatch }, { createElement }] = await Promise.all([import('../ui/render-app.js'), import('../ui/screens/ExerciseWatch.js'), import('react')]);
      const props = { load, fireInject: (id: string) => fireInject(log, id), giveHint: (id: string) => giveAskedHint(log, id) };
      await runApp(createElement(ExerciseWatch, props), { stdout: process.stdout, stdin: process.stdin, env });
      return 0;
    } finally {
      source.close();
      log.close();
    }
  },
};
