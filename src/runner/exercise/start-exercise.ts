/**
 * `exercise start`: creates the exercise's namespace, the attacker's identity and the scenario's
 * workloads as the facilitator (each object's intent recorded before the call and its uid after, then
 * read back), starts the clock, and launches the detached attacker process with its PID recorded.
 */
import { createHash } from 'node:crypto';
import { objectForExercise, setupObjects } from '../../core/exercise/object-kinds.js';
import type { Scenario } from '../../core/exercise/scenario.js';
import { spawnDetached } from '../../adapters/exercise/attacker-process.js';
import { createObject, objectApi, readObjectRef, waitPodReady } from '../../adapters/exercise/exercise-cluster.js';
import { insertExercise, openExerciseLog, recordEvent, setAttackerProcess, type ExerciseLog } from '../../adapters/exercise/exercise-log.js';
import type { KubeClients } from '../../adapters/kube/kube-client.js';
import { utcNow } from '../../adapters/system/responder-env.js';
import { KustodyError, messageOf } from '../../core/errors.js';
import { pausePoint } from '../pause-points.js';

/** What `start` needs. */
export interface StartInput {
  caseDir: string;
  scenario: Scenario;
  scenarioSha256: string;
  kube: KubeClients;
  namespace: string;
  minuteSeconds: number;
  /** The CLI entry point and the flags the attacker process connects with. */
  attacker: { entry: string; kubeArgs: string[]; env: NodeJS.ProcessEnv };
  progress(line: string): void;
}

/** A started exercise. */
export interface StartedExercise {
  exerciseId: number;
  namespace: string;
  attackerPid: number;
  created: number;
}

const READY_TIMEOUT_MS = 180_000;

/** Runs the start; on a failure it records the error and throws (the caller then cleans up with stop). */
export async function startExercise(input: StartInput): Promise<StartedExercise> {
  const { scenario, kube, namespace } = input;
  const api = objectApi(kube.config);
  if (await readObjectRef(api, { apiVersion: 'v1', kind: 'Namespace', namespace: null, name: namespace }) !== null) {
    throw new KustodyError('EXERCISE_NAMESPACE_EXISTS', `Namespace ${namespace} already exists; an exercise needs a namespace of its own (stop deletes it).`, { kind: 'usage', nextStep: 'Pick another name with -n, or leave -n out for a fresh one.' });
  }
  const log = openExerciseLog(input.caseDir, { create: true });
  try {
    const exerciseId = insertExercise(log, {
      scenario_id: scenario.id, scenario_sha256: input.scenarioSha256, context: kube.context, namespace, started_at: utcNow(),
      server: kube.server, minute_seconds: input.minuteSeconds, scenario_json: JSON.stringify(withoutWorkloadSecretValues(scenario)),
    });
    const created = await createSetup(log, exerciseId, input, api);
    const startedAt = utcNow();
    log.db.prepare('UPDATE exercise SET started_at = ? WHERE id = ?').run(startedAt, exerciseId);
    recordEvent(log, exerciseId, { at: startedAt, kind: 'facilitator', name: 'clock-started', detail: { minute_seconds: input.minuteSeconds }, outcome: 'ok' });
    const args = ['exercise', '__attacker', input.caseDir, '--exercise', String(exerciseId), ...input.attacker.kubeArgs];
    const child = spawnDetached(input.attacker.entry, args, input.attacker.env);
    setAttackerProcess(log, exerciseId, child.pid, child.startTicks);
    recordEvent(log, exerciseId, { at: utcNow(), kind: 'facilitator', name: 'attacker-started', detail: { pid: child.pid }, outcome: 'ok' });
    return { exerciseId, namespace, attackerPid: child.pid, created };
  } finally {
    log.close();
  }
}

async function createSetup(log: ExerciseLog, exerciseId: number, input: StartInput, api: ReturnType<typeof objectApi>): Promise<number> {
  const podIps = new Map<string, string>();
  let created = 0;
  for (const item of setupObjects(input.scenario, input.namespace)) {
    const object = objectForExercise(item.object, input.namespace, podIps);
    const meta = object.metadata as { name: string; namespace?: string };
    const ref = { apiVersion: String(object.apiVersion), kind: String(object.kind), namespace: meta.namespace ?? null, name: meta.name };
    const label = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
    recordEvent(log, exerciseId, { at: utcNow(), kind: 'created-object', name: label, detail: { ...ref, uid: null, by: 'facilitator', workload: item.name }, outcome: 'intent' });
    let answer: Record<string, unknown>;
    try {
      answer = await createObject(api, object);
    } catch (error) {
      recordEvent(log, exerciseId, { at: utcNow(), kind: 'error', name: label, detail: { step: 'create', error: messageOf(error) }, outcome: 'failed' });
      throw new KustodyError('EXERCISE_SETUP_FAILED', `Could not create ${label}: ${messageOf(error)}`, { nextStep: 'Fix the cause; the objects created so far are removed by `kustody exercise stop CASE --yes`.' });
    }
    await pausePoint(`exercise-after-create:${item.name}`);
    const back = await readObjectRef(api, ref);
    const uid = String(((answer.metadata ?? {}) as { uid?: string }).uid ?? '');
    const readBack = ((back?.metadata ?? {}) as { uid?: string }).uid === uid;
    recordEvent(log, exerciseId, { at: utcNow(), kind: 'created-object', name: label, detail: { ...ref, uid, by: 'facilitator', workload: item.name, sha256: sha256(object) }, outcome: readBack ? 'created' : 'unverified' });
    created += 1;
    input.progress(`created ${label}`);
    if (item.waitReady) {
      const pod = await waitPodReady(input.kube, input.namespace, ref.name, READY_TIMEOUT_MS);
      podIps.set(item.name, pod.ip);
      recordEvent(log, exerciseId, { at: utcNow(), kind: 'facilitator', name: 'workload-ready', detail: { workload: item.name, pod_ip: pod.ip, uid: pod.uid }, outcome: 'ok' });
      input.progress(`ready   ${label} (${pod.ip})`);
    }
  }
  return created;
}

function sha256(object: unknown): string {
  return createHash('sha256').update(JSON.stringify(object)).digest('hex');
}

/**
 * The scenario as the exercise log keeps it: the values of the Secrets its workloads create are left
 * out (only start creates workloads, from the file whose SHA-256 is recorded), so no credential, even a
 * practice one, sits in the log.
 */
function withoutWorkloadSecretValues(scenario: Scenario): Scenario {
  const workloads = scenario.workloads.map((w) => {
    if (w.object.kind !== 'Secret') return w;
    const { data: _data, stringData: _stringData, ...rest } = w.object;
    return { ...w, object: { ...rest, data: '(left out of the exercise log)' } };
  });
  return { ...scenario, workloads };
}
