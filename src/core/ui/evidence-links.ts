// What one row of evidence leads to: a process to its parent, children, connections, mounts (by
// mount namespace) and credentials; a socket, credential or warning back to its process. Joined
// within one capture of one target (pids mean nothing across captures); pure, no I/O.
import { display, escapeUntrusted, trusted, type DisplayText } from '../display/index.js';
import type { EvidenceRef, RowLink } from './browser-table.js';
import type { ConnectionRecord, CredentialRecord, EvidenceData, MountRecord, ProcessRecord } from './evidence-records.js';

/** How many links of one kind a row lists (a pid can own thousands of sockets). */
export const LINKS_PER_KIND = 200;

const LABEL_BYTES = 512;
const esc = (text: string | number | null | undefined): DisplayText => (text === null || text === undefined ? trusted('-') : escapeUntrusted(String(text), { maxBytes: LABEL_BYTES }));

/** `[addr]:port` for IPv6, `addr:port` otherwise. */
export function endpoint(addr: string | null, port: number | null): string {
  if (addr === null) return '';
  if (port === null) return addr;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Looks up links between the rows of one case; built once, each row's links computed on demand. */
export interface EvidenceLinks {
  processLinks(p: ProcessRecord): RowLink[];
  /** The process a pid names within a capture of a target, when it was captured. */
  processOf(target: string, captureId: string | undefined, pid: number | null): ProcessRecord | undefined;
  /** `pid comm` of that process, or null. */
  processName(target: string, captureId: string | undefined, pid: number | null): string | null;
  /** A link to that process, as a list of zero or one. */
  toProcess(target: string, captureId: string | undefined, pid: number | null): RowLink[];
  /** A link to the process a pid names in the target's latest capture that has it (for custody rows, which name no capture). */
  toLatestProcess(target: string, pid: number | null): RowLink[];
}

function group<T>(items: readonly T[], key: (item: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

const scope = (target: string, captureId: string | undefined): string => `${target}\u0000${captureId ?? ''}`;
const pidKey = (target: string, captureId: string | undefined, pid: number | null): string | null => (pid === null ? null : `${scope(target, captureId)}\u0000${pid}`);

function refOf(table: string, rowid: number | undefined): EvidenceRef | null {
  return rowid === undefined || rowid < 0 ? null : { table, rowid };
}

function linksOf<T>(items: readonly T[] | undefined, table: string, rowid: (item: T) => number | undefined, label: (item: T) => DisplayText): RowLink[] {
  const out: RowLink[] = [];
  for (const item of items ?? []) {
    if (out.length >= LINKS_PER_KIND) break;
    const ref = refOf(table, rowid(item));
    if (ref !== null) out.push({ label: label(item), ref });
  }
  return out;
}

const processLabel = (what: DisplayText, p: ProcessRecord): DisplayText => display`${what} ${p.pid} ${esc(p.comm)}`;
const connectionLabel = (c: ConnectionRecord): DisplayText => display`connection ${esc(c.proto)} ${esc(endpoint(c.localAddr, c.localPort))} → ${esc(endpoint(c.remoteAddr, c.remotePort))} ${esc(c.state)}`;
const mountLabel = (m: MountRecord): DisplayText => display`mount ${esc(m.mountPoint)} (${esc(m.fsType)})${m.flagged === null ? trusted('') : display` flagged ${esc(m.flagged)}`}`;
const credentialLabel = (c: CredentialRecord): DisplayText => display`credential ${esc(c.kind)} ${esc(c.subject)}${c.pid === null ? trusted(' (pod-wide)') : trusted('')}`;

/** Indexes a case's rows for linking. */
export function evidenceLinks(data: EvidenceData): EvidenceLinks {
  const byPid = new Map<string, ProcessRecord>();
  for (const p of data.processes) {
    const key = pidKey(p.target, p.captureId, p.pid);
    if (key !== null && !byPid.has(key)) byPid.set(key, p);
  }
  const latest = new Map<string, ProcessRecord>();
  for (const p of data.processes) latest.set(`${p.target}\u0000${p.pid}`, p);
  const children = group(data.processes, (p) => (p.ppid === p.pid ? null : pidKey(p.target, p.captureId, p.ppid)));
  const sockets = group(data.connections, (c) => pidKey(c.target, c.captureId, c.pid));
  const mountsByNs = group(data.mounts, (m) => (m.mntNs === null || m.mntNs === undefined ? null : `${scope(m.target, m.captureId)}\u0000${m.mntNs}`));
  const mountsByPid = group(data.mounts, (m) => pidKey(m.target, m.captureId, m.pid));
  const credsByPid = group(data.credentials, (c) => pidKey(c.target, c.captureId, c.pid));
  const podWide = group(data.credentials, (c) => (c.pid === null ? scope(c.target, c.captureId) : null));
  const processOf = (target: string, captureId: string | undefined, pid: number | null): ProcessRecord | undefined => {
    const key = pidKey(target, captureId, pid);
    return key === null ? undefined : byPid.get(key);
  };
  const toProcess = (target: string, captureId: string | undefined, pid: number | null): RowLink[] => {
    const p = processOf(target, captureId, pid);
    return p === undefined ? [] : linksOf([p], 'processes', (x) => x.rowid, (x) => processLabel(trusted('process'), x));
  };
  return {
    processOf,
    toProcess,
    toLatestProcess(target, pid) {
      const p = pid === null ? undefined : latest.get(`${target}\u0000${pid}`);
      return p === undefined ? [] : toProcess(p.target, p.captureId, p.pid);
    },
    processName(target, captureId, pid) {
      const p = processOf(target, captureId, pid);
      return p === undefined ? null : `${p.pid} ${p.comm ?? '?'}`;
    },
    processLinks(p) {
      const key = pidKey(p.target, p.captureId, p.pid) ?? '';
      const parent = p.ppid === p.pid ? undefined : processOf(p.target, p.captureId, p.ppid);
      const nsMounts = p.mntNs === null || p.mntNs === undefined ? undefined : mountsByNs.get(`${scope(p.target, p.captureId)}\u0000${p.mntNs}`);
      return [
        ...linksOf(parent === undefined ? [] : [parent], 'processes', (x) => x.rowid, (x) => processLabel(trusted('parent'), x)),
        ...linksOf([...(children.get(key) ?? [])].sort((a, b) => a.pid - b.pid), 'processes', (x) => x.rowid, (x) => processLabel(trusted('child'), x)),
        ...linksOf(sockets.get(key), 'connections', (x) => x.rowid, connectionLabel),
        ...linksOf([...(credsByPid.get(key) ?? []), ...(podWide.get(scope(p.target, p.captureId)) ?? [])], 'credentials', (x) => x.rowid, credentialLabel),
        ...linksOf(nsMounts ?? mountsByPid.get(key), 'mounts', (x) => x.rowid, mountLabel),
      ];
    },
  };
}
