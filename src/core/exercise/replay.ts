/**
 * Replay without a cluster: what each team move would have done, as custody rows marked simulated
 * (outcome `simulated`, detail `simulated: true`) in the shapes scoring and the inject clock read from
 * real runs; and what each attacker action or inject does, with the outcome the recorded lab run got.
 * A small world model keeps it honest: a pod deleted cannot be captured, a pod the attacker has not
 * started yet cannot be found, a sweep lists only what the attacker has planted so far. Pure.
 */
import type { JsonValue } from '../custody/canonical-json.js';
import type { Scenario } from './scenario-types.js';
import type { Recording, RecordedEvent } from './recording.js';
import type { Move } from './replay-moves.js';
import { SIMULATED_CAPTURE_STEP } from './score-facts.js';

/** The outcome every simulated custody row carries. */
export const SIMULATED = 'simulated';

/** A custody row to append (time and actor are the runner's). */
export interface SimulatedRow {
  kind: string;
  target: string;
  detail: JsonValue;
  outcome: string;
}

/** What the replay knows about the cluster that is not there. */
export interface ReplayWorld {
  namespace: string;
  /** Pods that exist now, with their ServiceAccount. */
  pods: Map<string, string>;
  /** ServiceAccounts that exist now: the attacker's, the workloads', and those the attacker created. */
  accounts: Set<string>;
  /** Objects the attacker has created so far (kind and name). */
  planted: Array<{ kind: string; name: string }>;
  /** Pods deleted outside kustody (what `exercise stop` would find gone). */
  deletedOutside: string[];
}

interface ObjectLike {
  kind?: unknown;
  metadata?: { name?: unknown };
  spec?: { serviceAccountName?: unknown };
}

const nameOf = (o: ObjectLike): string => (typeof o.metadata?.name === 'string' ? o.metadata.name : '');
const saOf = (o: ObjectLike): string => (typeof o.spec?.serviceAccountName === 'string' ? o.spec.serviceAccountName : 'default');

/** The world at the start: the scenario's workload pods. */
export function initialWorld(scenario: Scenario, namespace: string): ReplayWorld {
  const pods = new Map<string, string>();
  for (const w of scenario.workloads) if (w.object.kind === 'Pod') pods.set(nameOf(w.object as ObjectLike) || w.name, saOf(w.object as ObjectLike));
  return { namespace, pods, accounts: new Set([scenario.attacker.serviceAccount, ...pods.values()]), planted: [], deletedOutside: [] };
}

/** The recorded outcome of an attacker call (`name` is the action id, `inject:ID` for an inject's action), or null. */
export function recordedOutcome(recording: Recording, name: string): RecordedEvent | null {
  return recording.events.find((e) => e.kind === 'attacker-action' && e.name === name) ?? null;
}

/** Plays one attacker action: its recorded outcome, and what it created when that outcome was ok. */
export function replayAttackerAction(scenario: Scenario, recording: Recording, world: ReplayWorld, name: string): { outcome: string; detail: Record<string, JsonValue> } {
  const recorded = recordedOutcome(recording, name);
  const action = name.startsWith('inject:') ? scenario.injects.find((i) => `inject:${i.id}` === name)?.action : scenario.actions.find((a) => a.id === name);
  const outcome = recorded?.outcome ?? 'not-recorded';
  const detail: Record<string, JsonValue> = { ...(recorded?.detail ?? {}), replayed: true, recorded_minute: recorded?.minute ?? null };
  if (outcome === 'ok' && action !== undefined && action !== null && action.do === 'create') {
    const object = action.object as ObjectLike;
    const kind = typeof object.kind === 'string' ? object.kind : '';
    world.planted.push({ kind, name: nameOf(object) });
    if (kind === 'Pod') world.pods.set(nameOf(object), saOf(object));
    if (kind === 'ServiceAccount') world.accounts.add(nameOf(object));
  }
  return { outcome, detail };
}

/** The custody rows a team move leaves (none for a deletion outside kustody: it is found gone at the end, as `exercise stop` would). */
export function simulateMove(move: Move, world: ReplayWorld, recording: Recording): SimulatedRow[] {
  const ns = world.namespace;
  const podTarget = `pod:${ns}/${move.pod ?? ''}`;
  const base = { simulated: true, replay_of: recording.recorded_at, move: move.move };
  const exists = move.pod !== null && world.pods.has(move.pod);
  const gone = (kind: string, extra: Record<string, JsonValue> = {}): SimulatedRow[] =>
    [{ kind, target: podTarget, detail: { ...base, ...extra, error: `pod ${ns}/${move.pod ?? ''} does not exist at this point of the replay` }, outcome: 'failed' }];
  switch (move.move) {
    case 'capture': {
      if (!exists) return gone('observe', { step: SIMULATED_CAPTURE_STEP });
      const recorded = recording.pods[move.pod ?? '']?.capture ?? null;
      if (recorded === null) return [{ kind: 'observe', target: podTarget, detail: { ...base, step: SIMULATED_CAPTURE_STEP, error: 'the recording holds no capture of this pod' }, outcome: 'failed' }];
      return [{ kind: 'observe', target: podTarget, detail: { ...base, step: SIMULATED_CAPTURE_STEP, recorded_status: recorded.status, recorded_rows: recorded.rows }, outcome: SIMULATED }];
    }
    case 'isolate':
    case 'release': {
      if (!exists) return gone('contain', { plan: move.move, plan_target: podTarget });
      return [{ kind: 'contain', target: `NetworkPolicy ${ns}/kustody-isolate-${move.pod ?? ''}`, detail: { ...base, plan: move.move, plan_target: podTarget, change_id: move.move === 'isolate' ? 'deny-all' : 'remove-deny-all' }, outcome: SIMULATED }];
    }
    case 'revoke': {
      const rows: SimulatedRow[] = [];
      const sa = world.pods.get(move.pod ?? '') ?? null;
      if (exists) {
        world.pods.delete(move.pod ?? '');
        rows.push({ kind: 'revoke', target: `Pod ${ns}/${move.pod ?? ''}`, detail: { ...base, plan: 'revoke', plan_target: podTarget, change_id: 'delete-pod', change: { action: 'delete', target: { kind: 'Pod', namespace: ns, name: move.pod ?? '' } } }, outcome: SIMULATED });
      }
      const subjects = new Set(recording.pods[move.pod ?? '']?.revoked ?? []);
      if (sa !== null) subjects.add(`system:serviceaccount:${ns}:${sa}`);
      if (subjects.size === 0) return [...rows, { kind: 'revoke', target: podTarget, detail: { ...base, step: 'verify-tokens', plan: 'revoke', checks: [], error: 'no token of this pod is known to the replay' }, outcome: 'failed' }];
      rows.push({ kind: 'revoke', target: podTarget, detail: { ...base, step: 'verify-tokens', plan: 'revoke', checks: [...subjects].sort().map((subject) => ({ subject, outcome: 'revoked' })) }, outcome: SIMULATED });
      return rows;
    }
    case 'revoke-sa': {
      const name = move.pod ?? '';
      const target = `ServiceAccount ${ns}/${name}`;
      const detail = { ...base, plan: 'revoke', plan_target: `serviceaccount:${ns}/${name}`, change_id: 'delete-sa', change: { action: 'delete', target: { kind: 'ServiceAccount', namespace: ns, name } } };
      if (!world.accounts.delete(name)) return [{ kind: 'revoke', target, detail: { ...detail, error: `ServiceAccount ${ns}/${name} does not exist at this point of the replay` }, outcome: 'failed' }];
      return [{ kind: 'revoke', target, detail, outcome: SIMULATED }];
    }
    case 'delete':
      if (exists) {
        world.pods.delete(move.pod ?? '');
        world.deletedOutside.push(move.pod ?? '');
      }
      return [];
    case 'sweep':
      return [{ kind: 'observe', target: `namespace:${ns}`, detail: { ...base, sweep: 'persistence', items: world.planted.map((p) => ({ kind: p.kind, namespace: ns, name: p.name })) }, outcome: SIMULATED }];
  }
}
