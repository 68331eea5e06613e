/** Turns one process's raw /proc reads into a `processes` row and its warnings. */
import {
  parseCgroup, parseCmdline, parseNamespaceLink, parseProcLink, parseStat, parseStatus,
  type ParseWarning, type ProcLink,
} from '../evidence/parsers/index.js';
import { escapeBytes, parseEnviron } from '../evidence/parsers/index.js';
import type { CaptureWarning, ProcessRow } from './capture-rows.js';
import type { RawLink, RawProcess } from './raw-capture.js';
import { redactArgv, type Fingerprint } from './redact-argv.js';

/** A parsed process: its row, and facts other steps need (fd links, namespaces). */
export interface BuiltProcess {
  row: ProcessRow;
  startTime: bigint | null;
  fdLinks: { fd: number; link: ProcLink }[];
  warnings: CaptureWarning[];
}

/** One environment variable as read: name text and raw value bytes. */
export interface EnvEntry {
  name: string;
  value: Uint8Array | null;
}

/** Turns an environment into what may be stored: credential values replaced by fingerprints (see core/credentials). */
export type EnvRedactor = (pid: number, entries: EnvEntry[]) => ReadonlyArray<{ name: string; value: string | Uint8Array | null }>;

/** Parses every file read for one process; missing files leave nulls and a warning, never a throw. */
export function buildProcessRow(raw: RawProcess, fingerprint: Fingerprint, redactEnv?: EnvRedactor): BuiltProcess {
  const warnings: CaptureWarning[] = [];
  const warn = (code: string, message: string) => warnings.push({ pid: raw.pid, code, message });
  const collect = (what: string, list: readonly ParseWarning[]) => {
    for (const w of list) warn(w.code, `${what}: ${w.message}`);
  };
  for (const [name, file] of Object.entries(raw.files)) {
    if (file?.error !== undefined) warn('READ_FAILED', `${name}: ${file.error}`);
    if (file?.truncated === true) warn('TRUNCATED', `${name} was cut at its size limit`);
  }
  const stat = raw.files.stat?.error === undefined && raw.files.stat !== undefined ? parseStat(raw.files.stat.bytes) : null;
  const status = raw.files.status?.error === undefined && raw.files.status !== undefined ? parseStatus(raw.files.status.bytes) : null;
  if (stat) collect('stat', stat.warnings);
  if (status) collect('status', status.warnings);
  if (stat?.pid !== null && stat?.pid !== undefined && stat.pid !== raw.pid) warn('PID_MISMATCH', `stat names pid ${stat.pid}`);
  if (raw.statAfter !== undefined && stat !== null) {
    const after = raw.statAfter.error === undefined ? parseStat(raw.statAfter.bytes) : null;
    if (after === null) warn('PROCESS_EXITED', 'the process exited while it was being read');
    else if (after.startTimeTicks !== stat.startTimeTicks) warn('PID_REUSED', 'the PID was reused while it was being read: later files may belong to another process');
  }

  const argv = raw.files.cmdline?.error === undefined && raw.files.cmdline !== undefined ? parseCmdline(raw.files.cmdline.bytes) : null;
  if (argv) collect('cmdline', argv.warnings);
  const redacted = argv === null ? null : redactArgv(argv.args.map((a) => a.text), fingerprint);
  if (redacted !== null && redacted.redacted > 0) warn('SECRET_REDACTED', `${redacted.redacted} command-line value(s) looked like secrets and were replaced by fingerprints`);

  const environ = raw.files.environ?.error === undefined && raw.files.environ !== undefined ? parseEnviron(raw.files.environ.bytes) : null;
  if (environ) collect('environ', environ.warnings);
  const envStored = environ === null || redactEnv === undefined ? null : redactEnv(raw.pid, environ.entries.map((e) => ({ name: e.name.text, value: e.value?.bytes ?? null })))
    .map((e) => [e.name, e.value === null ? null : typeof e.value === 'string' ? e.value : escapeBytes(e.value).text]);
  const exe = linkOf(raw.links.exe);
  const cwd = linkOf(raw.links.cwd);
  const root = linkOf(raw.links.root);
  const cgroup = raw.files.cgroup?.error === undefined && raw.files.cgroup !== undefined ? parseCgroup(raw.files.cgroup.bytes) : null;
  if (cgroup) collect('cgroup', cgroup.warnings);
  const container = cgroup?.container ?? null;
  const ns = (type: 'net' | 'mnt' | 'pid') => {
    const link = raw.namespaces[type];
    if (link?.target === null || link?.target === undefined) return null;
    const parsed = parseNamespaceLink(link.target).namespace;
    return parsed === null ? null : `${parsed.type}:[${parsed.inode}]`;
  };
  const fdLinks = raw.fds.flatMap(({ fd, link }) => (link.target === null ? [] : [{ fd, link: parseProcLink(link.target) }]));
  if (raw.exeError !== undefined) warn('EXE_UNREAD', `exe content not hashed: ${raw.exeError}`);

  const row: ProcessRow = {
    pid: raw.pid,
    ppid: stat?.ppid ?? status?.ppid ?? null,
    uid: status?.uids?.real ?? null,
    gid: status?.gids?.real ?? null,
    comm: stat?.comm?.text ?? status?.name?.text ?? null,
    cmdline: redacted === null ? null : redacted.args.join(' '),
    argv_json: redacted === null ? null : JSON.stringify(redacted.args),
    exe: exe === null ? null : linkText(exe),
    exe_sha256: raw.exeSha256,
    exe_deleted: exe === null ? null : exe.kind === 'path' && exe.deleted ? 1 : 0,
    cwd: cwd === null ? null : linkText(cwd),
    root: root === null ? null : linkText(root),
    start_time: stat?.startTimeTicks ?? null,
    state: stat?.state ?? status?.state ?? null,
    cap_eff: status?.capEffective?.hex ?? null,
    cap_prm: status?.capPermitted?.hex ?? null,
    cap_bnd: status?.capBounding?.hex ?? null,
    no_new_privs: status?.noNewPrivs === null || status?.noNewPrivs === undefined ? null : status.noNewPrivs ? 1 : 0,
    seccomp: status?.seccomp === null || status?.seccomp === undefined ? null : { disabled: 0, strict: 1, filter: 2 }[status.seccomp],
    container_id: container?.containerId ?? null,
    pod_uid: container?.podUid ?? null,
    nspid_json: status?.namespacePids === null || status?.namespacePids === undefined ? null : JSON.stringify(status.namespacePids),
    net_ns: ns('net'),
    mnt_ns: ns('mnt'),
    pid_ns: ns('pid'),
    env_json: envStored === null ? null : JSON.stringify(envStored),
    warnings_json: '[]',
  };
  row.warnings_json = JSON.stringify(warnings.map((w) => ({ code: w.code, message: w.message })));
  return { row, startTime: stat?.startTimeTicks ?? null, fdLinks, warnings };
}

function linkOf(raw: RawLink | undefined): ProcLink | null {
  if (raw === undefined || raw.target === null) return null;
  return parseProcLink(raw.target);
}

function linkText(link: ProcLink): string {
  return link.raw.text;
}
