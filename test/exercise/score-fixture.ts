/** Builds an exercise case through the real store (case evidence.db and exercise.db, real SQLite) with custody rows shaped as kustody's commands write them. */
import { insertExercise, markStopped, openExerciseLog, recordEvent, type ExerciseEventKind } from '../../src/adapters/exercise/exercise-log.js';
import { loadScenario } from '../../src/adapters/exercise/scenario-files.js';
import { createCase, recordAction } from '../../src/adapters/store/case-store.js';
import type { JsonValue } from '../../src/core/custody/canonical-json.js';

/** The exercise namespace of the fixtures. */
export const NS = 'kx-score';
const START = Date.parse('2026-12-07T06:00:00.000Z');

/** ISO time `minutes` scenario minutes (60 s each) after the start. */
export function minute(minutes: number): string {
  return new Date(START + minutes * 60_000).toISOString();
}

/** A case with a token-theft exercise; the returned writer appends custody rows and exercise events. */
export function exerciseCase(parentDir: string) {
  const loaded = loadScenario('token-theft');
  if (loaded.scenario === null) throw new Error(`token-theft does not validate: ${JSON.stringify(loaded.problems)}`);
  const created = createCase({ parentDir, title: 'exercise', host: 'lab', osUser: 'player', now: minute(0), toolName: 'kustody', toolVersion: 'test' });
  const log = openExerciseLog(created.path, { create: true });
  const exerciseId = insertExercise(log, { scenario_id: 'token-theft', scenario_sha256: loaded.sha256 ?? 'x', context: 'admin@kustody-lab', namespace: NS, started_at: minute(0), server: 'https://127.0.0.1:6443', minute_seconds: 60, scenario_json: JSON.stringify(loaded.scenario) });
  const actor = 'player@lab as kustody-responder (lab)';
  const custody = (at: string, kind: string, target: string, detail: JsonValue, outcome: string) => recordAction(created.db, { at, actor, kind, target, detail, outcome }).seq;
  return {
    path: created.path,
    captured: (at: string, pod: string, status = 'complete') => custody(at, 'observe', `pod:${NS}/${pod}`, { step: 'capture-end', capture_id: `cap-${pod}-${at}`, status, unfinished_steps: [], notes: [] }, status),
    isolated: (at: string, pod: string) => custody(at, 'contain', `NetworkPolicy ${NS}/kustody-quarantine-x`, { plan: 'isolate', plan_target: `pod:${NS}/${pod}`, change_id: 'deny-all-policy', title: 'deny all' }, 'applied'),
    released: (at: string, pod: string) => custody(at, 'contain', `NetworkPolicy ${NS}/kustody-quarantine-x`, { plan: 'release', plan_target: `pod:${NS}/${pod}`, change_id: 'remove-policy', title: 'remove' }, 'applied'),
    deletedPod: (at: string, pod: string) => custody(at, 'revoke', `Pod ${NS}/${pod}`, { plan: 'revoke', plan_target: `pod:${NS}/${pod}`, change_id: 'delete-pod', title: 'delete pod' }, 'applied'),
    deletedAccount: (at: string, name: string, changeId: string, outcome = 'applied') => custody(at, 'revoke', `ServiceAccount ${NS}/${name}`, { plan: 'revoke', plan_target: `serviceaccount:${NS}/${name}`, change_id: changeId, title: 'delete account' }, outcome),
    tokens: (at: string, pod: string, outcome: 'revoked' | 'still-valid', beforeAuthenticated = true) => custody(at, 'revoke', `pod:${NS}/${pod}`, { step: 'verify-tokens', checks: [{ fingerprint: 'hmac-sha256:ab', subject: `system:serviceaccount:${NS}:web`, beforeAuthenticated, outcome }] }, outcome),
    swept: (at: string, kind: string, name: string) => custody(at, 'observe', 'case', { step: 'capture-start', capture_id: 'sweep-1', sweep: 'persistence', items: [{ kind, namespace: NS, name, severity: 'high' }] }, 'started'),
    exported: (at: string) => custody(at, 'export', 'case', { file: 'case.tar' }, 'ok'),
    note: (at: string, text: string) => custody(at, 'note', 'case', { text }, 'ok'),
    event: (at: string, kind: ExerciseEventKind, name: string, detail: unknown, outcome: string) => recordEvent(log, exerciseId, { at, kind, name, detail, outcome }),
    stop: (at: string) => markStopped(log, exerciseId, at),
    close: () => {
      log.close();
      created.db.close();
    },
  };
}
