/**
 * Parses a raw capture into the rows of each step, in the order of volatility: connections, then
 * processes, then mounts. Pure: the raw bytes in, rows and warnings out.
 */
import { createHash } from 'node:crypto';
import { buildConnectionRows } from './build-connection-rows.js';
import { buildMountRows } from './build-mount-rows.js';
import { buildProcessRow, type BuiltProcess, type EnvRedactor } from './build-process-rows.js';
import type { CaptureWarning, ConnectionRow, MountRow, ProcessRow } from './capture-rows.js';
import type { RawCapture, RawFile } from './raw-capture.js';
import type { Fingerprint } from './redact-argv.js';

/** Raw bytes worth keeping as artifacts (never cmdline or environ, which may hold secrets). */
export interface RawArtifact {
  source: string;
  bytes: Uint8Array;
  sha256: string;
  truncated: boolean;
}

/** One step's rows, warnings and raw artifacts. */
export interface BuiltStep<Row> {
  rows: Row[];
  warnings: CaptureWarning[];
  artifacts: RawArtifact[];
}

/** Every step of a capture, ready to store. */
export interface BuiltCapture {
  connections: BuiltStep<ConnectionRow>;
  processes: BuiltStep<ProcessRow>;
  mounts: BuiltStep<MountRow>;
  built: BuiltProcess[];
}

/** Parses everything a vantage read; environments are stored only through `redactEnv`, and not at all without it. */
export function buildCapture(raw: RawCapture, fingerprint: Fingerprint, redactEnv?: EnvRedactor): BuiltCapture {
  const built = raw.processes.map((p) => buildProcessRow(p, fingerprint, redactEnv));
  const connections = buildConnectionRows(raw.netNamespaces, built.map((b) => ({ pid: b.row.pid, startTime: b.startTime, netNs: b.row.net_ns, fdLinks: b.fdLinks })));
  const netArtifacts = raw.netNamespaces.flatMap((ns) => Object.entries(ns.tables).flatMap(([table, file]) => artifactOf(`/proc/${ns.viaPid}/net/${table} (${ns.netnsInode})`, file)));
  const processArtifacts = raw.processes.flatMap((p) => (['stat', 'status', 'cgroup'] as const).flatMap((name) => artifactOf(`/proc/${p.pid}/${name}`, p.files[name])));

  const mountRows: MountRow[] = [];
  const mountWarnings: CaptureWarning[] = [];
  const mountArtifacts: RawArtifact[] = [];
  const seenMntNs = new Set<string>();
  for (const [index, process] of raw.processes.entries()) {
    const mntNs = built[index]?.row.mnt_ns ?? null;
    const file = process.files.mountinfo;
    if (file === undefined || (mntNs !== null && seenMntNs.has(mntNs))) continue;
    if (mntNs !== null) seenMntNs.add(mntNs);
    const result = buildMountRows(process.pid, mntNs, file);
    mountRows.push(...result.rows);
    mountWarnings.push(...result.warnings);
    mountArtifacts.push(...artifactOf(`/proc/${process.pid}/mountinfo`, file));
  }
  return {
    connections: { rows: connections.rows, warnings: connections.warnings, artifacts: netArtifacts },
    processes: { rows: built.map((b) => b.row), warnings: built.flatMap((b) => b.warnings), artifacts: processArtifacts },
    mounts: { rows: mountRows, warnings: mountWarnings, artifacts: mountArtifacts },
    built,
  };
}

function artifactOf(source: string, file: RawFile | undefined): RawArtifact[] {
  if (file === undefined || file.error !== undefined) return [];
  return [{ source, bytes: file.bytes, sha256: createHash('sha256').update(file.bytes).digest('hex'), truncated: file.truncated }];
}
