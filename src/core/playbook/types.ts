/** A playbook as kustody runs it, after the schema check: ordered, typed steps with their danger as data. */

/** How dangerous a step is; contain and revoke steps change the cluster and need a typed confirmation. */
export type StepDanger = 'observe' | 'contain' | 'revoke';

/** The capabilities a step can run, in the order the schema lists them. */
export const STEP_ACTIONS = ['capture', 'isolate', 'release', 'identities', 'audit', 'revoke', 'sweep', 'export', 'checklist', 'command'] as const;

/** The capability a step runs. */
export type StepAction = (typeof STEP_ACTIONS)[number];

/** Parameters of a capture step. */
export interface CaptureParams {
  via: 'auto' | 'exec' | 'debug' | 'node';
  /** `volatile`: connections, processes, mounts and tokens only; `full` adds Kubernetes objects and logs. */
  scope: 'volatile' | 'full';
  container: string | null;
  timeoutSeconds: number;
}

/** Parameters of an isolate step. */
export interface IsolateParams {
  detach: boolean;
  cordon: boolean;
  guard: boolean;
  /** Then cut the connections that survived the policy, from the node vantage (needs a collector image). */
  cutConnections: boolean;
}

/** Parameters of a revoke step. */
export interface RevokeParams {
  legacyTokens: boolean;
  rbac: boolean;
  rotateSa: boolean;
  deletePod: boolean;
  cloud: boolean;
  verifySeconds: number;
}

/** Parameters of a sweep step: the window, as a duration before the step runs (30m, 6h, 2d). */
export interface SweepParams {
  since: string;
}

/** Parameters of a checklist step: the items the responder works through. */
export interface ChecklistParams {
  items: string[];
}

/** Parameters of a command step: an argv run without a shell, `${{ … }}` expressions filled in at run time. */
export interface CommandParams {
  argv: string[];
  timeoutSeconds: number;
}

/** A step's action with its typed parameters. */
export type StepSpec =
  | { action: 'capture'; params: CaptureParams }
  | { action: 'isolate'; params: IsolateParams }
  | { action: 'release'; params: Record<string, never> }
  | { action: 'identities'; params: Record<string, never> }
  | { action: 'audit'; params: Record<string, never> }
  | { action: 'revoke'; params: RevokeParams }
  | { action: 'sweep'; params: SweepParams }
  | { action: 'export'; params: Record<string, never> }
  | { action: 'checklist'; params: ChecklistParams }
  | { action: 'command'; params: CommandParams };

/** How a step is undone: by a kustody action, or a reason it can only be documented. */
export type StepUndo = { action: StepAction } | { reason: string };

/** One validated step. */
export type PlaybookStep = StepSpec & {
  id: string;
  title: string;
  why: string;
  danger: StepDanger;
  confirm: boolean;
  verify: string | null;
  undo: StepUndo | null;
  needs: string[];
  /** 1-based line of the step in its file, for messages. */
  line: number;
};

/** Extra inputs a playbook needs besides the target pod. */
export type PlaybookInput = 'token';

/** One validated playbook. */
export interface Playbook {
  id: string;
  title: string;
  description: string;
  inputs: PlaybookInput[];
  steps: PlaybookStep[];
}

/** One schema problem, located in its file. */
export interface PlaybookProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}
