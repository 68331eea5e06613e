import { escapeBytes, latin1, toByteText, type ByteText } from './byte-text.js';
import { splitLines } from './lines.js';
import { describeBytes, describeText, WarningList, type ParseWarning } from './parse-warning.js';
import { parseDecimalNumber, parseHexBigInt, U32_MAX } from './numbers.js';

/** The four ids the kernel keeps for a process: real, effective, saved and filesystem. */
export interface IdQuad {
  readonly real: number;
  readonly effective: number;
  readonly saved: number;
  readonly filesystem: number;
}

/** A capability mask as printed (16 hex digits) and as bits. */
export interface CapabilityMask {
  readonly hex: string;
  readonly bits: bigint;
}

/** How seccomp confines the process: not at all, strict mode, or a BPF filter. */
export type SeccompMode = 'disabled' | 'strict' | 'filter';

/** One `Key:\tvalue` line of the status file, kept whether or not the key is known. */
export interface StatusField {
  /** The key, escaped like `ByteText.text`. */
  readonly key: string;
  /** The value with the whitespace after the colon removed. */
  readonly value: ByteText;
  readonly line: number;
}

/** The parsed fields of `/proc/<pid>/status`; a field missing or unreadable is null, with a warning when unreadable. */
export interface ProcStatus {
  /** The command name with the kernel's `\n` and `\\` escapes undone, so it equals the name in `stat`. */
  readonly name: ByteText | null;
  readonly state: string | null;
  readonly tgid: number | null;
  readonly pid: number | null;
  readonly ppid: number | null;
  readonly tracerPid: number | null;
  readonly uids: IdQuad | null;
  readonly gids: IdQuad | null;
  readonly supplementaryGroups: readonly number[] | null;
  /** The PID in each nested PID namespace, outermost first (`NSpid`). */
  readonly namespacePids: readonly number[] | null;
  readonly capInheritable: CapabilityMask | null;
  readonly capPermitted: CapabilityMask | null;
  readonly capEffective: CapabilityMask | null;
  readonly capBounding: CapabilityMask | null;
  readonly capAmbient: CapabilityMask | null;
  readonly noNewPrivs: boolean | null;
  readonly seccomp: SeccompMode | null;
  readonly seccompFilters: number | null;
  /** Every line in order, including keys this parser does not know. */
  readonly fields: readonly StatusField[];
  readonly warnings: ParseWarning[];
}

/** Most lines read from one status file; real ones have about 60. */
export const DEFAULT_STATUS_MAX_LINES = 1024;
const KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
/** The first value seen for a key: as latin-1 text for matching, as bytes for quoting in warnings. */
interface Found {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly line: number;
}
const SECCOMP_MODES: readonly SeccompMode[] = ['disabled', 'strict', 'filter'];

/** Parses `/proc/<pid>/status`, keeping unknown keys and warning about odd or repeated ones. */
export function parseStatus(bytes: Uint8Array, options: { maxLines?: number } = {}): ProcStatus {
  const warnings = new WarningList();
  const { lines, skippedLines } = splitLines(bytes, options.maxLines ?? DEFAULT_STATUS_MAX_LINES);
  if (skippedLines > 0) warnings.add('LINE_LIMIT', `status has ${skippedLines} lines past the limit of ${lines.length}; they were not read`);
  const fields: StatusField[] = [];
  const firstValue = new Map<string, Found>();
  for (const span of lines) {
    const colon = bytes.subarray(span.start, span.end).indexOf(0x3a);
    if (colon === -1) {
      if (span.end > span.start) warnings.add('MALFORMED_LINE', `no colon: ${describeBytes(bytes.subarray(span.start, span.end))}`, span.number);
      continue;
    }
    const key = escapeBytes(bytes.subarray(span.start, span.start + colon)).text;
    let valueStart = span.start + colon + 1;
    while (valueStart < span.end && (bytes[valueStart] === 0x09 || bytes[valueStart] === 0x20)) valueStart += 1;
    const value = toByteText(bytes, valueStart, span.end);
    fields.push({ key, value, line: span.number });
    if (!KEY.test(key)) warnings.add('ODD_KEY', `odd key ${describeText(key)}`, span.number);
    if (firstValue.has(key)) {
      warnings.add('DUPLICATE_KEY', `key ${describeText(key)} repeats; the first value is used`, span.number);
    } else {
      firstValue.set(key, { text: latin1(value.bytes), bytes: value.bytes, line: span.number });
    }
  }
  const get = (key: string): Found | undefined => firstValue.get(key);
  const bad = (key: string, found: Found): null => {
    warnings.add('BAD_NUMBER', `${key} has an unexpected value: ${describeBytes(found.bytes)}`, found.line);
    return null;
  };
  const number = (key: string): number | null => {
    const found = get(key);
    if (found === undefined) return null;
    return parseDecimalNumber(found.text, 0, U32_MAX) ?? bad(key, found);
  };
  const list = (key: string, exact?: number): number[] | null => {
    const found = get(key);
    if (found === undefined) return null;
    const parts = found.text.trim() === '' ? [] : found.text.trim().split(/[ \t]+/);
    const values = parts.map((part) => parseDecimalNumber(part, 0, U32_MAX));
    if (values.some((v) => v === null) || (exact !== undefined && values.length !== exact)) return bad(key, found);
    return values.filter((v): v is number => v !== null);
  };
  const quad = (key: string): IdQuad | null => {
    const ids = list(key, 4);
    if (ids === null) return null;
    const [real = 0, effective = 0, saved = 0, filesystem = 0] = ids;
    return { real, effective, saved, filesystem };
  };
  const capability = (key: string): CapabilityMask | null => {
    const found = get(key);
    if (found === undefined) return null;
    const bits = parseHexBigInt(found.text, 16);
    return bits === null ? bad(key, found) : { hex: found.text, bits };
  };
  const choice = <T>(key: string, choices: readonly T[]): T | null => {
    const found = get(key);
    if (found === undefined) return null;
    const index = parseDecimalNumber(found.text, 0, choices.length - 1);
    return index === null ? bad(key, found) : (choices[index] ?? null);
  };
  const stateFound = get('State');
  const nameField = fields.find((field) => field.key === 'Name');
  return {
    name: nameField === undefined ? null : unescapeName(nameField.value.bytes),
    state: stateFound === undefined ? null : (/^([A-Za-z])( |$)/.exec(stateFound.text)?.[1] ?? bad('State', stateFound)),
    tgid: number('Tgid'),
    pid: number('Pid'),
    ppid: number('PPid'),
    tracerPid: number('TracerPid'),
    uids: quad('Uid'),
    gids: quad('Gid'),
    supplementaryGroups: list('Groups'),
    namespacePids: list('NSpid'),
    capInheritable: capability('CapInh'),
    capPermitted: capability('CapPrm'),
    capEffective: capability('CapEff'),
    capBounding: capability('CapBnd'),
    capAmbient: capability('CapAmb'),
    noNewPrivs: choice('NoNewPrivs', [false, true]),
    seccomp: choice('Seccomp', SECCOMP_MODES),
    seccompFilters: number('Seccomp_filters'),
    fields,
    warnings: warnings.toArray(),
  };
}

/** Undoes the two escapes the kernel applies to `Name` (`\n` and `\\`); any other backslash stays. */
function unescapeName(bytes: Uint8Array): ByteText {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i] ?? 0;
    const next = bytes[i + 1];
    if (byte === 0x5c && (next === 0x6e || next === 0x5c)) {
      out.push(next === 0x6e ? 0x0a : 0x5c);
      i += 1;
    } else {
      out.push(byte);
    }
  }
  return toByteText(Uint8Array.from(out));
}
