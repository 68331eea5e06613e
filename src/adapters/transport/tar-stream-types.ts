/**
 * Types, limits and defaults for reading a capture tar streamed by a collector next to a suspect
 * workload. Every byte of that stream is attacker-controlled, so every limit here is a hard stop.
 */

/** Hard limits on one capture stream; each one, when hit, stops the read and keeps what came before. */
export interface TarStreamLimits {
  /** Raw bytes accepted from the source, counted before tar-stream sees them. */
  maxTotalBytes: number;
  /** Tar entries (long-name and PAX records are not entries). */
  maxEntries: number;
  /** Content kept per regular file; the rest is hashed, counted and discarded. */
  maxEntryBytes: number;
  /** Size of one PAX (`x`/`g`) or GNU long-name (`L`/`K`/`N`) record, refused before tar-stream buffers it. */
  maxHeaderBytes: number;
  /** Time from the call to the last byte. */
  wallTimeMs: number;
  /** Longest gap between two chunks. */
  idleTimeMs: number;
  /** Lowest average throughput over each `throughputWindowMs` window; 0 turns the check off. */
  minBytesPerSecond: number;
  /** Length of the windows the throughput is averaged over. */
  throughputWindowMs: number;
}

/**
 * Defaults sized for a `/proc` capture of one pod: a few thousand processes of small text files, a
 * handful of `/proc/net` tables and the odd executable, well under 256 MiB and two minutes.
 */
export const DEFAULT_TAR_STREAM_LIMITS: Readonly<TarStreamLimits> = Object.freeze({
  maxTotalBytes: 256 * 1024 * 1024,
  maxEntries: 200_000,
  maxEntryBytes: 4 * 1024 * 1024,
  maxHeaderBytes: 64 * 1024,
  wallTimeMs: 120_000,
  idleTimeMs: 15_000,
  minBytesPerSecond: 1024,
  throughputWindowMs: 30_000,
});

/** Why a read stopped before a clean end of archive. */
export type TarStreamStopCode =
  | 'STREAM_BYTE_LIMIT'
  | 'TAR_ENTRY_LIMIT'
  | 'TAR_HEADER_LIMIT'
  | 'STREAM_TOO_SLOW'
  | 'STREAM_IDLE'
  | 'STREAM_WALL_TIME'
  | 'STREAM_ERROR'
  | 'TAR_CORRUPT'
  | 'ABORTED';

/** A stop: its code, a sentence saying what happened, and the raw stream offset it refers to. */
export interface TarStreamStop {
  code: TarStreamStopCode;
  message: string;
  atByte: number;
}

/** What kind of member an entry is; links, devices and FIFOs are metadata only. */
export type CapturedEntryType = 'file' | 'symlink' | 'hardlink' | 'dir' | 'other';

/** Why a name cannot be trusted as a key: unsafe as a path, not UTF-8, or colliding with an earlier one. */
export interface NameProblem {
  code: 'PATH_UNSAFE' | 'NAME_NOT_UTF8' | 'NAME_DUPLICATE';
  reason: string;
}

/** One member of the stream, with its name kept as data; nothing in it is ever a local path. */
export interface CapturedEntry {
  /** Position in the stream, from 0. */
  index: number;
  /** The name as sent, decoded as UTF-8 (invalid bytes become U+FFFD; see `nameBytes`). */
  name: string;
  /** The exact bytes of the name as sent. */
  nameBytes: Buffer;
  nameSafe: boolean;
  nameProblem: NameProblem | null;
  /** Index of an earlier entry with the same name, or one equal after NFC, case folding or `./` and `//` spelling. */
  duplicateOf: number | null;
  type: CapturedEntryType;
  /** The raw typeflag character, e.g. `3` for a character device or `6` for a FIFO. */
  typeflag: string;
  /** Link target of a symlink or hardlink, as data. */
  linkname: string | null;
  declaredSize: number;
  /** Data bytes received for this entry (all of them counted and hashed, even past the content cap). */
  receivedBytes: number;
  /** Content of a regular file, at most `maxEntryBytes`; null for every other type. */
  content: Buffer | null;
  /** True when `content` holds fewer bytes than `declaredSize`. */
  truncated: boolean;
  /** True when every declared data byte arrived. */
  complete: boolean;
  /** SHA-256 (hex) of the received data bytes, computed while streaming. */
  sha256: string;
  mode: number | null;
  /** Modification time as declared, in seconds since the epoch. */
  mtime: number | null;
  uid: number | null;
  gid: number | null;
}

/** The entries read, why reading stopped early (null after a clean end of archive), and the bytes accepted. */
export interface TarStreamResult {
  entries: CapturedEntry[];
  stopped: TarStreamStop | null;
  bytesRead: number;
  limits: TarStreamLimits;
}

/** Fills in defaults and rejects limits that are not positive integers. */
export function resolveLimits(given: Partial<TarStreamLimits> = {}): TarStreamLimits {
  const limits: TarStreamLimits = { ...DEFAULT_TAR_STREAM_LIMITS, ...given };
  for (const [key, value] of Object.entries(limits)) {
    const zeroOk = key === 'minBytesPerSecond';
    if (!Number.isSafeInteger(value) || value < (zeroOk ? 0 : 1)) {
      throw new TypeError(`tar stream limit ${key} must be a ${zeroOk ? 'non-negative' : 'positive'} integer, got ${String(value)}`);
    }
  }
  return limits;
}
