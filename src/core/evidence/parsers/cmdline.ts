import { toByteText, type ByteText } from './byte-text.js';
import { splitAtNul } from './nul-split.js';
import { WarningList, type ParseWarning } from './parse-warning.js';

/** The arguments in `/proc/<pid>/cmdline`. They may hold secrets (`--password=…`): never log them raw. */
export interface ProcCmdline {
  /** Each argument, split at NUL bytes only; an empty list for kernel threads and zombies. */
  readonly args: readonly ByteText[];
  /** False when the buffer does not end in NUL, as after `setproctitle` or a hostile rewrite of argv. */
  readonly nulTerminated: boolean;
  /** Whether the size or argument cap cut the input short. */
  readonly truncated: boolean;
  readonly byteLength: number;
  readonly warnings: ParseWarning[];
}

/** Caps on what one cmdline or environ parse keeps. */
export interface NulListLimits {
  /** Bytes read; more are counted in `byteLength` but dropped. Default 2 MiB, the usual ARG_MAX. */
  readonly maxBytes?: number;
  /** Pieces kept; more are dropped. */
  readonly maxItems?: number;
}

/** Default byte cap for cmdline and environ: 2 MiB, Linux's usual limit on argv plus environ. */
export const DEFAULT_NUL_LIST_MAX_BYTES = 2 * 1024 * 1024;
/** Default cap on arguments or variables kept from one file. */
export const DEFAULT_NUL_LIST_MAX_ITEMS = 65_536;

/** Parses `/proc/<pid>/cmdline` into arguments by NUL bytes alone, keeping every byte. */
export function parseCmdline(bytes: Uint8Array, limits: NulListLimits = {}): ProcCmdline {
  const warnings = new WarningList();
  const split = splitAtNul(bytes, limits.maxBytes ?? DEFAULT_NUL_LIST_MAX_BYTES, limits.maxItems ?? DEFAULT_NUL_LIST_MAX_ITEMS);
  // Warnings never quote the content: arguments may be secrets.
  if (split.truncated) warnings.add('SIZE_LIMIT', `cmdline of ${bytes.length} bytes was cut to ${split.pieces.length} arguments`);
  return {
    args: split.pieces.map((piece) => toByteText(piece)),
    nulTerminated: split.nulTerminated,
    truncated: split.truncated,
    byteLength: bytes.length,
    warnings: warnings.toArray(),
  };
}
