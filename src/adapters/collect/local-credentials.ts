/**
 * The credentials step of a local capture: credentials in every process's environment, plus the
 * credential files (the default ServiceAccount token, and the files variables such as
 * AWS_WEB_IDENTITY_TOKEN_FILE name) read once per distinct process root through `readFileInRoot`.
 * Only fingerprints and claims leave this module; the bytes read are dropped after fingerprinting.
 */
import { Buffer } from 'node:buffer';
import { closeSync, constants, openSync } from 'node:fs';
import type { CaptureWarning } from '../../core/capture/capture-rows.js';
import type { EnvRedactor } from '../../core/capture/build-process-rows.js';
import type { CredentialRow } from '../../core/capture/capture-rows.js';
import type { RawCapture, RawProcess } from '../../core/capture/raw-capture.js';
import { CREDENTIAL_FILE_VARIABLES, DEFAULT_TOKEN_PATH, credentialPaths, type CredentialPath } from '../../core/credentials/credential-paths.js';
import { detectCredentials } from '../../core/credentials/detect-credentials.js';
import type { CredentialFile, CredentialRecord, EnvPair } from '../../core/credentials/types.js';
import { parseEnviron, parseStat } from '../../core/evidence/parsers/index.js';
import { codeOf, readBounded } from './bounded-read.js';
import { readFileInRoot } from './read-in-root.js';

/** The case key, the moment expiry is judged against, and where /proc is. */
export interface LocalCredentialInput {
  caseKey: Uint8Array;
  now: Date;
  procRoot?: string;
}

/** Processes sharing one root (same mount namespace, same root link), and the credential paths any of them names. */
interface RootGroup {
  processes: RawProcess[];
  paths: Map<string, CredentialPath>;
  fileVariables: EnvPair[];
  environs: Set<ParsedEnviron | null>;
}

/** One distinct environment (children inherit theirs, so most processes share one): parsed and judged once. */
interface ParsedEnviron {
  environ: EnvPair[];
  records: readonly CredentialRecord[];
  paths: CredentialPath[];
}

/** Builds the `credentials` rows of a local capture, with a warning for every credential file that could not be read. */
export function readLocalCredentials(raw: RawCapture, input: LocalCredentialInput): { rows: CredentialRow[]; warnings: CaptureWarning[] } {
  const procRoot = input.procRoot ?? '/proc';
  const options = { caseKey: input.caseKey, now: input.now };
  const rows: CredentialRow[] = [];
  const seen = new Set<string>();
  const add = (r: CredentialRecord, pid: number | null) => {
    const key = `${r.fingerprint} ${r.location} ${pid ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    rows.push({ kind: r.kind, location: r.location, subject: r.subject, fingerprint: r.fingerprint, expires_at: r.expiresAt, claims_json: r.claimsJson, pid });
  };
  const environs = new Map<string, ParsedEnviron>();
  const environOf = (process: RawProcess): ParsedEnviron | null => {
    const file = process.files.environ;
    if (file === undefined || file.error !== undefined) return null;
    const key = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength).toString('latin1');
    let parsed = environs.get(key);
    if (parsed === undefined) {
      const environ = parseEnviron(file.bytes).entries.map((e) => ({ name: e.name.text, value: e.value?.bytes ?? null }));
      parsed = { environ, records: detectCredentials({ pid: null, environ }, options).records, paths: credentialPaths(undefined, '', environ) };
      environs.set(key, parsed);
    }
    return parsed;
  };
  for (const process of raw.processes) for (const r of environOf(process)?.records ?? []) add(r, process.pid);

  const warnings: CaptureWarning[] = [];
  for (const group of groupByRoot(raw.processes, environOf).values()) {
    const opened = openGroupRoot(group.processes, procRoot);
    if ('error' in opened) {
      warnings.push({ pid: group.processes[0]?.pid ?? null, code: 'ROOT_UNREAD', message: `credential files not read: ${opened.error}` });
      continue;
    }
    try {
      const files = readGroupFiles(group, opened, warnings);
      if (files.length === 0) continue;
      const detected = detectCredentials({ pid: opened.pid, environ: group.fileVariables, files }, options);
      // Environment records were made above, per process; here only the files count.
      for (const r of detected.records) if (r.location.startsWith('file:')) add(r, r.pid);
    } finally {
      closeSync(opened.fd);
    }
  }
  return { rows, warnings };
}

/** Wraps an environment redactor that ignores the PID so that each distinct environment is redacted once. */
export function memoizeEnvRedactor(redact: EnvRedactor): EnvRedactor {
  const cache = new Map<string, ReturnType<EnvRedactor>>();
  return (pid, entries) => {
    const key = entries.map((e) => `${e.name}\0${e.value === null ? '\u0100' : Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength).toString('latin1')}`).join('\0\0');
    let redacted = cache.get(key);
    if (redacted === undefined) {
      redacted = redact(pid, entries);
      cache.set(key, redacted);
    }
    return redacted;
  };
}

function groupByRoot(processes: readonly RawProcess[], environOf: (process: RawProcess) => ParsedEnviron | null): Map<string, RootGroup> {
  const groups = new Map<string, RootGroup>();
  for (const process of processes) {
    const root = process.links.root?.target;
    const mnt = process.namespaces.mnt?.target;
    if (root === null || root === undefined || mnt === null || mnt === undefined) continue;
    const key = `${Buffer.from(mnt).toString('latin1')}\0${Buffer.from(root).toString('latin1')}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { processes: [], paths: new Map(), fileVariables: [], environs: new Set() };
      groups.set(key, group);
    }
    group.processes.push(process);
    const parsed = environOf(process);
    if (group.environs.has(parsed)) continue;
    group.environs.add(parsed);
    for (const pair of parsed?.environ ?? []) if (Object.hasOwn(CREDENTIAL_FILE_VARIABLES, pair.name)) group.fileVariables.push(pair);
    for (const path of parsed?.paths ?? [{ path: DEFAULT_TOKEN_PATH, kind: 'serviceaccount-token', directory: false, sources: ['default'] }]) {
      if (!path.directory && !group.paths.has(path.path)) group.paths.set(path.path, path);
    }
  }
  return groups;
}

// Opens the root of the first process of the group that still runs as the process that was read:
// the start time is checked after opening, so a reused PID never lends its root.
function openGroupRoot(processes: readonly RawProcess[], procRoot: string): { fd: number; pid: number } | { error: string } {
  let why = 'no process left';
  for (const process of processes) {
    const stat = process.files.stat;
    const started = stat === undefined || stat.error !== undefined ? null : parseStat(stat.bytes).startTimeTicks;
    if (started === null) continue;
    let fd: number;
    try {
      fd = openSync(`${procRoot}/${process.pid}/root`, constants.O_RDONLY | constants.O_DIRECTORY);
    } catch (error) {
      why = `process ${process.pid}: ${codeOf(error)}`;
      continue;
    }
    const again = readBounded(`${procRoot}/${process.pid}/stat`, 64 * 1024);
    if (again.error === undefined && parseStat(again.bytes).startTimeTicks === started) return { fd, pid: process.pid };
    closeSync(fd);
    why = `process ${process.pid} exited or its PID was reused`;
  }
  return { error: why };
}

function readGroupFiles(group: RootGroup, root: { fd: number; pid: number }, warnings: CaptureWarning[]): CredentialFile[] {
  const files: CredentialFile[] = [];
  for (const path of group.paths.values()) {
    // Paths a variable names are text the process chose: the warnings name the variable, not the path.
    const named = path.path === DEFAULT_TOKEN_PATH ? path.path : `the file named by ${path.sources.join(', ')}`;
    const read = readFileInRoot({ fd: root.fd }, path.path);
    if (read.error === 'ENOENT' && path.path === DEFAULT_TOKEN_PATH) continue;
    if (read.error !== undefined) {
      warnings.push({ pid: root.pid, code: 'CREDENTIAL_UNREAD', message: `${named}: ${read.error}` });
      continue;
    }
    if (read.truncated) {
      warnings.push({ pid: root.pid, code: 'CREDENTIAL_UNREAD', message: `${named}: larger than ${read.bytes.length} bytes, not fingerprinted` });
      continue;
    }
    // Kubelet's own `token -> ..data/token` stays in the directory; a link leading elsewhere is worth a note.
    if (read.resolved !== undefined && !read.resolved.startsWith(path.path.slice(0, path.path.lastIndexOf('/') + 1))) {
      warnings.push({ pid: root.pid, code: 'CREDENTIAL_SYMLINK', message: `${named} is a symlink; it resolved to ${read.resolved} inside the process root` });
    }
    files.push({ path: path.path, content: read.bytes });
  }
  return files;
}
