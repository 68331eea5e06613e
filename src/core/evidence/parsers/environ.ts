import { toByteText, type ByteText } from './byte-text.js';
import { DEFAULT_NUL_LIST_MAX_BYTES, DEFAULT_NUL_LIST_MAX_ITEMS, type NulListLimits } from './cmdline.js';
import { splitAtNul } from './nul-split.js';
import { WarningList, type ParseWarning } from './parse-warning.js';

/** One environment entry: the name before the first `=` and the value after it. */
export interface EnvironEntry {
  readonly name: ByteText;
  /** The value, null when the entry has no `=`. Values are often secrets: fingerprint them, never store them. */
  readonly value: ByteText | null;
}

/** The entries of `/proc/<pid>/environ`, split at NUL bytes only. */
export interface ProcEnviron {
  readonly entries: readonly EnvironEntry[];
  readonly nulTerminated: boolean;
  readonly truncated: boolean;
  readonly byteLength: number;
  readonly warnings: ParseWarning[];
}

/** Parses `/proc/<pid>/environ` into name and value bytes; warnings name entries by index, never by content. */
export function parseEnviron(bytes: Uint8Array, limits: NulListLimits = {}): ProcEnviron {
  const warnings = new WarningList();
  const split = splitAtNul(bytes, limits.maxBytes ?? DEFAULT_NUL_LIST_MAX_BYTES, limits.maxItems ?? DEFAULT_NUL_LIST_MAX_ITEMS);
  if (split.truncated) warnings.add('SIZE_LIMIT', `environ of ${bytes.length} bytes was cut to ${split.pieces.length} entries`);
  const entries = split.pieces.map((piece, index): EnvironEntry => {
    const equals = piece.indexOf(0x3d);
    if (equals === -1) {
      warnings.add('ENTRY_WITHOUT_EQUALS', `environ entry ${index} has no "="`);
      return { name: toByteText(piece), value: null };
    }
    return { name: toByteText(piece, 0, equals), value: toByteText(piece, equals + 1) };
  });
  return {
    entries,
    nulTerminated: split.nulTerminated,
    truncated: split.truncated,
    byteLength: bytes.length,
    warnings: warnings.toArray(),
  };
}
