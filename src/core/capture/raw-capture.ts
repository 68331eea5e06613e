/**
 * What a vantage point read from a target, before any parsing: raw bytes per /proc file, link texts,
 * and what could not be read and why. Every vantage (local, exec, debug, node) produces this shape,
 * so parsing and storing are the same whichever way the bytes came.
 */
import type { NamespaceType } from '../evidence/parsers/index.js';

/** The /proc files kustody reads per process. */
export const PROCESS_FILES = ['stat', 'status', 'cmdline', 'environ', 'mountinfo', 'cgroup'] as const;
/** One of the /proc files kustody reads per process. */
export type ProcessFile = (typeof PROCESS_FILES)[number];

/** The per-namespace network tables kustody reads. */
export const NET_TABLES = ['tcp', 'tcp6', 'udp', 'udp6', 'unix'] as const;
/** One of the network tables. */
export type NetTable = (typeof NET_TABLES)[number];

/** The bytes of one file, or why they are missing; `truncated` when a size cap cut it. */
export interface RawFile {
  bytes: Uint8Array;
  truncated: boolean;
  error?: string;
}

/** The text of one readlink, plus the target's st_mode when the vantage could stat it. */
export interface RawLink {
  target: Uint8Array | null;
  stMode?: number;
  error?: string;
}

/** Everything read about one process. */
export interface RawProcess {
  pid: number;
  files: Partial<Record<ProcessFile, RawFile>>;
  links: Partial<Record<'exe' | 'cwd' | 'root', RawLink>>;
  fds: { fd: number; link: RawLink }[];
  namespaces: Partial<Record<NamespaceType, RawLink>>;
  exeSha256: string | null;
  exeError?: string;
  /** `stat` read again after everything else: a different start time means the PID was reused mid-read. */
  statAfter?: RawFile;
}

/** The network tables of one network namespace, read through one of its processes. */
export interface RawNetNamespace {
  netnsInode: string;
  viaPid: number;
  /** True when only the target uses this namespace (a pod's, or one the target created), so sockets no target process holds, such as TIME_WAIT, belong to it too. */
  exclusive: boolean;
  tables: Partial<Record<NetTable, RawFile>>;
}

/** A whole capture as read, before parsing. */
export interface RawCapture {
  vantage: 'local' | 'exec' | 'debug' | 'node';
  target: string;
  processes: RawProcess[];
  netNamespaces: RawNetNamespace[];
  /** Things the reader wants on record: skipped processes, limits hit, tools missing. */
  notes: string[];
}
