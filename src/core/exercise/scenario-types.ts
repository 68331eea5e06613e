/** A tabletop exercise scenario as kustody runs it, after the schema check (exercises/<id>.yaml). */
import type { PlaybookProblem } from '../playbook/types.js';

/** One schema problem, located in its file (the same shape as a playbook's). */
export type ScenarioProblem = PlaybookProblem;

/** The frameworks a technique id can come from. */
export const TECHNIQUE_FRAMEWORKS = ['attack-containers', 'threat-matrix-k8s'] as const;

/** An ATT&CK for Containers or Threat Matrix for Kubernetes technique the scenario exercises. */
export interface ScenarioTechnique {
  framework: (typeof TECHNIQUE_FRAMEWORKS)[number];
  id: string;
  name: string;
}

/**
 * What a measure checks in the case's custody log and the exercise log (scored by `exercise score`):
 * each kind names the parameters it takes.
 */
export const MEASURE_KINDS = {
  /** A capture of the pod completed. */
  'captured': ['pod'],
  /** The pod's volatile state was captured before any containment of it. */
  'captured-before-contain': ['pod'],
  /** The pod was isolated (optionally within N minutes of the start). */
  'isolated': ['pod', 'minutes'],
  /** The first capture of any exercise pod completed within N minutes of the start. */
  'first-capture-within': ['minutes'],
  /** Every token of the ServiceAccount was revoked and proven dead. */
  'identity-revoked': ['service_account'],
  /** A planted object (kind/name) shows up in the case: captured, listed, or removed by the team. */
  'object-found': ['object_kind', 'name'],
  /** An evidence bundle was exported. */
  'exported': [],
  /** Mistake: the pod was deleted before any capture of it. */
  'pod-deleted-before-capture': ['pod'],
  /** Mistake: the pod was released before its identity was revoked. */
  'released-before-revoke': ['pod'],
  /** Mistake: a planted object was never found. */
  'object-missed': ['object_kind', 'name'],
} as const;

/** The kind of one measure. */
export type MeasureKind = keyof typeof MEASURE_KINDS;

/** A measurable condition with its parameters (only those its kind takes). */
export interface Measure {
  kind: MeasureKind;
  pod?: string;
  minutes?: number;
  service_account?: string;
  object_kind?: string;
  name?: string;
}

/** One exercise objective, measurable from the case. */
export interface ScenarioObjective {
  id: string;
  text: string;
  measure: Measure;
}

/** Events seen in the case's custody log that can fire an inject. */
export const SCENARIO_EVENTS = ['pod-isolated', 'capture-completed', 'identity-revoked', 'pod-deleted', 'pod-released'] as const;

/** An event that can fire an inject. */
export type ScenarioEvent = (typeof SCENARIO_EVENTS)[number];

/** When something happens: N scenario minutes after the start, or when the team does something. */
export type ScenarioTime = { minute: number } | { event: ScenarioEvent };

/** The API calls the attacker can make as its own identity (never a shell). */
export const ATTACKER_VERBS = ['list', 'get', 'create'] as const;

/** One attacker API call, as the attacker's ServiceAccount. */
export type AttackerCall =
  | { do: 'list'; apiVersion: string; kind: string; allNamespaces: boolean }
  | { do: 'get'; apiVersion: string; kind: string; name: string }
  | { do: 'create'; object: Record<string, unknown> };

/** A scheduled attacker action. */
export type AttackerAction = AttackerCall & {
  id: string;
  at: ScenarioTime;
  description: string;
  technique: string | null;
  line: number;
};

/** A workload the facilitator deploys at the start (the victim, a C2 listener…). */
export interface ScenarioWorkload {
  name: string;
  description: string;
  /** Wait until the pod (kind Pod) is Ready before creating the next workload. */
  waitReady: boolean;
  object: Record<string, unknown>;
}

/** One RBAC rule granted to the attacker's ServiceAccount in the exercise namespace. */
export interface AttackerRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The attacker's identity: a ServiceAccount in the exercise namespace, its token bound to a workload pod. */
export interface ScenarioAttacker {
  serviceAccount: string;
  /** The workload pod the token is bound to (stolen from): deleting that pod kills the token. */
  boundToPod: string;
  rules: AttackerRule[];
}

/** A scripted event for the players: a message, optionally with a new attacker action. */
export interface ScenarioInject {
  id: string;
  at: ScenarioTime;
  message: string;
  action: AttackerCall | null;
}

/** A hint the team can ask for, at a cost in points. */
export interface ScenarioHint {
  id: string;
  text: string;
  cost: number;
}

/** A scoring rule: points when an objective is met or a measure holds (negative for mistakes). */
export interface ScoringRule {
  id: string;
  points: number;
  objective: string | null;
  measure: Measure | null;
}

/** One validated scenario. */
export interface Scenario {
  id: string;
  title: string;
  summary: string;
  durationMinutes: number;
  techniques: ScenarioTechnique[];
  objectives: ScenarioObjective[];
  expectedPlaybook: string;
  attacker: ScenarioAttacker;
  workloads: ScenarioWorkload[];
  actions: AttackerAction[];
  injects: ScenarioInject[];
  hints: ScenarioHint[];
  facilitatorNotes: string;
  scoring: ScoringRule[];
}
