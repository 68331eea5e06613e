/** `kustody exercise start|stop`: deploy a scenario with a live attacker onto a practice cluster, and remove everything it created. */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import { judgeContext, startRefusal } from '../core/exercise/context-guard.js';
import { setupObjects } from '../core/exercise/object-kinds.js';
import { KustodyError, UsageError } from '../core/errors.js';
import { selectClusterAccess } from '../core/kube/kubeconfig-merge.js';
import { blockingExercise, describeInterruption } from '../adapters/exercise/runner-liveness.js';
import { currentExercise, listExercises, markStopped, openExerciseLog, recordEvent, type ExerciseLog, type ExerciseRow } from '../adapters/exercise/exercise-log.js';
import { utcNow } from '../adapters/system/responder-env.js';
import { loadScenario } from '../adapters/exercise/scenario-files.js';
import { loadKubeconfig } from '../adapters/kube/kubeconfig-files.js';
import { resolveCaseDir } from '../adapters/store/case-store.js';
import { startExercise } from '../runner/exercise/start-exercise.js';
import { stopExercise, stopPlan, objectLabel } from '../runner/exercise/stop-exercise.js';
import { defaultCaseParent, type Command } from './command.js';
import { problemLine } from './playbook-commands.js';
import { describeTime } from './exercise-commands.js';
import { KUBE_OPTIONS, kubeOptionsFromFlags } from './kube-options.js';
import { connectFromFlags } from './kube-connect.js';

const CLI_ENTRY = fileURLToPath(new URL('../../bin/kustody.js', import.meta.url));
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The case folder a command names with --case. */
export function caseDirFlag(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): string {
  if (typeof values.case !== 'string') throw new UsageError('--case is required.', 'Pass the case the team works in: --case CASE (`kustody case new` makes one).');
  return resolveCaseDir(values.case, defaultCaseParent(env));
}

/** The kube flags to hand to the attacker process, so it connects exactly as the facilitator did. */
function kubeArgs(values: Record<string, string | boolean | undefined>): string[] {
  const args: string[] = [];
  for (const key of ['kubeconfig', 'context', 'cluster', 'user'] as const) if (typeof values[key] === 'string') args.push(`--${key}`, values[key]);
  if (values['allow-exec-plugin'] === true) args.push('--allow-exec-plugin');
  return args;
}

/** `kustody exercise start ID --case C [--yes] [--i-own-this-cluster]`. */
export const exerciseStart: Command = {
  path: ['exercise', 'start'],
  usage: 'kustody exercise start ID|FILE --case CASE [-n NAMESPACE] [--yes] [--i-own-this-cluster] [--allow-production-context] [--minute-seconds N] [--json]',
  summary: 'deploy a scenario with a live attacker onto a practice cluster (the lab needs only --yes)',
  help: [
    'Creates, in a namespace of its own (-n; default kx-<scenario>-<hex of the case id and its exercise count>, so the plan',
    'and --yes name the same one): the attacker\'s ServiceAccount with the scenario\'s Role, then the scenario\'s workloads; each',
    'object is recorded in CASE/exercise.db before and after it is created, and read back.',
    'Then a detached attacker process (its PID recorded) steals the victim pod\'s token and runs the attacker\'s API actions on',
    'schedule as that identity, and fires injects (at minute N, or when the case\'s custody log shows an event such as pod-isolated).',
    'A call the cluster refuses is recorded and the exercise goes on. Without --yes, only the plan is shown.',
    'The kustody lab needs only --yes; any other context needs --i-own-this-cluster; a context that looks like production',
    '(names or server mentioning prod, EKS/GKE/AKS endpoints) is refused unless --allow-production-context is also given.',
    '--minute-seconds shortens the scenario\'s minute for rehearsals (default 60). `kustody exercise stop CASE --yes` undoes it all.',
  ].join('\n'),
  options: { ...KUBE_OPTIONS, case: { type: 'string' }, yes: { type: 'boolean' }, 'i-own-this-cluster': { type: 'boolean' }, 'allow-production-context': { type: 'boolean' }, 'minute-seconds': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const loaded = loadScenario(args.positionals[0] ?? '');
    if (loaded.scenario === null) {
      for (const problem of loaded.problems) io.err(problemLine(problem));
      throw new KustodyError('SCENARIO_INVALID', 'The scenario is not valid; nothing was started.', { kind: 'usage', nextStep: 'Fix the problems above (`kustody exercise validate FILE`).' });
    }
    const scenario = loaded.scenario;
    const caseDir = caseDirFlag(args.values, env);
    const minuteSeconds = args.values['minute-seconds'] === undefined ? 60 : Number(args.values['minute-seconds']);
    if (!Number.isFinite(minuteSeconds) || minuteSeconds < 0.5 || minuteSeconds > 600) throw new UsageError('--minute-seconds must be a number from 0.5 to 600.');
    const options = kubeOptionsFromFlags(args.values);
    const access = selectClusterAccess(loadKubeconfig(options.kubeconfig, env), { context: options.context, cluster: options.cluster, user: options.user });
    const verdict = judgeContext({ context: access.context, cluster: access.cluster.name, server: String(access.cluster.fields.server ?? '') });
    const refusal = startRefusal(verdict, { ownCluster: args.values['i-own-this-cluster'] === true, allowProduction: args.values['allow-production-context'] === true }, access.context);
    if (refusal !== null) throw new KustodyError('EXERCISE_CONTEXT_REFUSED', refusal.message, { nextStep: refusal.nextStep });
    const log = openExerciseLog(caseDir, { create: true });
    const { blocking: running, interrupted, earlier } = (() => {
      try {
        return { ...blockingExercise(log, utcNow(), 'exercise start'), earlier: listExercises(log).length };
      } finally {
        log.close();
      }
    })();
    if (running !== null) throw new KustodyError('EXERCISE_RUNNING', `The case already runs exercise ${running.scenario_id} in namespace ${running.namespace}.`, { kind: 'usage', nextStep: 'Stop it first (`kustody exercise stop CASE --yes`), or use another case.' });
    if (interrupted !== null) io.err(display`${escapeUntrusted(describeInterruption(interrupted))}`);
    const namespace = typeof args.values.namespace === 'string' ? args.values.namespace : defaultNamespace(scenario.id, caseDir, earlier);
    if (!NAMESPACE.test(namespace)) throw new UsageError(`${JSON.stringify(namespace.slice(0, 80))} is not a valid namespace name.`);
    if (!json) {
      io.out(display`Exercise ${escapeUntrusted(scenario.id)} on context ${escapeUntrusted(access.context)} (${escapeUntrusted(verdict.kind)}), namespace ${escapeUntrusted(namespace)}:`);
      for (const item of setupObjects(scenario, namespace)) io.out(display`  create   ${escapeUntrusted(String(item.object.kind))} ${escapeUntrusted(String((item.object.metadata as { name?: string }).name ?? ''))}`);
      for (const a of scenario.actions) io.out(display`  attacker ${escapeUntrusted(describeTime(a.at).padEnd(18))} ${escapeUntrusted(a.description)}`);
    }
    if (args.values.yes !== true) {
      if (json) io.out(toSafeJson({ status: 'not-confirmed', namespace }));
      else io.out(trusted('Nothing was created. Review the plan above and run again with --yes to start.'));
      return 1;
    }
    const kube = await connectFromFlags({ ...args.values, namespace: undefined }, env);
    try {
      const started = await startExercise({
        caseDir, scenario, scenarioSha256: loaded.sha256, kube, namespace, minuteSeconds,
        attacker: { entry: CLI_ENTRY, kubeArgs: kubeArgs(args.values), env },
        progress: (line) => { if (!json) io.out(display`  ${escapeUntrusted(line)}`); },
      });
      if (json) io.out(toSafeJson({ status: 'started', exercise: started.exerciseId, namespace, attacker_pid: started.attackerPid, objects: started.created }));
      else io.out(display`Started: attacker process ${started.attackerPid}. Watch with \`kustody exercise watch ${escapeUntrusted(caseDir)}\`; stop with \`kustody exercise stop ${escapeUntrusted(caseDir)} --yes\`.`);
      return 0;
    } catch (error) {
      if (error instanceof KustodyError && error.code === 'EXERCISE_NAMESPACE_EXISTS') throw error;
      io.err(trusted('Start failed; removing what it created.'));
      await stopRecorded(caseDir, kube, (line) => io.err(display`  ${escapeUntrusted(line)}`));
      throw error;
    }
  },
};

/**
 * The namespace an exercise gets without -n: the scenario id and a suffix from the case's id and how
 * many exercises the case already holds, so the plan shown without --yes names the namespace --yes creates.
 */
export function defaultNamespace(scenarioId: string, caseDir: string, earlierExercises: number): string {
  const suffix = createHash('sha256').update(`${basename(caseDir)}\n${earlierExercises}`).digest('hex').slice(0, 6);
  return `kx-${scenarioId.slice(0, 40)}-${suffix}`;
}

async function stopRecorded(caseDir: string, kube: Awaited<ReturnType<typeof connectFromFlags>>, progress: (line: string) => void) {
  const log = openExerciseLog(caseDir, { create: false });
  try {
    const exercise = currentExercise(log);
    return exercise === undefined ? null : await stopExercise(log, exercise, kube, progress);
  } finally {
    log.close();
  }
}

/** `kustody exercise stop CASE [--yes]`. */
export const exerciseStop: Command = {
  path: ['exercise', 'stop'],
  usage: 'kustody exercise stop CASE [--yes] [--json]',
  summary: 'stop the attacker and remove everything the exercise created (from the exercise log alone)',
  help: [
    'Reads CASE/exercise.db, stops the attacker process (only if its PID still is that process), deletes every object the',
    'exercise created or was about to create (newest first; by uid, so a replacement is left alone), reads each back until it',
    'is gone, and records every step. Works after kustody was killed mid-exercise. Without --yes, only the plan is shown.',
    'Changes the team made (isolation, revocation) are theirs: undo them with kustody release/cleanup.',
  ].join('\n'),
  options: { ...KUBE_OPTIONS, yes: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const caseDir = resolveCaseDir(args.positionals[0] ?? '', defaultCaseParent(env));
    const log = openExerciseLog(caseDir, { create: false });
    try {
      const exercise = currentExercise(log);
      if (exercise === undefined) {
        if (json) io.out(toSafeJson({ status: 'nothing-to-do' }));
        else io.out(trusted('No exercise is running in this case: nothing to stop.'));
        return 0;
      }
      const plan = stopPlan(log, exercise);
      if (!json) {
        io.out(display`Stop exercise ${escapeUntrusted(exercise.scenario_id)} in namespace ${escapeUntrusted(exercise.namespace)} (context ${escapeUntrusted(exercise.context)}):`);
        if (exercise.attacker_pid !== null) io.out(display`  stop     attacker process ${exercise.attacker_pid}`);
        for (const ref of plan) io.out(display`  delete   ${escapeUntrusted(objectLabel(ref))}${ref.uid === null ? trusted(' (intent only: deleted if it exists)') : trusted('')}`);
      }
      if (args.values.yes !== true) {
        if (json) io.out(toSafeJson({ status: 'not-confirmed', objects: plan }));
        else io.out(trusted('Nothing was changed. Review the plan above and run again with --yes to stop.'));
        return 1;
      }
      if (exercise.context === 'replay') return stopReplay(log, exercise, json, io);
      const kube = await connectFromFlags(args.values, env);
      if (kube.server !== exercise.server) throw new KustodyError('EXERCISE_OTHER_CLUSTER', `The exercise runs on ${exercise.server}, but the current context points at ${kube.server}.`, { kind: 'usage', nextStep: `Switch to context ${exercise.context} (or pass --context) and run stop again.` });
      const result = await stopExercise(log, exercise, kube, (line) => { if (!json) io.out(display`  ${escapeUntrusted(line)}`); });
      if (json) io.out(toSafeJson({ status: result.leftOver.length === 0 ? 'stopped' : 'incomplete', attacker: result.attacker, objects: result.objects, left_over: result.leftOver }));
      else io.out(result.leftOver.length === 0 ? trusted('Stopped: everything the exercise created is gone (read back).') : display`Still present after the wait: ${escapeUntrusted(result.leftOver.join(', '))}. Run stop again.`);
      return result.leftOver.length === 0 ? 0 : 1;
    } finally {
      log.close();
    }
  },
};

/** A replay left open (its process killed) created nothing in any cluster: stopping it only closes it in the log. */
function stopReplay(log: ExerciseLog, exercise: ExerciseRow, json: boolean, io: { out(line: DisplayText): void }): number {
  recordEvent(log, exercise.id, { at: utcNow(), kind: 'facilitator', name: 'replay-stopped', detail: { by: 'exercise stop', simulated: true }, outcome: 'ok' });
  markStopped(log, exercise.id, utcNow());
  if (json) io.out(toSafeJson({ status: 'stopped', replay: true, objects: [] }));
  else io.out(trusted('Stopped the replay (it created nothing in any cluster).'));
  return 0;
}
