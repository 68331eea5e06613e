/**
 * Reads what the evidence browser shows from a case database opened read-only: processes,
 * connections, mounts, credentials (claims and fingerprints only), Kubernetes objects and the custody
 * log, plus whether the custody chain still recomputes. Never writes. Memory is bounded whatever the
 * case size: rows are read one at a time and only REVIEW_LIMITS of each table are kept.
 */
import { verifyChain } from '../../core/custody/chain.js';
import type { ConnectionRecord, CredentialRecord, CustodyRecord, EvidenceData, EvidenceOrigin, MountRecord, ObjectRecord, ProcessRecord, WarningRecord } from '../../core/ui/evidence-records.js';
import { deriveFindings, type Finding } from '../../core/findings/index.js';
import { readCaseFacts } from '../findings/read-case-facts.js';
import { iterateActions, readCaseMetadata } from '../store/case-reader.js';
import { utcNow } from '../system/responder-env.js';
import type { ReadableDb } from '../store/open-store.js';

type Row = Record<string, unknown>;

const text = (value: unknown): string | null => clip(value === null || value === undefined ? null : typeof value === 'string' ? value : String(value));
const num = (value: unknown): number | null => (typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : null);

/**
 * How much of each table the browser holds, so review's memory stays bounded whatever the case size:
 * at most `rows` rows or `charsPerTable` characters per table (whichever comes first), each text
 * field cut at `charsPerField`. The heading says when a table was cut; sqlite3 reads the rest.
 */
export const REVIEW_LIMITS = { rows: 5000, charsPerTable: 4 * 1024 * 1024, charsPerField: 16 * 1024 } as const;

/** Tables the browser shows only in part, as `shown of total` per table. */
type Shown = Map<string, { shown: number; total: number }>;

const clip = (value: string | null): string | null => (value !== null && value.length > REVIEW_LIMITS.charsPerField ? `${value.slice(0, REVIEW_LIMITS.charsPerField)}… (cut for display; the full text is in evidence.db)` : value);

function size(record: object): number {
  let chars = 64;
  for (const value of Object.values(record)) if (typeof value === 'string') chars += value.length;
  return chars;
}

/** Maps rows one at a time until the table's budget is spent, recording when it was. */
function bounded<T extends object>(rows: Iterable<Row>, map: (row: Row) => T, table: string, shown: Shown, total: () => number): T[] {
  const out: T[] = [];
  let chars = 0;
  for (const raw of rows) {
    if (out.length >= REVIEW_LIMITS.rows || chars >= REVIEW_LIMITS.charsPerTable) {
      shown.set(table, { shown: out.length, total: total() });
      break;
    }
    const record = map(raw);
    chars += size(record);
    out.push(record);
  }
  return out;
}

function all(db: ReadableDb, sql: string): Iterable<Row> {
  // Safe integers: 64-bit values (inodes, start times) arrive exact, and are shown as text. Rows are
  // read one at a time, so a table larger than the browser's budget is never held whole.
  return db.prepare(sql).safeIntegers(true).iterate() as Iterable<Row>;
}

function processes(db: ReadableDb, shown: Shown = new Map()): ProcessRecord[] {
  const extra = hasColumn(db, 'processes', 'env_json') ? 'env_json, mnt_ns' : 'NULL AS env_json, NULL AS mnt_ns';
  return bounded(all(db, `SELECT rowid, target, capture_id, pid, ppid, uid, comm, cmdline, exe, exe_deleted, exe_sha256, start_time, seccomp, state, cwd, cap_eff, ${extra} FROM processes ORDER BY rowid`), (r) => ({
    rowid: num(r.rowid) ?? -1, target: text(r.target) ?? '', captureId: text(r.capture_id) ?? '', pid: num(r.pid) ?? -1, ppid: num(r.ppid), uid: num(r.uid),
    comm: text(r.comm), cmdline: text(r.cmdline), exe: text(r.exe), exeDeleted: num(r.exe_deleted) === 1, state: text(r.state), cwd: text(r.cwd), capEff: text(r.cap_eff),
    exeSha256: text(r.exe_sha256), startTime: r.start_time === null || r.start_time === undefined ? null : String(r.start_time), seccomp: num(r.seccomp),
    envJson: r.env_json === null || r.env_json === undefined ? null : String(r.env_json).slice(0, REVIEW_LIMITS.charsPerTable / 64), mntNs: text(r.mnt_ns),
  }), 'processes', shown, () => countOf(db, 'processes'));
}

/** Reads the captured sockets in capture order, within REVIEW_LIMITS. */
export function readConnections(db: ReadableDb, shown: Shown = new Map()): ConnectionRecord[] {
  return bounded(all(db, 'SELECT rowid, capture_id, target, proto, local_addr, local_port, remote_addr, remote_port, state, pid FROM connections ORDER BY rowid'), (r) => ({
    rowid: num(r.rowid) ?? -1, captureId: text(r.capture_id) ?? '', target: text(r.target) ?? '', proto: text(r.proto) ?? '', localAddr: text(r.local_addr), localPort: num(r.local_port),
    remoteAddr: text(r.remote_addr), remotePort: num(r.remote_port), state: text(r.state), pid: num(r.pid),
  }), 'connections', shown, () => countOf(db, 'connections'));
}

function mounts(db: ReadableDb, shown: Shown = new Map()): MountRecord[] {
  const ns = hasColumn(db, 'mounts', 'mnt_ns') ? 'mnt_ns' : 'NULL AS mnt_ns';
  return bounded(all(db, `SELECT rowid, capture_id, target, pid, mount_point, fs_type, source, options, flagged, ${ns} FROM mounts ORDER BY rowid`), (r) => ({
    rowid: num(r.rowid) ?? -1, captureId: text(r.capture_id) ?? '', target: text(r.target) ?? '', pid: num(r.pid), mountPoint: text(r.mount_point) ?? '', fsType: text(r.fs_type), source: text(r.source), options: text(r.options), flagged: text(r.flagged), mntNs: text(r.mnt_ns),
  }), 'mounts', shown, () => countOf(db, 'mounts'));
}

function credentials(db: ReadableDb, shown: Shown = new Map()): CredentialRecord[] {
  // The table never holds a secret value; these are its non-secret columns.
  return bounded(all(db, 'SELECT rowid, capture_id, target, kind, location, subject, fingerprint, expires_at, claims_json, pid FROM credentials ORDER BY rowid'), (r) => ({
    rowid: num(r.rowid) ?? -1, captureId: text(r.capture_id) ?? '', target: text(r.target) ?? '', kind: text(r.kind) ?? '', location: text(r.location) ?? '', subject: text(r.subject), fingerprint: text(r.fingerprint) ?? '',
    expiresAt: text(r.expires_at), claimsJson: text(r.claims_json), pid: num(r.pid),
  }), 'credentials', shown, () => countOf(db, 'credentials'));
}

function objects(db: ReadableDb, shown: Shown = new Map()): ObjectRecord[] {
  return bounded(all(db, 'SELECT rowid, target, kind, namespace, name, uid, resource_version, json FROM k8s_objects ORDER BY rowid'), (r) => ({
    rowid: num(r.rowid) ?? -1, target: text(r.target) ?? '', kind: text(r.kind) ?? '', namespace: text(r.namespace), name: text(r.name) ?? '', uid: text(r.uid), resourceVersion: text(r.resource_version), json: text(r.json) ?? '{}',
  }), 'k8s_objects', shown, () => countOf(db, 'k8s_objects'));
}

function warnings(db: ReadableDb, shown: Shown = new Map()): WarningRecord[] {
  if (!hasTable(db, 'capture_warnings')) return [];
  return bounded(all(db, 'SELECT rowid, capture_id, target, step, pid, code, message FROM capture_warnings ORDER BY rowid'), (r) => ({
    rowid: num(r.rowid) ?? -1, captureId: text(r.capture_id) ?? '', target: text(r.target) ?? '', step: text(r.step) ?? '', pid: num(r.pid), code: text(r.code) ?? '', message: text(r.message) ?? '',
  }), 'capture_warnings', shown, () => countOf(db, 'capture_warnings'));
}

// Cases written before migration 2 lack its table and columns; they read as empty.
function hasTable(db: ReadableDb, table: string): boolean {
  return db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) === 1;
}

function hasColumn(db: ReadableDb, table: string, column: string): boolean {
  // Table names are kustody's own constants.
  return (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as unknown[]).includes(column);
}

function countOf(db: ReadableDb, table: string): number {
  // Table names are kustody's own constants.
  return Number(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
}

// About 50 MiB of facts at the most per table: review stays within its memory bound for a case of any size.
const FINDING_ROWS_PER_TABLE = 100_000;

/** The case's findings as of now, from up to FINDING_ROWS_PER_TABLE rows of each table (not only those the browser holds). */
function findingsOf(db: ReadableDb): { findings: Finding[] } | { findingsError: string } {
  try {
    return { findings: deriveFindings(readCaseFacts(db, utcNow(), { findingsOnly: true, maxRowsPerTable: FINDING_ROWS_PER_TABLE })) };
  } catch (error) {
    return { findingsError: `the findings could not be derived (${error instanceof Error ? error.message : String(error)})` };
  }
}

const MAX_BREAKS = 100;

/** Reads a case for the browser, within REVIEW_LIMITS; `origin` says where it came from and `integrity` is filled in from the chain when the caller has nothing better. */
export function readEvidence(db: ReadableDb, origin: EvidenceOrigin): EvidenceData {
  const meta = readCaseMetadata(db);
  const shown: Shown = new Map();
  const custody: CustodyRecord[] = [];
  let chars = 0;
  let rows = 0;
  // One pass: the whole chain is recomputed row by row, and only the first rows within budget are kept.
  const walk = function* () {
    for (const a of iterateActions(db)) {
      rows += 1;
      if (custody.length < REVIEW_LIMITS.rows && chars < REVIEW_LIMITS.charsPerTable) {
        const record = { seq: a.seq, at: a.at, actor: a.actor, kind: a.kind, target: a.target, outcome: a.outcome, detail: clip(JSON.stringify(a.detail)) ?? '', hash: a.hash };
        chars += size(record);
        custody.push(record);
      }
      yield a;
    }
  };
  const chain = verifyChain(walk(), MAX_BREAKS);
  if (custody.length < rows) shown.set('actions', { shown: custody.length, total: rows });
  const firstBreak = chain.breaks[0];
  const chainNote = firstBreak === undefined ? `custody chain ok (${chain.count} rows)` : `custody chain BROKEN from row ${firstBreak.seq} (${chain.breaks.length >= MAX_BREAKS ? `${MAX_BREAKS}+` : chain.breaks.length} break(s))`;
  const data = {
    processes: processes(db, shown), connections: readConnections(db, shown), mounts: mounts(db, shown), credentials: credentials(db, shown), objects: objects(db, shown), custody,
    warnings: warnings(db, shown), ...findingsOf(db),
  };
  const cut = [...shown].map(([table, n]) => `${n.shown} of ${n.total} ${table === 'actions' ? 'custody' : table} rows shown`);
  const notes = [chainNote, ...(cut.length === 0 ? [] : [`${cut.join(', ')} (query the rest with sqlite3)`])].join('; ');
  return {
    caseId: meta.id, title: meta.title, createdAt: meta.created_at,
    origin: { ...origin, integrity: origin.integrity === '' ? notes : `${origin.integrity}; ${notes}` },
    ...data,
  };
}
