/**
 * The detached attacker process (`kustody exercise __attacker`): steals the victim's token (a
 * TokenRequest bound to the victim pod, kept in memory only), then on every tick runs the attacker
 * actions and injects that are due, by the scenario's clock, the team's custody log and the
 * facilitator's requests, recording each in the exercise log. Ends when the exercise is stopped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dueItems, elapsedMinutes, eventsOf, type CustodyRowFacts } from '../../core/exercise/schedule.js';
import type { Scenario, ScenarioEvent } from '../../core/exercise/scenario.js';
import { configWithToken, mintBoundToken, objectApi } from '../../adapters/exercise/exercise-cluster.js';
import { listEvents, openExerciseLog, recordEvent, type ExerciseLog, type ExerciseRow } from '../../adapters/exercise/exercise-log.js';
import type { KubeClients } from '../../adapters/kube/kube-client.js';
import { iterateActions } from '../../adapters/store/case-reader.js';
import { CASE_DB_FILE } from '../../adapters/store/case-store.js';
import { openReadableDb } from '../../adapters/store/open-store.js';
import { utcNow } from '../../adapters/system/responder-env.js';
import { messageOf } from '../../core/errors.js';
import { runAttackerCall, type AttackerContext } from './attacker-actions.js';

/** Runs the attacker until the exercise is stopped or `signal` aborts. */
export async function runAttacker(caseDir: string, exerciseId: number, kube: KubeClients, signal: AbortSignal): Promise<void> {
  const log = openExerciseLog(caseDir, { create: false });
  try {
    const exercise = log.db.prepare('SELECT * FROM exercise WHERE id = ?').get(exerciseId) as ExerciseRow | undefined;
    if (exercise === undefined || exercise.stopped_at !== null) return;
    const scenario = JSON.parse(exercise.scenario_json) as Scenario;
    const ctx = await stealToken(log, exercise, scenario, kube);
    const tickMs = Math.min(5000, Math.max(250, exercise.minute_seconds * 250));
    while (!signal.aborted) {
      const current = log.db.prepare('SELECT stopped_at FROM exercise WHERE id = ?').get(exerciseId) as { stopped_at: string | null };
      if (current.stopped_at !== null) break;
      try {
        await tick(ctx, exercise, scenario, caseDir);
      } catch (error) {
        recordEvent(log, exerciseId, { at: utcNow(), kind: 'error', name: 'attacker-tick', detail: { error: messageOf(error) }, outcome: 'failed' });
      }
      await sleep(tickMs, signal);
    }
    recordEvent(log, exerciseId, { at: utcNow(), kind: 'facilitator', name: 'attacker-exited', detail: { reason: signal.aborted ? 'signal' : 'exercise stopped' }, outcome: 'ok' });
  } finally {
    log.close();
  }
}

async function stealToken(log: ExerciseLog, exercise: ExerciseRow, scenario: Scenario, kube: KubeClients): Promise<AttackerContext> {
  const { serviceAccount, boundToPod } = scenario.attacker;
  const identity = `system:serviceaccount:${exercise.namespace}:${serviceAccount}`;
  const podIps = new Map<string, string>();
  let victimUid: string | null = null;
  for (const row of listEvents(log, exercise.id)) {
    if (row.kind !== 'facilitator' || row.name !== 'workload-ready') continue;
    const d = JSON.parse(row.detail_json) as { workload: string; pod_ip: string; uid: string };
    podIps.set(d.workload, d.pod_ip);
    if (d.workload === boundToPod) victimUid = d.uid;
  }
  const base = { source: 'setup', description: `The attacker steals the ${serviceAccount} token from pod ${boundToPod}.`, technique: 'T1528', identity, do: 'steal-token', bound_to_pod: boundToPod };
  const already = listEvents(log, exercise.id).some((r) => r.kind === 'attacker-action' && r.name === 'steal-token');
  try {
    if (victimUid === null) throw new Error(`the victim pod ${boundToPod} was never ready`);
    const lifetime = Math.max(3600, Math.ceil(scenario.durationMinutes * exercise.minute_seconds * 2) + 600);
    const token = await mintBoundToken(kube, exercise.namespace, serviceAccount, { name: boundToPod, uid: victimUid }, lifetime);
    if (!already) recordEvent(log, exercise.id, { at: utcNow(), kind: 'attacker-action', name: 'steal-token', detail: { ...base, expiration_seconds: lifetime }, outcome: 'ok' });
    return { log, exerciseId: exercise.id, namespace: exercise.namespace, api: objectApi(configWithToken(kube, token)), identity, podIps };
  } catch (error) {
    recordEvent(log, exercise.id, { at: utcNow(), kind: 'attacker-action', name: 'steal-token', detail: { ...base, error: messageOf(error) }, outcome: 'failed' });
    return { log, exerciseId: exercise.id, namespace: exercise.namespace, api: null, identity, podIps };
  }
}

async function tick(ctx: AttackerContext, exercise: ExerciseRow, scenario: Scenario, caseDir: string): Promise<void> {
  const rows = listEvents(ctx.log, exercise.id);
  const doneActions = new Set(rows.filter((r) => r.kind === 'attacker-action').map((r) => r.name));
  const firedInjects = new Set(rows.filter((r) => r.kind === 'inject' && r.outcome === 'fired').map((r) => r.name));
  const requested = rows.filter((r) => r.kind === 'inject' && r.outcome === 'requested' && !firedInjects.has(r.name)).map((r) => r.name);
  const started = (ctx.log.db.prepare('SELECT started_at FROM exercise WHERE id = ?').get(exercise.id) as { started_at: string }).started_at;
  const events = readCaseEvents(caseDir, exercise.namespace);
  const due = dueItems(scenario, { elapsedMinutes: elapsedMinutes(started, utcNow(), exercise.minute_seconds), doneActions, firedInjects, events: new Set(events.keys()) });
  for (const id of requested) if (!due.some((d) => d.type === 'inject' && d.id === id)) due.push({ type: 'inject', id });
  for (const item of due) {
    if (item.type === 'action') {
      const action = scenario.actions.find((a) => a.id === item.id);
      if (action !== undefined) await runAttackerCall(ctx, action.id, action, { kind: 'action', description: action.description, technique: action.technique });
      continue;
    }
    const inject = scenario.injects.find((i) => i.id === item.id);
    if (inject === undefined) continue;
    const trigger = 'event' in inject.at && events.has(inject.at.event) && !requested.includes(inject.id) ? { event: inject.at.event, custody_seq: events.get(inject.at.event)?.seq } : requested.includes(inject.id) ? { by: 'facilitator' } : { minute: 'minute' in inject.at ? inject.at.minute : null };
    recordEvent(ctx.log, exercise.id, { at: utcNow(), kind: 'inject', name: inject.id, detail: { message: inject.message.replaceAll('${{ namespace }}', exercise.namespace), trigger, has_action: inject.action !== null }, outcome: 'fired' });
    if (inject.action !== null) await runAttackerCall(ctx, `inject:${inject.id}`, inject.action, { kind: 'inject', description: inject.message, technique: null });
  }
}

/** The scenario events the case's custody log shows so far (read-only; a case without rows yet shows none). */
export function readCaseEvents(caseDir: string, namespace: string): Map<ScenarioEvent, { at: string; seq: number }> {
  const path = join(caseDir, CASE_DB_FILE);
  if (!existsSync(path)) return new Map();
  const db = openReadableDb(path);
  try {
    const rows: CustodyRowFacts[] = [];
    for (const row of iterateActions(db)) rows.push({ seq: row.seq, at: row.at, kind: row.kind, target: row.target, outcome: row.outcome, detail: row.detail });
    return eventsOf(rows, namespace);
  } finally {
    db.close();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
