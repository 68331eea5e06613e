/**
 * The `local` vantage: reads /proc on the machine kustody runs on, for the process tree below a PID or
 * for the processes of one container. Every path is built from integers and kustody's constants,
 * never from text the processes control.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { PROCESS_FILES, NET_TABLES, type RawCapture, type RawFile, type RawNetNamespace, type RawProcess } from '../../core/capture/raw-capture.js';
import { parseCgroup, parseStat } from '../../core/evidence/parsers/index.js';
import { codeOf, readBounded, readLink } from './bounded-read.js';

/** Caps on one local capture. */
export interface LocalReadLimits {
  maxFileBytes: number;
  maxProcesses: number;
  maxFdsPerProcess: number;
  maxExeBytes: number;
}

/** Defaults: 4 MiB per /proc file, 20,000 processes, 65,536 descriptors each, 512 MiB per executable hashed. */
export const DEFAULT_LOCAL_LIMITS: LocalReadLimits = { maxFileBytes: 4 * 1024 * 1024, maxProcesses: 20_000, maxFdsPerProcess: 65_536, maxExeBytes: 512 * 1024 * 1024 };

/** Which processes to read: a PID and all its descendants, or every process whose cgroup names a container id. */
export type LocalSelector = { pid: number } | { containerId: string };

/** Called once the processes to read are chosen, before any of their files is read (in-process callers only). */
export type AfterListing = (pids: readonly number[]) => void;

/** Reads the selected processes and the network tables of their namespaces. */
export function readLocalProcesses(selector: LocalSelector, limits: LocalReadLimits = DEFAULT_LOCAL_LIMITS, procRoot = '/proc', afterListing?: AfterListing): RawCapture {
  const notes: string[] = [];
  const stats = new Map<number, RawFile>();
  const pids = selectPids(selector, procRoot, notes, stats);
  if (pids.length > limits.maxProcesses) {
    notes.push(`${pids.length} processes matched; only the first ${limits.maxProcesses} were read`);
    pids.length = limits.maxProcesses;
  }
  afterListing?.(pids);
  // Order of volatility: sockets and descriptors first, then the network tables, then the rest.
  const processes = pids.map((pid) => readDescriptors(pid, procRoot, limits, stats.get(pid)));
  const ownNetNs = linkText(readLink(`${procRoot}/self/ns/net`).target);
  const netNamespaces: RawNetNamespace[] = [];
  const seen = new Set<string>();
  for (const process of processes) {
    const ns = linkText(process.namespaces.net?.target ?? null);
    if (ns === '') continue;
    if (seen.has(ns)) continue;
    seen.add(ns);
    const tables: RawNetNamespace['tables'] = {};
    for (const table of NET_TABLES) tables[table] = readBounded(`${procRoot}/${process.pid}/net/${table}`, 64 * 1024 * 1024);
    netNamespaces.push({ netnsInode: ns, viaPid: process.pid, exclusive: ns !== ownNetNs, tables });
  }
  const exeHashes = new Map<string, { sha256: string | null; error?: string }>();
  // mountinfo is read once per mount namespace: the builder keeps one table per namespace anyway.
  const mountNamespaces = new Set<string>();
  for (const process of processes) {
    const mnt = linkText(process.namespaces.mnt?.target ?? null);
    const readMounts = mnt === '' || !mountNamespaces.has(mnt);
    if (mnt !== '') mountNamespaces.add(mnt);
    readDetails(process, procRoot, limits, exeHashes, readMounts);
  }
  const target = 'pid' in selector ? `pid:${selector.pid}` : `container:${selector.containerId}`;
  return { vantage: 'local', target, processes, netNamespaces, notes };
}

// Builds the tree from every process's stat; those stats are kept in `stats`, as each selected process's first read.
function selectPids(selector: LocalSelector, procRoot: string, notes: string[], stats: Map<number, RawFile>): number[] {
  const all = readdirSync(procRoot).filter((name) => /^[1-9][0-9]{0,9}$/.test(name)).map(Number);
  if ('containerId' in selector) {
    return all.filter((pid) => {
      const file = readBounded(`${procRoot}/${pid}/cgroup`, 64 * 1024);
      return file.error === undefined && parseCgroup(file.bytes).container?.containerId === selector.containerId;
    }).sort((a, b) => a - b);
  }
  const children = new Map<number, number[]>();
  for (const pid of all) {
    const stat = readBounded(`${procRoot}/${pid}/stat`, 64 * 1024);
    const ppid = stat.error === undefined ? parseStat(stat.bytes).ppid : null;
    if (ppid === null) continue;
    stats.set(pid, stat);
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [pid]);
    else list.push(pid);
  }
  if (!all.includes(selector.pid)) {
    notes.push(`process ${selector.pid} does not exist (or exited before the capture started)`);
    return [];
  }
  const order: number[] = [];
  const queue = [selector.pid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    order.push(pid);
    queue.push(...(children.get(pid) ?? []).sort((a, b) => a - b));
  }
  return order;
}

function readDescriptors(pid: number, procRoot: string, limits: LocalReadLimits, scanned: RawFile | undefined): RawProcess {
  const base = `${procRoot}/${pid}`;
  const stat = scanned ?? readBounded(`${base}/stat`, 64 * 1024);
  const namespaces: RawProcess['namespaces'] = {};
  // The namespaces the rows record (net, mnt, pid); the others are stored nowhere, so not read.
  for (const type of ['net', 'mnt', 'pid'] as const) namespaces[type] = readLink(`${base}/ns/${type}`);
  const fds: RawProcess['fds'] = [];
  try {
    const names = readdirSync(`${base}/fd`).filter((n) => /^[0-9]{1,10}$/.test(n)).map(Number).sort((a, b) => a - b);
    // No stat per descriptor: here the kernel wrote the link text, and it writes an absolute path for
    // every file, so `socket:[N]` can only be a socket (a file so named reads `/dir/socket:[N]`).
    for (const fd of names.slice(0, limits.maxFdsPerProcess)) fds.push({ fd, link: readLink(`${base}/fd/${fd}`) });
  } catch {
    // A process that exited, or one whose descriptors we may not read: its files say which.
  }
  // stat first, so its start time dates the descriptors; statAfter (read last) shows PID reuse.
  return { pid, files: { stat }, links: {}, fds, namespaces, exeSha256: null };
}

function readDetails(process: RawProcess, procRoot: string, limits: LocalReadLimits, exeHashes: Map<string, { sha256: string | null; error?: string }>, readMounts: boolean): void {
  const base = `${procRoot}/${process.pid}`;
  for (const name of PROCESS_FILES) {
    if (name === 'stat' || (name === 'mountinfo' && !readMounts)) continue;
    process.files[name] = readBounded(`${base}/${name}`, limits.maxFileBytes);
  }
  process.links = { exe: readLink(`${base}/exe`), cwd: readLink(`${base}/cwd`), root: readLink(`${base}/root`) };
  const exe = hashExecutable(`${base}/exe`, limits.maxExeBytes, exeHashes);
  process.exeSha256 = exe.sha256;
  if (exe.error !== undefined) process.exeError = exe.error;
  process.statAfter = readBounded(`${base}/stat`, 64 * 1024);
}

/** Hashes a process's executable through /proc/<pid>/exe (which still opens a deleted file), once per inode. */
function hashExecutable(path: string, maxBytes: number, cache: Map<string, { sha256: string | null; error?: string }>): { sha256: string | null; error?: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (error) {
    return { sha256: null, error: codeOf(error) };
  }
  try {
    const stat = fstatSync(fd);
    const key = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    if (!stat.isFile()) return { sha256: null, error: 'not a regular file' };
    if (stat.size > maxBytes) return { sha256: null, error: `larger than ${maxBytes} bytes` };
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const got = readSync(fd, buffer, 0, buffer.length, null);
      if (got === 0) break;
      hash.update(buffer.subarray(0, got));
    }
    const result = { sha256: hash.digest('hex') };
    cache.set(key, result);
    return result;
  } catch (error) {
    return { sha256: null, error: codeOf(error) };
  } finally {
    closeSync(fd);
  }
}

function linkText(target: Uint8Array | null): string {
  return target === null ? '' : Buffer.from(target).toString('latin1');
}
