/**
 * Reads the collector's line framing (collector/kustody-collector.sh) into a RawCapture. The bytes
 * come from the suspect's side and may be forged, cut or endless: every line is bounded, every key is
 * checked against what the collector can legitimately print, and anything else becomes a note.
 * Credential file contents are returned separately, to be fingerprinted in memory and never stored.
 */
import { NAMESPACE_TYPES, type NamespaceType } from '../evidence/parsers/index.js';
import { PROCESS_FILES, type NetTable, type ProcessFile, type RawCapture, type RawFile, type RawNetNamespace, type RawProcess } from './raw-capture.js';

/** Limits on what the parser accepts. */
export interface CollectorOutputLimits {
  maxLineBytes: number;
  maxFileBytes: number;
  maxProcesses: number;
  maxRecords: number;
}

/** Defaults: 64 KiB lines, 4 MiB per file, 20,000 processes, 2,000,000 records. */
export const DEFAULT_COLLECTOR_LIMITS: CollectorOutputLimits = { maxLineBytes: 64 * 1024, maxFileBytes: 4 * 1024 * 1024, maxProcesses: 20_000, maxRecords: 2_000_000 };

/** A parsed collector run: the raw capture, credential files by key (`<arg>` or `<arg>.<n>` with the file name), and whether it ended cleanly. */
export interface ParsedCollectorOutput {
  raw: RawCapture;
  credentialFiles: Map<string, RawFile & { name?: string }>;
  complete: boolean;
}

const KEY = /^(?:([1-9][0-9]{0,9})\/(stat|status|cmdline|environ|mountinfo|cgroup|stat-after|exe|cwd|root|exe-sha256|ns\/([a-z_]{2,8})|fd\/([0-9]{1,10}))|net\/(tcp|tcp6|udp|udp6|unix)|cred\/([0-9]{1,4}(?:\.[0-9]{1,5})?)|mode)$/;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parses collector output (the whole stdout, already capped by the transport). */
export function parseCollectorOutput(output: Uint8Array, context: { vantage: RawCapture['vantage']; target: string; exclusiveNetns: boolean }, limits: CollectorOutputLimits = DEFAULT_COLLECTOR_LIMITS): ParsedCollectorOutput {
  const notes: string[] = [];
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
      if (processes.size >= limits.maxProcesses) return undefined;
      found = { pid, files: {}, links: {}, fds: [], namespaces: {}, exeSha256: null };
      processes.set(pid, found);
    }
    return found;
  };
  const text = Buffer.from(output.buffer, output.byteOffset, output.byteLength).toString('latin1');
  const lines = text.split('\n');
  let index = 0;
  let records = 0;
  let header = false;
  let complete = false;
  while (index < lines.length && records < limits.maxRecords) {
    const line = lines[index++] ?? '';
    if (line === '' && index === lines.length) break;
    if (line.length > limits.maxLineBytes) {
      note(`line ${index} is longer than ${limits.maxLineBytes} bytes; skipped`);
      continue;
    }
    records += 1;
    if (!header) {
      if (line !== 'K kustody-collector 1') {
        note('the output does not start with the collector header: the container may lack sh, or its tools were replaced');
        break;
      }
      header = true;
      continue;
    }
    if (line === 'E') {
      complete = true;
      if (lines.slice(index).some((rest) => rest !== '')) note('data after the end marker was ignored');
      break;
    }
    const kind = line[0];
    const space = line.indexOf(' ', 2);
    const key = space === -1 ? line.slice(2) : line.slice(2, space);
    const match = KEY.exec(key);
    if (match === null || line[1] !== ' ') {
      note(`unexpected line ${index}: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    if (kind === 'F') {
      const chunks: string[] = [];
      let size = 0;
      while (index < lines.length && lines[index] !== '.') {
        const chunk = lines[index++] ?? '';
        if (!BASE64_LINE.test(chunk) || chunk.length > limits.maxLineBytes) {
          note(`${key}: malformed base64 at line ${index}`);
          continue;
        }
        size += (chunk.length * 3) / 4;
        if (size <= limits.maxFileBytes * 1.34 + 4) chunks.push(chunk);
      }
      index += 1;
      const bytes = Buffer.from(chunks.join(''), 'base64');
      const file: RawFile = bytes.length > limits.maxFileBytes ? { bytes: bytes.subarray(0, limits.maxFileBytes), truncated: true } : { bytes, truncated: false };
      place(match, file, undefined);
    } else if (kind === 'L') {
      const payload = space === -1 ? '' : line.slice(space + 1);
      if (!BASE64_LINE.test(payload)) note(`${key}: malformed link text`);
      else place(match, undefined, Buffer.from(payload, 'base64'));
    } else if (kind === 'N') {
      const payload = space === -1 ? '' : line.slice(space + 1);
      if (match[6] !== undefined && BASE64_LINE.test(payload) && payload.length <= 1024) credentialNames.set(match[6], Buffer.from(payload, 'base64').toString('utf8'));
      else note(`${key}: malformed file name`);
    } else if (kind === 'D') {
      const hex = space === -1 ? '' : line.slice(space + 1);
      const pid = Number(match[1]);
      if (match[2] === 'exe' && /^[0-9a-f]{64}$/.test(hex)) {
        const p = proc(pid);
        if (p) p.exeSha256 = hex;
      } else note(`${key}: malformed digest`);
    } else if (kind === 'X') {
      const reason = (space === -1 ? 'unreadable' : line.slice(space + 1)).slice(0, 80);
      if (match[2] === 'exe-sha256') {
        const p = proc(Number(match[1]));
        if (p) p.exeError = reason;
      } else if (key === 'mode') note(`the collector rejected its mode: ${reason}`);
      else place(match, { bytes: new Uint8Array(0), truncated: false, error: reason }, undefined, true);
    } else {
      note(`unexpected record kind on line ${index}`);
    }
  }
  if (!header) complete = false;
  if (!complete && header) note('the collector output ended before its end marker: it was cut off (time or size limit) or killed');

  function place(match: RegExpExecArray, file: RawFile | undefined, link: Uint8Array | undefined, failed = false): void {
    const [, pidText, name, nsType, fd, table, cred] = match;
    if (table !== undefined) {
      if (file) net[table as NetTable] = file;
      return;
    }
    if (cred !== undefined) {
      const name = credentialNames.get(cred);
      if (file) credentialFiles.set(cred, name === undefined ? file : { ...file, name });
      return;
    }
    const p = pidText === undefined ? undefined : proc(Number(pidText));
    if (p === undefined || name === undefined) return;
    if ((PROCESS_FILES as readonly string[]).includes(name) && file) p.files[name as ProcessFile] = file;
    else if (name === 'stat-after' && file) p.statAfter = file;
    else if ((name === 'exe' || name === 'cwd' || name === 'root')) p.links[name] = failed ? { target: null, error: file?.error } : { target: link ?? null };
    else if (nsType !== undefined && (NAMESPACE_TYPES as readonly string[]).includes(nsType)) p.namespaces[nsType as NamespaceType] = failed ? { target: null, error: file?.error } : { target: link ?? null };
    else if (fd !== undefined) p.fds.push({ fd: Number(fd), link: failed ? { target: null, error: file?.error } : { target: link ?? null } });
  }

  const list = [...processes.values()];
  const first = list[0];
  const netNamespaces: RawNetNamespace[] = first === undefined || Object.keys(net).length === 0 ? [] : [{
    netnsInode: mostCommonNetns(list),
    viaPid: first.pid,
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
