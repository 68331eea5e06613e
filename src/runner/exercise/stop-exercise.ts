/**
 * `exercise stop`: from the exercise log alone (it works after kustody was killed mid-exercise),
 * stops the attacker process if it is still the recorded one, deletes every object the exercise
 * created, newest first and by uid, reads each back until it is gone, records every step, and marks
 * the exercise stopped only when nothing it created is left.
 */
import { EXERCISE_LABEL } from '../../core/exercise/object-kinds.js';
import { stopProcess } from '../../adapters/exercise/attacker-process.js';
import { deleteObjectRef, listNames, objectApi, readObjectRef, type ObjectRef } from '../../adapters/exercise/exercise-cluster.js';
import { createdObjects, markStopped, recordEvent, type ExerciseLog, type ExerciseObjectRef, type ExerciseRow } from '../../adapters/exercise/exercise-log.js';
import type { KubeClients } from '../../adapters/kube/kube-client.js';
import { utcNow } from '../../adapters/system/responder-env.js';
import { messageOf } from '../../core/errors.js';

/** How the stop went: every object's fate and whether anything is left. */
export interface StopResult {
  attacker: 'not-running' | 'stopped' | 'killed' | 'none';
  objects: Array<{ label: string; outcome: string }>;
  leftOver: string[];
}

const GONE_TIMEOUT_MS = 150_000;

/** The objects stop will delete, newest first (for the preview). */
export function stopPlan(log: ExerciseLog, exercise: ExerciseRow): ExerciseObjectRef[] {
  return createdObjects(log, exercise.id);
}

/** A readable label for an object. */
export function objectLabel(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** Stops the exercise; `progress` gets one line per step. */
export async function stopExercise(log: ExerciseLog, exercise: ExerciseRow, kube: KubeClients, progress: (line: string) => void): Promise<StopResult> {
  const record = (kind: 'facilitator' | 'deleted-object' | 'error', name: string, detail: unknown, outcome: string) => recordEvent(log, exercise.id, { at: utcNow(), kind, name, detail, outcome });
  let attacker: StopResult['attacker'] = 'none';
  if (exercise.attacker_pid !== null) {
    attacker = await stopProcess(exercise.attacker_pid, exercise.attacker_start_ticks);
    record('facilitator', 'attacker-stopped', { pid: exercise.attacker_pid }, attacker);
    progress(`attacker process ${exercise.attacker_pid}: ${attacker}`);
  }
  const api = objectApi(kube.config);
  const objects = createdObjects(log, exercise.id);
  const results: StopResult['objects'] = [];
  for (const ref of objects) {
    const label = objectLabel(ref);
    try {
      const outcome = await deleteObjectRef(api, ref, ref.uid);
      record('deleted-object', label, { ...ref }, outcome);
      results.push({ label, outcome });
      progress(`${outcome.padEnd(9)} ${label}`);
    } catch (error) {
      record('error', label, { step: 'delete', error: messageOf(error) }, 'failed');
      results.push({ label, outcome: 'failed' });
      progress(`failed    ${label}: ${messageOf(error)}`);
    }
  }
  for (const ref of await strayClusterObjects(api, exercise.namespace, objects)) {
    const outcome = await deleteObjectRef(api, ref, null);
    record('deleted-object', objectLabel(ref), { ...ref, uid: null, found_by: 'sweep' }, outcome);
    results.push({ label: objectLabel(ref), outcome });
    objects.push({ ...ref, uid: null, by: 'attacker' });
  }
  const leftOver = await waitGone(api, objects);
  for (const ref of objects) {
    const label = objectLabel(ref);
    record('deleted-object', label, { ...ref, read_back: true }, leftOver.includes(label) ? 'still-present' : 'gone');
  }
  if (leftOver.length === 0) markStopped(log, exercise.id, utcNow());
  else record('error', 'stop', { left_over: leftOver }, 'incomplete');
  return { attacker, objects: results, leftOver };
}

/** Cluster-scoped objects that carry the exercise's namespace in their name or label but are not in the log (a safety net). */
async function strayClusterObjects(api: ReturnType<typeof objectApi>, namespace: string, known: ExerciseObjectRef[]): Promise<ObjectRef[]> {
  const stray: ObjectRef[] = [];
  for (const kind of ['ClusterRole', 'ClusterRoleBinding']) {
    const names = await listNames(api, 'rbac.authorization.k8s.io/v1', kind, null).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.includes(namespace) || known.some((k) => k.kind === kind && k.name === name)) continue;
      const object = await readObjectRef(api, { apiVersion: 'rbac.authorization.k8s.io/v1', kind, namespace: null, name });
      const labels = ((object?.metadata ?? {}) as { labels?: Record<string, string> }).labels ?? {};
      if (labels[EXERCISE_LABEL] === namespace || name.includes(namespace)) stray.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, namespace: null, name });
    }
  }
  return stray;
}

/** Reads every object back until none is left (an object with another uid is not ours); returns those still there at the timeout. */
async function waitGone(api: ReturnType<typeof objectApi>, objects: ExerciseObjectRef[]): Promise<string[]> {
  const deadline = Date.now() + GONE_TIMEOUT_MS;
  let pending = objects;
  for (;;) {
    const still: ExerciseObjectRef[] = [];
    for (const ref of pending) {
      const object = await readObjectRef(api, ref);
      const uid = ((object?.metadata ?? {}) as { uid?: string }).uid;
      if (object !== null && (ref.uid === null || uid === ref.uid)) still.push(ref);
    }
    if (still.length === 0 || Date.now() > deadline) return still.map(objectLabel);
    pending = still;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
