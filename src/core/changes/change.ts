/**
 * A cluster mutation as data. Planners build these; the runner alone previews (server-side dry-run),
 * confirms, applies with preconditions, reads back and records them. Nothing else mutates a cluster.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type JsonValue } from '../custody/canonical-json.js';

/** The kinds of object kustody changes. */
export type ResourceKind = 'Namespace' | 'Pod' | 'Node' | 'NetworkPolicy' | 'ValidatingAdmissionPolicy' | 'ValidatingAdmissionPolicyBinding' | 'ServiceAccount' | 'Secret' | 'RoleBinding' | 'ClusterRoleBinding'
  | 'CronJob' | 'Job' | 'DaemonSet' | 'Deployment' | 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration';

/** Which object a change targets. */
export interface ResourceRef {
  kind: ResourceKind;
  namespace?: string;
  name: string;
}

/** One RFC 6902 operation; kustody's patches start with `test` operations that act as preconditions. */
export type JsonPatchOp =
  | { op: 'test' | 'add' | 'replace'; path: string; value: JsonValue }
  | { op: 'remove'; path: string };

/** A single mutation. Deletes and patches carry the object's uid so a recreated object of the same name is never hit. */
export type Change =
  | { action: 'create'; target: ResourceRef; object: Record<string, JsonValue> }
  | { action: 'patch'; target: ResourceRef; uid: string; ops: JsonPatchOp[] }
  | { action: 'delete'; target: ResourceRef; uid: string; resourceVersion?: string };

/** How to tell, by reading the cluster, that a change is in effect (used before applying, for idempotence, and after, to verify). */
export type Expectation =
  | { check: 'exists'; target: ResourceRef; labels?: Record<string, string> }
  | { check: 'absent'; target: ResourceRef; uid?: string }
  | { check: 'fields'; target: ResourceRef; uid: string; equals: Array<{ path: string; value: JsonValue | undefined }> };

/** A planned change with what it is for, how to check it, and how to undo it. */
export interface PlannedChange {
  id: string;
  title: string;
  why: string;
  /** Recorded as the custody row's kind; `footprint` is what a capture leaves in the cluster (collector pods, their guards). */
  danger: 'contain' | 'revoke' | 'footprint';
  change: Change;
  expect: Expectation;
  undo: Change | { manual: string };
}

/** A whole plan: what it targets, its changes in order, and what the responder should know. */
export interface ChangePlan {
  kind: 'isolate' | 'release' | 'revoke' | 'collector' | 'cleanup' | 'sweep' | 'restore';
  caseId: string;
  target: string;
  changes: PlannedChange[];
  report: string[];
}

/** A stable digest of a plan's changes, stamped on created objects so a rerun recognises its own work. */
export function planHash(plan: Pick<ChangePlan, 'kind' | 'caseId' | 'target' | 'changes'>): string {
  const body = canonicalJson({ kind: plan.kind, case: plan.caseId, target: plan.target, changes: plan.changes.map((c) => c.change) as unknown as JsonValue });
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

/** Escapes a label or annotation key for use in a JSON Pointer (`/` becomes `~1`, `~` becomes `~0`). */
export function pointerKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Describes a target for people: `pod shop/web-1`, `node lab-node`. */
export function describeRef(ref: ResourceRef): string {
  return `${ref.kind}${ref.namespace ? ` ${ref.namespace}/` : ' '}${ref.name}`;
}
