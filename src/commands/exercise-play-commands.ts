/** `kustody exercise inject|hint` (the facilitator's hand on the timeline) and the hidden attacker process command. */
import { parseArgs } from 'node:util';
import { display, escapeUntrusted, toSafeJson, trusted } from '../core/display/index.js';
import { KustodyError, UsageError } from '../core/errors.js';
import type { Scenario } from '../core/exercise/scenario.js';
import { isSameProcess } from '../adapters/exercise/attacker-process.js';
import { currentExercise, listEvents, openExerciseLog, recordEvent, type ExerciseLog, type ExerciseRow } from '../adapters/exercise/exercise-log.js';
import { resolveCaseDir } from '../adapters/store/case-store.js';
import { utcNow } from '../adapters/system/responder-env.js';
import { runAttacker } from '../runner/exercise/attacker-loop.js';
import { defaultCaseParent, type Command } from './command.js';
import { KUBE_OPTIONS } from './kube-options.js';
import { connectFromFlags } from './kube-connect.js';

/** Opens the case's exercise log and its running exercise, or explains there is none. */
function runningExercise(caseArg: string, env: NodeJS.ProcessEnv): { log: ExerciseLog; exercise: ExerciseRow; scenario: Scenario } {
  const log = openExerciseLog(resolveCaseDir(caseArg, defaultCaseParent(env)), { create: false });
  const exercise = currentExercise(log);
  if (exercise === undefined) {
    log.close();
    throw new KustodyError('NO_RUNNING_EXERCISE', 'No exercise is running in this case.', { kind: 'usage', nextStep: 'Start one with `kustody exercise start ID --case CASE --yes`.' });
  }
  return { log, exercise, scenario: JSON.parse(exercise.scenario_json) as Scenario };
}

/** Requests an inject now; the attacker process fires it (and runs its action as the attacker) on its next tick. */
export function requestInject(log: ExerciseLog, exercise: ExerciseRow, scenario: Scenario, injectId: string): 'requested' | 'fired-without-attacker' | 'already-fired' {
  const inject = scenario.injects.find((i) => i.id === injectId);
  if (inject === undefined) throw new UsageError(`The scenario has no inject ${JSON.stringify(injectId.slice(0, 80))}; it has ${scenario.injects.map((i) => i.id).join(', ') || 'none'}.`);
  if (listEvents(log, exercise.id).some((r) => r.kind === 'inject' && r.name === injectId && r.outcome === 'fired')) return 'already-fired';
  const alive = exercise.attacker_pid !== null && isSameProcess(exercise.attacker_pid, exercise.attacker_start_ticks);
  if (alive) {
    recordEvent(log, exercise.id, { at: utcNow(), kind: 'inject', name: injectId, detail: { by: 'facilitator' }, outcome: 'requested' });
    return 'requested';
  }
  recordEvent(log, exercise.id, { at: utcNow(), kind: 'inject', name: injectId, detail: { message: inject.message.replaceAll('${{ namespace }}', exercise.namespace), trigger: { by: 'facilitator' }, has_action: inject.action !== null, action_skipped: inject.action !== null ? 'the attacker process is not running' : null }, outcome: 'fired' });
  return 'fired-without-attacker';
}

/** Gives the next hint not yet given (or the named one) and records its cost. */
export function giveHint(log: ExerciseLog, exercise: ExerciseRow, scenario: Scenario, hintId?: string): { id: string; text: string; cost: number } | null {
  const given = new Set(listEvents(log, exercise.id).filter((r) => r.kind === 'hint').map((r) => r.name));
  const hint = hintId === undefined ? scenario.hints.find((h) => !given.has(h.id)) : scenario.hints.find((h) => h.id === hintId);
  if (hintId !== undefined && hint === undefined) throw new UsageError(`The scenario has no hint ${JSON.stringify(hintId.slice(0, 80))}; it has ${scenario.hints.map((h) => h.id).join(', ') || 'none'}.`);
  if (hint === undefined) return null;
  recordEvent(log, exercise.id, { at: utcNow(), kind: 'hint', name: hint.id, detail: { text: hint.text, cost: hint.cost, repeat: given.has(hint.id) }, outcome: 'given' });
  return hint;
}

/** `kustody exercise inject CASE INJECT`. */
export const exerciseInject: Command = {
  path: ['exercise', 'inject'],
  usage: 'kustody exercise inject CASE INJECT [--json]',
  summary: 'fire an inject now (its message to the players, and its attacker action if it has one)',
  help: 'Records the inject in CASE/exercise.db; the attacker process fires it within a tick, running its action as the attacker. An inject fires once.',
  options: {},
  positionals: { min: 2, max: 2 },
  async run(args, { io, json, env }) {
    const { log, exercise, scenario } = runningExercise(args.positionals[0] ?? '', env);
    try {
      const injectId = args.positionals[1] ?? '';
      const outcome = requestInject(log, exercise, scenario, injectId);
      const message = (scenario.injects.find((i) => i.id === injectId)?.message ?? '').replaceAll('${{ namespace }}', exercise.namespace);
      if (json) io.out(toSafeJson({ inject: injectId, outcome, message }));
      else io.out(display`${escapeUntrusted(outcome)}: ${escapeUntrusted(injectId)} — ${escapeUntrusted(message)}`);
      return 0;
    } finally {
      log.close();
    }
  },
};

/** `kustody exercise hint CASE [HINT]`. */
export const exerciseHint: Command = {
  path: ['exercise', 'hint'],
  usage: 'kustody exercise hint CASE [HINT] [--json]',
  summary: 'give the players the next hint (its point cost is recorded for the score)',
  help: 'Prints the next hint not yet given (or the named one) and records it, with its cost, in CASE/exercise.db.',
  options: {},
  positionals: { min: 1, max: 2 },
  async run(args, { io, json, env }) {
    const { log, exercise, scenario } = runningExercise(args.positionals[0] ?? '', env);
    try {
      const hint = giveHint(log, exercise, scenario, args.positionals[1]);
      if (json) io.out(toSafeJson({ hint }));
      else io.out(hint === null ? trusted('Every hint has been given.') : display`Hint ${escapeUntrusted(hint.id)} (-${hint.cost} points): ${escapeUntrusted(hint.text)}`);
      return 0;
    } finally {
      log.close();
    }
  },
};

/** The detached attacker process `exercise start` launches; not for people. */
export const exerciseAttacker: Command = {
  path: ['exercise', '__attacker'],
  usage: 'kustody exercise __attacker CASE --exercise N',
  summary: 'the attacker process of a running exercise (started by exercise start)',
  help: 'Started by `kustody exercise start`; runs until `kustody exercise stop`.',
  options: { ...KUBE_OPTIONS, exercise: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(raw, { env }) {
    // Hidden commands receive their words unparsed (the CLI treats them like the completion helper).
    const parsed = parseArgs({ args: raw.positionals, options: this.options, allowPositionals: true, strict: true });
    const args = { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
    const caseDir = resolveCaseDir(args.positionals[0] ?? '', defaultCaseParent(env));
    const id = Number(args.values.exercise);
    if (!Number.isInteger(id) || id < 1) throw new UsageError('--exercise must be the exercise number.');
    const kube = await connectFromFlags(args.values, env);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    await runAttacker(caseDir, id, kube, controller.signal);
    return 0;
  },
};
