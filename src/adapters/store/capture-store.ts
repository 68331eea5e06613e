/**
 * Stores a capture: a `captures` row when it starts, one transaction per step (the rows, their
 * warnings and the custody row whose detail carries the stored rows' digest), and the final status. A step
 * that never committed leaves nothing behind, and the captures row says the capture did not finish.
 */
import type { CaptureWarning, ConnectionRow, CredentialRow, MountRow, ProcessRow } from '../../core/capture/capture-rows.js';
import type { JsonValue } from '../../core/custody/canonical-json.js';
import { recordAction, type ArtifactInput, type RecordedAction } from './case-store.js';
import type { WritableDb } from './open-store.js';

/** Who and when, for each custody row. */
export interface StepStamp {
  at: string;
  actor: string;
}

/** A Kubernetes object captured around the target, with Secret data removed. */
export interface K8sObjectRow {
  kind: string;
  namespace: string | null;
  name: string;
  uid: string | null;
  resource_version: string | null;
  json: string;
}

/** The rows one step stores, by table. */
export interface StepRows {
  processes?: ProcessRow[];
  connections?: ConnectionRow[];
  mounts?: MountRow[];
  credentials?: CredentialRow[];
  k8s_objects?: K8sObjectRow[];
}

/** Records the start of a capture. */
export function beginCapture(db: WritableDb, capture: { captureId: string; target: string; vantage: string; detail: JsonValue }, stamp: StepStamp): RecordedAction {
  return recordAction(db, { ...stamp, kind: 'observe', target: capture.target, detail: { step: 'capture-start', capture_id: capture.captureId, vantage: capture.vantage, ...asObject(capture.detail) }, outcome: 'started' }, () => {
    db.prepare('INSERT INTO captures (capture_id, target, vantage, started_at, finished_at, status, detail) VALUES (?, ?, ?, ?, NULL, ?, ?)')
      .run(capture.captureId, capture.target, capture.vantage, stamp.at, 'running', JSON.stringify(capture.detail));
  });
}

/** Stores one step's rows, warnings and artifacts with its custody row, in one transaction. */
export function commitCaptureStep(db: WritableDb, input: { captureId: string; target: string; step: string; rows: StepRows; warnings: CaptureWarning[]; artifacts?: ArtifactInput[]; extra?: JsonValue }, stamp: StepStamp): RecordedAction {
  // recordAction adds `rows` and `rows_sha256`: the count and digest of every table this step stored rows in.
  const detail = { step: input.step, capture_id: input.captureId, warnings: input.warnings.length, ...asObject(input.extra ?? {}) };
  const outcome = input.warnings.length > 0 ? 'ok-with-warnings' : 'ok';
  return recordAction(db, { ...stamp, kind: 'observe', target: input.target, detail, outcome }, () => {
    for (const [table, rows] of Object.entries(input.rows) as [keyof StepRows, Record<string, unknown>[]][]) insertRows(db, table, input.captureId, input.target, rows);
    const warn = db.prepare('INSERT INTO capture_warnings (capture_id, target, step, pid, code, message) VALUES (?, ?, ?, ?, ?, ?)');
    for (const w of input.warnings) warn.run(input.captureId, input.target, input.step, w.pid, w.code, w.message);
  }, input.artifacts ?? []);
}

/** Records how a capture ended and which steps did not finish. */
export function finishCapture(db: WritableDb, input: { captureId: string; target: string; status: 'complete' | 'partial' | 'failed'; unfinished: string[]; notes: string[] }, stamp: StepStamp): RecordedAction {
  return recordAction(db, { ...stamp, kind: 'observe', target: input.target, detail: { step: 'capture-end', capture_id: input.captureId, status: input.status, unfinished_steps: input.unfinished, notes: input.notes }, outcome: input.status }, () => {
    db.prepare('UPDATE captures SET finished_at = ?, status = ? WHERE capture_id = ?').run(stamp.at, input.status, input.captureId);
  });
}

// Column names come from kustody's own row types, never from evidence.
const COLUMNS: Record<keyof StepRows, readonly string[]> = {
  processes: ['pid', 'ppid', 'uid', 'gid', 'comm', 'cmdline', 'argv_json', 'exe', 'exe_sha256', 'exe_deleted', 'cwd', 'root', 'start_time', 'state', 'cap_eff', 'cap_prm', 'cap_bnd', 'no_new_privs', 'seccomp', 'container_id', 'pod_uid', 'nspid_json', 'net_ns', 'mnt_ns', 'pid_ns', 'env_json', 'warnings_json'],
  connections: ['proto', 'local_addr', 'local_port', 'remote_addr', 'remote_port', 'state', 'inode', 'pid', 'fd', 'net_ns', 'uid'],
  mounts: ['pid', 'mount_point', 'fs_type', 'source', 'options', 'flagged', 'root', 'mnt_ns', 'super_options'],
  credentials: ['kind', 'location', 'subject', 'fingerprint', 'expires_at', 'claims_json', 'pid'],
  k8s_objects: ['kind', 'namespace', 'name', 'uid', 'resource_version', 'json'],
};

function insertRows(db: WritableDb, table: keyof StepRows, captureId: string, target: string, rows: Record<string, unknown>[]): void {
  const columns = COLUMNS[table];
  const statement = db.prepare(`INSERT INTO ${table} (capture_id, target, ${columns.join(', ')}) VALUES (?, ?, ${columns.map(() => '?').join(', ')})`);
  for (const row of rows) statement.run(captureId, target, ...columns.map((c) => row[c] ?? null));
}

function asObject(value: JsonValue): Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : { value };
}
