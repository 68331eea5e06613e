/**
 * An exercise recording: what happened in one real lab run of a scenario, small enough to ship with
 * the pack (`exercises/recordings/<id>.json`) so `kustody exercise replay` can play it without a
 * cluster. It holds the attacker's actions and the injects on their scenario minutes (outcomes as the
 * cluster gave them), the lab team's moves, and per pod what its capture stored and which identities
 * TokenReview proved dead. Never a token, a Secret value or a raw capture: counts, names, subjects.
 * Pure: built from rows, parsed defensively from the file.
 */
import type { Scenario } from './scenario-types.js';
import { MOVE_KINDS, type MoveKind } from './replay-moves.js';

/** The format tag every recording carries. */
export const RECORDING_FORMAT = 'kustody-exercise-recording/1';

/** One attacker action or inject, on the scenario clock. */
export interface RecordedEvent {
  minute: number;
  kind: 'attacker-action' | 'inject';
  name: string;
  outcome: string;
  /** Short facts only (HTTP status, message, reason): strings ≤ 500 characters, numbers, booleans. */
  detail: Record<string, string | number | boolean>;
}

/** One move the lab team made, on the scenario clock. */
export interface RecordedMove {
  minute: number;
  move: MoveKind;
  pod: string | null;
}

/** What the lab run found out about one pod. */
export interface RecordedPod {
  /** The capture's outcome and its rows per evidence table; null when the lab team never captured it. */
  capture: { status: string; rows: Record<string, number> } | null;
  /** ServiceAccount subjects TokenReview proved dead when the pod was revoked. */
  revoked: string[];
}

/** A whole recording. */
export interface Recording {
  format: typeof RECORDING_FORMAT;
  scenario_id: string;
  scenario_sha256: string;
  recorded_at: string;
  namespace: string;
  minute_seconds: number;
  events: RecordedEvent[];
  response: RecordedMove[];
  pods: Record<string, RecordedPod>;
}

const MAX_EVENTS = 500;
const SAFE_KEY = /^[a-z_]{1,40}$/;
const SECRET_KEY = /token|secret|password|data|key|cert|jwt/i;

/** Keeps only short scalar facts of an event's detail (never anything named like a secret). */
export function shortFacts(detail: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return out;
  for (const [key, value] of Object.entries(detail as Record<string, unknown>)) {
    if (!SAFE_KEY.test(key) || SECRET_KEY.test(key)) continue;
    if (typeof value === 'string') out[key] = value.slice(0, 500);
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

/** Why a recording file cannot be used. */
export class RecordingError extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, what: string, max = 200): string => {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new RecordingError(`${what} must be a non-empty string of at most ${max} characters`);
  return v;
};
const minute = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 24 * 60) throw new RecordingError(`${what} must be a minute from 0 to 1440`);
  return v;
};

/** Parses and checks a recording against the scenario it claims to be of. */
export function parseRecording(value: unknown, scenario: Scenario): Recording {
  if (!isRecord(value) || value.format !== RECORDING_FORMAT) throw new RecordingError(`not a ${RECORDING_FORMAT} file`);
  if (value.scenario_id !== scenario.id) throw new RecordingError(`it records scenario ${JSON.stringify(String(value.scenario_id).slice(0, 80))}, not ${scenario.id}`);
  if (!Array.isArray(value.events) || value.events.length > MAX_EVENTS || !Array.isArray(value.response) || value.response.length > MAX_EVENTS || !isRecord(value.pods)) throw new RecordingError('events, response and pods are missing or too long');
  const events = value.events.map((e, i): RecordedEvent => {
    if (!isRecord(e) || (e.kind !== 'attacker-action' && e.kind !== 'inject')) throw new RecordingError(`events[${i}] is not an attacker action or inject`);
    return { minute: minute(e.minute, `events[${i}].minute`), kind: e.kind, name: str(e.name, `events[${i}].name`), outcome: str(e.outcome, `events[${i}].outcome`), detail: shortFacts(e.detail) };
  });
  const response = value.response.map((m, i): RecordedMove => {
    if (!isRecord(m) || !(MOVE_KINDS as readonly unknown[]).includes(m.move)) throw new RecordingError(`response[${i}] is not a known move`);
    return { minute: minute(m.minute, `response[${i}].minute`), move: m.move as MoveKind, pod: m.pod === null || m.pod === undefined ? null : str(m.pod, `response[${i}].pod`, 253) };
  });
  const pods: Record<string, RecordedPod> = {};
  for (const [name, pod] of Object.entries(value.pods).slice(0, 100)) {
    if (!isRecord(pod)) throw new RecordingError(`pods.${name.slice(0, 80)} is not an object`);
    const capture = isRecord(pod.capture) ? { status: str(pod.capture.status, `pods.${name}.capture.status`, 40), rows: countsOf(pod.capture.rows) } : null;
    const revoked = Array.isArray(pod.revoked) ? pod.revoked.slice(0, 50).map((s, i) => str(s, `pods.${name}.revoked[${i}]`, 320)) : [];
    pods[str(name, 'a pod name', 253)] = { capture, revoked };
  }
  const ms = value.minute_seconds;
  if (typeof ms !== 'number' || !(ms > 0)) throw new RecordingError('minute_seconds must be a positive number');
  return {
    format: RECORDING_FORMAT, scenario_id: scenario.id, scenario_sha256: str(value.scenario_sha256, 'scenario_sha256', 64), recorded_at: str(value.recorded_at, 'recorded_at', 40),
    namespace: str(value.namespace, 'namespace', 63), minute_seconds: ms, events, response, pods,
  };
}

function countsOf(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isRecord(value)) return out;
  for (const [k, v] of Object.entries(value)) if (SAFE_KEY.test(k) && typeof v === 'number' && Number.isInteger(v) && v >= 0) out[k] = v;
  return out;
}
