import { escapeBytes, latin1, toByteText, type ByteText } from './byte-text.js';
import { describeBytes, describeText, WarningList, type ParseWarning } from './parse-warning.js';
import { parseDecimalBigInt, parseDecimalNumber, U32_MAX } from './numbers.js';

/** The parsed fields of `/proc/<pid>/stat`; a field that could not be read is null and has a warning. */
export interface ProcStat {
  /** The PID written before the first `(`. */
  readonly pid: number | null;
  /** The command name: every byte between the first `(` and the last `)`, which may itself hold `)`, newlines or escapes. */
  readonly comm: ByteText | null;
  /** The one-letter state, such as `R`, `S`, `D`, `Z`, `T` or `I`. */
  readonly state: string | null;
  readonly ppid: number | null;
  readonly processGroupId: number | null;
  readonly sessionId: number | null;
  readonly ttyNumber: number | null;
  readonly foregroundProcessGroupId: number | null;
  readonly kernelFlags: number | null;
  readonly userTimeTicks: bigint | null;
  readonly systemTimeTicks: bigint | null;
  readonly priority: number | null;
  readonly nice: number | null;
  readonly threadCount: number | null;
  /** Clock ticks after boot at which the process started; with the PID it identifies a process across PID reuse (ING-5). */
  readonly startTimeTicks: bigint | null;
  readonly virtualMemoryBytes: bigint | null;
  readonly residentPages: bigint | null;
  /** The CPU it last ran on (field 39), null on kernels that do not print it. */
  readonly lastCpu: number | null;
  /** Every field after the command name, in order, as printed and escaped like `ByteText.text` (field 3 is index 0). */
  readonly fields: readonly string[];
  readonly warnings: ParseWarning[];
}

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
/** Fields after the command name up to and including starttime (field 22). */
const FIELDS_THROUGH_START_TIME = 20;

/** Parses `/proc/<pid>/stat`: the PID is read before the first `(` and the name runs to the last `)` (ING-5). */
export function parseStat(bytes: Uint8Array): ProcStat {
  const warnings = new WarningList();
  const open = bytes.indexOf(0x28);
  const close = bytes.lastIndexOf(0x29);
  if (open === -1 || close < open) {
    warnings.add('NO_COMM', `no "(name)" in stat: ${describeBytes(bytes)}`);
    return emptyStat(warnings.toArray());
  }
  const pidText = latin1(bytes, 0, open).replace(/ $/, '');
  const pid = parseDecimalNumber(pidText, 0, I32_MAX);
  if (pid === null) warnings.add('BAD_NUMBER', `pid is not a number: ${describeBytes(bytes.subarray(0, open))}`);
  const comm = toByteText(bytes, open + 1, close);
  const rest = escapeBytes(bytes.subarray(close + 1)).text.trim();
  const fields = rest === '' ? [] : rest.split(/ +/);
  if (fields.length < FIELDS_THROUGH_START_TIME) {
    warnings.add('TOO_FEW_FIELDS', `stat has ${fields.length} fields after the name, expected at least ${FIELDS_THROUGH_START_TIME}`);
  }
  const field = (n: number): string | undefined => fields[n - 3];
  const int = (n: number, name: string, min: number, max: number): number | null => {
    const text = field(n);
    if (text === undefined) return null;
    const value = parseDecimalNumber(text, min, max);
    if (value === null) warnings.add('BAD_NUMBER', `${name} (field ${n}) is not a number in range: ${describeText(text)}`);
    return value;
  };
  const big = (n: number, name: string, signed = false): bigint | null => {
    const text = field(n);
    if (text === undefined) return null;
    const value = signed ? parseDecimalBigInt(text, I64_MIN, I64_MAX) : parseDecimalBigInt(text);
    if (value === null) warnings.add('BAD_NUMBER', `${name} (field ${n}) is not a number in range: ${describeText(text)}`);
    return value;
  };
  const stateText = field(3);
  const state = stateText !== undefined && /^[A-Za-z]$/.test(stateText) ? stateText : null;
  if (stateText !== undefined && state === null) warnings.add('UNKNOWN_STATE', `state is not one letter: ${describeText(stateText)}`);
  return {
    pid,
    comm,
    state,
    ppid: int(4, 'ppid', 0, I32_MAX),
    processGroupId: int(5, 'pgrp', I32_MIN, I32_MAX),
    sessionId: int(6, 'session', I32_MIN, I32_MAX),
    ttyNumber: int(7, 'tty_nr', I32_MIN, I32_MAX),
    foregroundProcessGroupId: int(8, 'tpgid', I32_MIN, I32_MAX),
    kernelFlags: int(9, 'flags', 0, U32_MAX),
    userTimeTicks: big(14, 'utime'),
    systemTimeTicks: big(15, 'stime'),
    priority: int(18, 'priority', I32_MIN, I32_MAX),
    nice: int(19, 'nice', I32_MIN, I32_MAX),
    threadCount: int(20, 'num_threads', I32_MIN, I32_MAX),
    startTimeTicks: big(22, 'starttime'),
    virtualMemoryBytes: big(23, 'vsize'),
    residentPages: big(24, 'rss', true),
    lastCpu: int(39, 'processor', I32_MIN, I32_MAX),
    fields,
    warnings: warnings.toArray(),
  };
}

function emptyStat(warnings: ParseWarning[]): ProcStat {
  return {
    pid: null, comm: null, state: null, ppid: null, processGroupId: null, sessionId: null, ttyNumber: null,
    foregroundProcessGroupId: null, kernelFlags: null, userTimeTicks: null, systemTimeTicks: null, priority: null,
    nice: null, threadCount: null, startTimeTicks: null, virtualMemoryBytes: null, residentPages: null, lastCpu: null,
    fields: [], warnings,
  };
}
