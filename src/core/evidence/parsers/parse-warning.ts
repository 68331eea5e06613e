/** Why a parser could not read part of its input; every code names one condition. */
export type ParseWarningCode =
  | 'BAD_NUMBER'
  | 'BAD_ESCAPE'
  | 'CONTAINER_ID_CONFLICT'
  | 'DUPLICATE_INODE'
  | 'DUPLICATE_KEY'
  | 'EMPTY_INPUT'
  | 'ENTRY_WITHOUT_EQUALS'
  | 'LINE_LIMIT'
  | 'LINK_KIND_MISMATCH'
  | 'MALFORMED_LINE'
  | 'MISSING_HEADER'
  | 'NO_COMM'
  | 'ODD_KEY'
  | 'SIZE_LIMIT'
  | 'TOO_FEW_FIELDS'
  | 'UNKNOWN_STATE'
  | 'UNKNOWN_TYPE'
  | 'WARNING_LIMIT';

/** A problem found while parsing one item; it is recorded on the item and never thrown (ING-7). */
export interface ParseWarning {
  /** The condition, stable for machines. */
  readonly code: ParseWarningCode;
  /** What was wrong, in printable ASCII only: hostile bytes are shown as `\xNN`. */
  readonly message: string;
  /** The 1-based line of the input the warning is about, for line-oriented formats. */
  readonly line?: number;
}

/** Most warnings kept per parsed item; a flood of bad lines must not become a flood of records. */
export const DEFAULT_WARNING_LIMIT = 100;

/** Collects warnings up to a limit, then counts the rest into one closing `WARNING_LIMIT` warning. */
export class WarningList {
  readonly #items: ParseWarning[] = [];
  #dropped = 0;

  constructor(private readonly limit: number = DEFAULT_WARNING_LIMIT) {}

  /** Records one warning, or counts it if the limit is reached. */
  add(code: ParseWarningCode, message: string, line?: number): void {
    if (this.#items.length >= this.limit) {
      this.#dropped += 1;
      return;
    }
    this.#items.push(line === undefined ? { code, message } : { code, message, line });
  }

  /** Returns the kept warnings, closed by a count of those that were dropped. */
  toArray(): ParseWarning[] {
    if (this.#dropped === 0) return [...this.#items];
    return [
      ...this.#items,
      { code: 'WARNING_LIMIT', message: `${this.#dropped} further warnings were dropped after the first ${this.limit}` },
    ];
  }
}

/** Shows at most `max` bytes as printable ASCII for a warning message, escaping everything else as `\xNN`. */
export function describeBytes(bytes: Uint8Array, max = 48): string {
  let out = '';
  const shown = Math.min(bytes.length, max);
  for (let i = 0; i < shown; i += 1) {
    const byte = bytes[i] ?? 0;
    if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > shown ? `"${out}"... (${bytes.length} bytes)` : `"${out}"`;
}

/** Shows text (its UTF-8 bytes) like `describeBytes`, for fields already decoded. */
export function describeText(text: string, max = 48): string {
  return describeBytes(new TextEncoder().encode(text), max);
}
