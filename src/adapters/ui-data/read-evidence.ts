/**
 * Reads what the evidence browser shows from a case database opened read-only: processes,
 * connections, mounts, credentials (claims and fingerprints only), Kubernetes objects and the custody
 * log, plus whether the custody chain still recomputes. Never writes.
 */
import { verifyChain } from '../../core/custody/chain.js';
import type { ConnectionRecord, CredentialRecord, CustodyRecord, EvidenceData, EvidenceOrigin, MountRecord, ObjectRecord, ProcessRecord } from '../../core/ui/evidence-records.js';
import { iterateActions, readCaseMetadata } from '../store/case-reader.js';
import type { ReadableDb } from '../store/open-store.js';

type Row = Record<string, unknown>;

const text = (value: unknown): string | null => (value === null || value === undefined ? null : typeof value === 'string' ? value : String(value));
const num = (value: unknown): number | null => (typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : null);

function all(db: ReadableDb, sql: string): Row[] {
  // Safe integers: 64-bit values (inodes, start times) arrive exact, and are shown as text.
  return db.prepare(sql).safeIntegers(true).all() as Row[];
}

function processes(db: ReadableDb): ProcessRecord[] {
  return all(db, 'SELECT target, capture_id, pid, ppid, uid, comm, cmdline, exe, exe_deleted, state, cwd, cap_eff FROM processes ORDER BY rowid').map((r) => ({
    target: text(r.target) ?? '', captureId: text(r.capture_id) ?? '', pid: num(r.pid) ?? -1, ppid: num(r.ppid), uid: num(r.uid),
    comm: text(r.comm), cmdline: text(r.cmdline), exe: text(r.exe), exeDeleted: num(r.exe_deleted) === 1, state: text(r.state), cwd: text(r.cwd), capEff: text(r.cap_eff),
  }));
}

/** Reads every captured socket, in capture order. */
export function readConnections(db: ReadableDb): ConnectionRecord[] {
  return all(db, 'SELECT target, proto, local_addr, local_port, remote_addr, remote_port, state, pid FROM connections ORDER BY rowid').map((r) => ({
    target: text(r.target) ?? '', proto: text(r.proto) ?? '', localAddr: text(r.local_addr), localPort: num(r.local_port),
    remoteAddr: text(r.remote_addr), remotePort: num(r.remote_port), state: text(r.state), pid: num(r.pid),
  }));
}

function mounts(db: ReadableDb): MountRecord[] {
  return all(db, 'SELECT target, pid, mount_point, fs_type, source, options, flagged FROM mounts ORDER BY rowid').map((r) => ({
    target: text(r.target) ?? '', pid: num(r.pid), mountPoint: text(r.mount_point) ?? '', fsType: text(r.fs_type), source: text(r.source), options: text(r.options), flagged: text(r.flagged),
  }));
}

function credentials(db: ReadableDb): CredentialRecord[] {
  // The table never holds a secret value; these are its non-secret columns.
  return all(db, 'SELECT target, kind, location, subject, fingerprint, expires_at, claims_json, pid FROM credentials ORDER BY rowid').map((r) => ({
    target: text(r.target) ?? '', kind: text(r.kind) ?? '', location: text(r.location) ?? '', subject: text(r.subject), fingerprint: text(r.fingerprint) ?? '',
    expiresAt: text(r.expires_at), claimsJson: text(r.claims_json), pid: num(r.pid),
  }));
}

function objects(db: ReadableDb): ObjectRecord[] {
  return all(db, 'SELECT target, kind, namespace, name, uid, resource_version, json FROM k8s_objects ORDER BY rowid').map((r) => ({
    target: text(r.target) ?? '', kind: text(r.kind) ?? '', namespace: text(r.namespace), name: text(r.name) ?? '', uid: text(r.uid), resourceVersion: text(r.resource_version), json: text(r.json) ?? '{}',
  }));
}

/** Reads a case for the browser; `origin` says where it came from and `integrity` is filled in from the chain when the caller has nothing better. */
export function readEvidence(db: ReadableDb, origin: EvidenceOrigin): EvidenceData {
  const meta = readCaseMetadata(db);
  const actions = [...iterateActions(db)];
  const chain = verifyChain(actions);
  const custody: CustodyRecord[] = actions.map((a) => ({
    seq: a.seq, at: a.at, actor: a.actor, kind: a.kind, target: a.target, outcome: a.outcome, detail: JSON.stringify(a.detail), hash: a.hash,
  }));
  const chainNote = chain.breaks.length === 0 ? `custody chain ok (${chain.count} rows)` : `custody chain BROKEN at ${chain.breaks.length} row(s)`;
  return {
    caseId: meta.id, title: meta.title, createdAt: meta.created_at,
    origin: { ...origin, integrity: origin.integrity === '' ? chainNote : `${origin.integrity}; ${chainNote}` },
    processes: processes(db), connections: readConnections(db), mounts: mounts(db), credentials: credentials(db), objects: objects(db), custody,
  };
}
