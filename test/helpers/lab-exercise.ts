/**
 * One exercise on the lab, set up as the README tells a facilitator: a case of its own, `exercise start
 * PACK --case C -n NS --minute-seconds N --yes` as the lab's admin in a namespace unique to the test,
 * the players' commands as the least-privilege responder, and at the end `exercise stop`, read back
 * object by object with the lab's kubectl, and the final score. Stop also runs after a failed test.
 */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ScoreCard } from '../../src/core/exercise/score.js';
import { kubectl, type LabEnv } from './lab.js';
import { makeTempDir, newCase, runKustody, type CliRun } from './cli.js';

/** The facilitator's environment: the lab's admin kubeconfig. */
export function facilitatorEnv(lab: LabEnv): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', KUBECONFIG: lab.adminKubeconfig };
}

/** The players' environment: the lab's least-privilege responder. */
export function playerEnv(lab: LabEnv): Record<string, string> {
  return { ...facilitatorEnv(lab), KUBECONFIG: lab.responderKubeconfig };
}

/** A namespace name unique to this test run. */
export function uniqueNamespace(tag: string): string {
  return `kxt-${tag}-${randomBytes(3).toString('hex')}`;
}

/** Runs an exercise command as the facilitator. */
export function exerciseCli(lab: LabEnv, args: readonly string[]): Promise<CliRun> {
  return runKustody(['exercise', ...args], { env: facilitatorEnv(lab) });
}

/** A started exercise: its case, namespace, attacker process, and the players' and facilitator's command lines. */
export interface LabExercise {
  lab: LabEnv;
  /** A private folder for the test's files (the case is inside it). */
  dir: string;
  casePath: string;
  namespace: string;
  attackerPid: number;
  /** Runs `kustody ARGS` as a player (the responder) and asserts it exits 0. */
  team: (args: readonly string[]) => Promise<CliRun>;
  /** Runs `kustody exercise ARGS` as the facilitator (any exit code). */
  facilitator: (args: readonly string[]) => Promise<CliRun>;
}

/**
 * Opens a case and starts `pack` in a fresh namespace (`kxt-TAG-…`) with a scenario minute of
 * `minuteSeconds`; the exercise is stopped and the folder removed after the test, whatever happened.
 */
export async function startLabExercise(t: TestContext, lab: LabEnv, pack: string, tag: string, minuteSeconds: number): Promise<LabExercise> {
  const { dir, casePath, namespace } = await labExerciseCase(t, lab, tag);
  const start = await exerciseCli(lab, ['start', pack, '--case', casePath, '-n', namespace, '--minute-seconds', String(minuteSeconds), '--yes', '--json']);
  assert.equal(start.exitCode, 0, start.stdout + start.stderr);
  const started = JSON.parse(start.stdout) as { attacker_pid: number; namespace: string };
  assert.equal(started.namespace, namespace);
  const team = async (args: readonly string[]) => {
    const run = await runKustody(args, { env: playerEnv(lab) });
    assert.equal(run.exitCode, 0, `kustody ${args.join(' ')}: ${run.stdout}${run.stderr}`);
    return run;
  };
  return { lab, dir, casePath, namespace, attackerPid: started.attacker_pid, team, facilitator: (args) => exerciseCli(lab, args) };
}

/**
 * A case and a fresh namespace name for an exercise the test starts itself (in its own way); the
 * exercise in that case is stopped and the folder removed after the test. `dir` may hold more cases.
 */
export async function labExerciseCase(t: TestContext, lab: LabEnv, tag: string, dir?: string): Promise<{ dir: string; casePath: string; namespace: string }> {
  let parent = dir;
  if (parent === undefined) {
    const temp = makeTempDir();
    t.after(temp.cleanup);
    parent = temp.dir;
  }
  const kase = await newCase(parent, `exercise ${tag}`);
  t.after(async () => { await exerciseCli(lab, ['stop', kase.path, '--yes']); });
  return { dir: parent, casePath: kase.path, namespace: uniqueNamespace(tag) };
}

/** Waits (bounded, generous) until a pod of the exercise is Ready, so the players can capture it. */
export async function waitPodReady(ex: LabExercise, pod: string, timeoutSeconds = 180): Promise<void> {
  const ready = await kubectl(ex.lab, 'admin', ['wait', '--for=condition=Ready', `pod/${pod}`, '-n', ex.namespace, `--timeout=${timeoutSeconds}s`], { timeout: (timeoutSeconds + 30) * 1000 });
  assert.equal(ready.exitCode, 0, `pod ${ex.namespace}/${pod} never became Ready: ${ready.stderr}`);
}

/** The objects the exercise log says the exercise created (`Kind`, namespace or null, name, uid). */
export function createdObjects(casePath: string): Array<{ apiVersion: string; kind: string; namespace: string | null; name: string; uid: string | null }> {
  const db = new Database(join(casePath, 'exercise.db'), { readonly: true });
  try {
    const rows = db.prepare("SELECT detail_json FROM exercise_events WHERE kind = 'created-object' AND outcome IN ('created', 'unverified')").pluck().all() as string[];
    return rows.map((r) => JSON.parse(r) as { apiVersion: string; kind: string; namespace: string | null; name: string; uid: string | null });
  } finally {
    db.close();
  }
}

/**
 * `exercise stop --yes` as the README's end of an exercise, then every object the exercise log says it
 * created read back with the lab's admin kubectl: none is left with its uid (and the namespace is gone).
 * Returns the objects checked.
 */
export async function stopAndReadBack(ex: Pick<LabExercise, 'lab' | 'casePath' | 'namespace'>): Promise<string[]> {
  const stop = await exerciseCli(ex.lab, ['stop', ex.casePath, '--yes', '--json']);
  assert.equal(stop.exitCode, 0, stop.stdout + stop.stderr);
  assert.equal((JSON.parse(stop.stdout) as { status: string }).status, 'stopped', stop.stdout);
  const checked: string[] = [];
  for (const object of createdObjects(ex.casePath)) {
    const group = object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.indexOf('/')) : '';
    const args = ['get', group === '' ? object.kind : `${object.kind}.${group}`, object.name, '--ignore-not-found', '-o', 'jsonpath={.metadata.uid}'];
    const got = await kubectl(ex.lab, 'admin', object.namespace === null ? args : [...args, '-n', object.namespace]);
    assert.equal(got.exitCode, 0, got.stderr);
    assert.ok(got.stdout.trim() === '' || got.stdout.trim() !== object.uid, `${object.kind} ${object.namespace ?? ''}/${object.name} is still there after exercise stop`);
    checked.push(`${object.kind} ${object.namespace === null ? '' : `${object.namespace}/`}${object.name}`);
  }
  const ns = await kubectl(ex.lab, 'admin', ['get', 'namespace', ex.namespace, '--ignore-not-found', '-o', 'name']);
  assert.equal(ns.stdout.trim(), '', `namespace ${ex.namespace} still exists after stop`);
  return checked;
}

/** `exercise score --json` as the facilitator. */
export async function scoreCard(ex: LabExercise): Promise<ScoreCard> {
  const score = await exerciseCli(ex.lab, ['score', ex.casePath, '--json']);
  assert.equal(score.exitCode, 0, score.stderr);
  return JSON.parse(score.stdout) as ScoreCard;
}

/** The score's items as `id: met|missed` (objectives) and `id: made|avoided` (mistakes), for one readable assertion. */
export function verdicts(card: ScoreCard): Record<string, string> {
  return Object.fromEntries(card.items.map((i) => [i.id, i.kind === 'mistake' ? (i.met ? 'made' : 'avoided') : i.kind === 'hint' ? 'taken' : (i.met ? 'met' : 'missed')]));
}
