/** One line describing each stored row a finding cites, read by rowid from a table the case really has. */
import type { Finding } from '../../core/findings/types.js';
import type { ReadableDb } from '../store/open-store.js';

type Row = Record<string, unknown>;
const s = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : '[bytes]');

const DESCRIBE: Readonly<Record<string, { columns: string; line: (r: Row) => string }>> = {
  processes: { columns: 'target, pid, ppid, uid, comm, exe, exe_sha256, cap_eff, seccomp', line: (r) => `${s(r.target)} pid ${s(r.pid)} (ppid ${s(r.ppid)}, uid ${s(r.uid)}) ${s(r.comm)} exe ${s(r.exe)} sha256 ${s(r.exe_sha256) || '-'} cap_eff ${s(r.cap_eff)} seccomp ${s(r.seccomp)}` },
  connections: { columns: 'target, proto, local_addr, local_port, remote_addr, remote_port, state, pid', line: (r) => `${s(r.target)} ${s(r.proto)} ${s(r.local_addr)}:${s(r.local_port)} → ${s(r.remote_addr)}:${s(r.remote_port)} ${s(r.state)} pid ${s(r.pid) || '-'}` },
  mounts: { columns: 'target, mount_point, fs_type, source, options, flagged', line: (r) => `${s(r.target)} ${s(r.mount_point)} ${s(r.fs_type)} from ${s(r.source)} (${s(r.options)}) flagged ${s(r.flagged)}` },
  credentials: { columns: 'target, kind, location, subject, fingerprint, expires_at', line: (r) => `${s(r.target)} ${s(r.kind)} at ${s(r.location)} ${s(r.subject)} ${s(r.fingerprint)} expires ${s(r.expires_at) || 'never/unknown'}` },
  capture_warnings: { columns: 'target, step, pid, code, message', line: (r) => `${s(r.target)} ${s(r.step)} ${s(r.code)}: ${s(r.message)}` },
  captures: { columns: 'capture_id, target, vantage, started_at, finished_at, status', line: (r) => `${s(r.capture_id)} of ${s(r.target)} via ${s(r.vantage)} ${s(r.started_at)} → ${s(r.finished_at) || '(no end)'} ${s(r.status)}` },
  actions: { columns: 'seq, at, actor, kind, target, outcome, hash', line: (r) => `${s(r.at)} ${s(r.kind)} ${s(r.target)} → ${s(r.outcome)} by ${s(r.actor)} (hash ${s(r.hash).slice(0, 16)}…)` },
};

/** Reads a line for each cited row (the first `perFinding` of each finding), keyed `table:rowid`. */
export function readEvidenceLines(db: ReadableDb, findings: readonly Finding[], perFinding: number): Map<string, string> {
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
  const lines = new Map<string, string>();
  const statements = new Map<string, ReturnType<ReadableDb['prepare']>>();
  for (const finding of findings) {
    for (const ref of finding.evidence.slice(0, perFinding)) {
      const key = `${ref.table}:${ref.rowid}`;
      if (lines.has(key) || !tables.has(ref.table)) continue;
      const describe = DESCRIBE[ref.table];
      let statement = statements.get(ref.table);
      if (statement === undefined) {
        const quoted = `"${ref.table.replaceAll('"', '""')}"`;
        statement = db.prepare(describe !== undefined ? `SELECT ${describe.columns} FROM ${quoted} WHERE rowid = ?` : `SELECT * FROM ${quoted} WHERE rowid = ?`);
        statements.set(ref.table, statement);
      }
      const row = statement.get(ref.rowid) as Row | undefined;
      if (row === undefined) continue;
      lines.set(key, describe !== undefined ? describe.line(row) : Object.entries(row).slice(0, 8).map(([k, v]) => `${k}=${s(v).slice(0, 200)}`).join(' '));
    }
  }
  return lines;
}
