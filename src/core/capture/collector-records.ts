/**
 * The collector's records, whichever framing carried them (lines from `exec`, a tar from `debug` and
 * `node`), and their assembly into a RawCapture. Keys are checked against exactly what the collector
 * can print; anything else becomes a note. Credential files come back separately, for in-memory
 * fingerprinting only.
 */
import { NAMESPACE_TYPES, type NamespaceType } from '../evidence/parsers/index.js';
import { PROCESS_FILES, type NetTable, type ProcessFile, type RawCapture, type RawFile, type RawNetNamespace, type RawProcess } from './raw-capture.js';

/** One record: a file's bytes, a link's text, a digest, a file name for a credential key, or a failure. */
export type CollectorRecord =
  | { kind: 'file'; key: string; file: RawFile }
  | { kind: 'link'; key: string; target: Uint8Array }
  | { kind: 'digest'; key: string; hex: string }
  | { kind: 'name'; key: string; name: string }
  | { kind: 'failed'; key: string; reason: string };

/** A parsed collector run: the raw capture, credential files by key (`<arg>` or `<arg>.<n>` with the file name), and whether it ended cleanly. */
export interface ParsedCollectorOutput {
  raw: RawCapture;
  credentialFiles: Map<string, RawFile & { name?: string }>;
  complete: boolean;
}

const KEY = /^(?:([1-9][0-9]{0,9})\/(stat|status|cmdline|environ|mountinfo|cgroup|stat-after|exe|cwd|root|exe-sha256|ns\/([a-z_]{2,8})|fd\/([0-9]{1,10}))|net\/(tcp|tcp6|udp|udp6|unix)|cred\/([0-9]{1,4}(?:\.[0-9]{1,5})?)|mode)$/;

/** Whether a key is one the collector can legitimately emit. */
export function isCollectorKey(key: string): boolean {
  return KEY.test(key);
}

/** Builds the RawCapture from records in the order they came. */
export function assembleCapture(records: Iterable<CollectorRecord>, context: { vantage: RawCapture['vantage']; target: string; exclusiveNetns: boolean; maxProcesses: number }, notes: string[], complete: boolean): ParsedCollectorOutput {
  const processes = new Map<number, RawProcess>();
  const net: Partial<Record<NetTable, RawFile>> = {};
  const credentialFiles = new Map<string, RawFile & { name?: string }>();
  const credentialNames = new Map<string, string>();
  const note = (message: string) => {
    if (notes.length < 100) notes.push(message);
  };
  const proc = (pid: number): RawProcess | undefined => {
    let found = processes.get(pid);
    if (found === undefined) {
      if (processes.size >= context.maxProcesses) return undefined;
      found = { pid, files: {}, links: {}, fds: [], namespaces: {}, exeSha256: null };
      processes.set(pid, found);
    }
    return found;
  };
  for (const record of records) {
    const match = KEY.exec(record.key);
    if (match === null) {
      note(`unexpected key ${JSON.stringify(record.key.slice(0, 80))}`);
      continue;
    }
    const [, pidText, name, nsType, fd, table, cred] = match;
    if (record.kind === 'name') {
      if (cred !== undefined) credentialNames.set(cred, record.name);
      continue;
    }
    if (record.key === 'mode') {
      if (record.kind === 'failed') note(`the collector rejected its mode: ${record.reason}`);
      continue;
    }
    const failed = record.kind === 'failed' ? { bytes: new Uint8Array(0), truncated: false, error: record.reason } : undefined;
    if (table !== undefined) {
      const file = record.kind === 'file' ? record.file : failed;
      if (file) net[table as NetTable] = file;
      continue;
    }
    if (cred !== undefined) {
      const file = record.kind === 'file' ? record.file : failed;
      const fileName = credentialNames.get(cred);
      if (file) credentialFiles.set(cred, fileName === undefined ? file : { ...file, name: fileName });
      continue;
    }
    const p = pidText === undefined ? undefined : proc(Number(pidText));
    if (p === undefined || name === undefined) continue;
    if (name === 'exe-sha256' || (name === 'exe' && record.kind === 'digest')) {
      if (record.kind === 'digest' && /^[0-9a-f]{64}$/.test(record.hex)) p.exeSha256 = record.hex;
      else if (record.kind === 'failed') p.exeError = record.reason;
      else note(`${record.key}: malformed digest`);
      continue;
    }
    const link = record.kind === 'link' ? { target: record.target } : record.kind === 'failed' ? { target: null, error: record.reason } : undefined;
    if ((PROCESS_FILES as readonly string[]).includes(name)) {
      const file = record.kind === 'file' ? record.file : failed;
      if (file) p.files[name as ProcessFile] = file;
    } else if (name === 'stat-after') {
      const file = record.kind === 'file' ? record.file : failed;
      if (file) p.statAfter = file;
    } else if (link === undefined) {
      note(`${record.key}: expected a link`);
    } else if (name === 'exe' || name === 'cwd' || name === 'root') {
      p.links[name] = link;
    } else if (nsType !== undefined && (NAMESPACE_TYPES as readonly string[]).includes(nsType)) {
      p.namespaces[nsType as NamespaceType] = link;
    } else if (fd !== undefined) {
      p.fds.push({ fd: Number(fd), link });
    }
  }
  // A tar carries members in directory order, so a name may come after its file.
  for (const [key, name] of credentialNames) {
    const file = credentialFiles.get(key);
    if (file !== undefined && file.name === undefined) credentialFiles.set(key, { ...file, name });
  }
  const list = [...processes.values()];
  const netNamespaces: RawNetNamespace[] = list.length === 0 || Object.keys(net).length === 0 ? [] : [{
    netnsInode: mostCommonNetns(list),
    viaPid: list[0]?.pid ?? 0,
    exclusive: context.exclusiveNetns,
    tables: net,
  }];
  return { raw: { vantage: context.vantage, target: context.target, processes: list, netNamespaces, notes }, credentialFiles, complete };
}

/** The network namespace most target processes share (the collector reads the tables through the first one). */
function mostCommonNetns(processes: readonly RawProcess[]): string {
  const counts = new Map<string, number>();
  for (const p of processes) {
    const target = p.namespaces.net?.target;
    if (target) {
      const text = Buffer.from(target).toString('latin1');
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'net:[unknown]';
}
