// Says how a program ended in words, as zx does ("exit code: 137 (Kill (terminate immediately))").
import { constants } from 'node:os';

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, number]) => [number, name]));

const MEANINGS: Readonly<Record<number, string>> = {
  0: 'success',
  1: 'general error',
  2: 'misuse: bad arguments or usage',
  126: 'found but not executable',
  127: 'command not found',
};

/** How a run ended: the exit code or signal, whether it timed out, and whether it started at all. */
export interface ExitFacts {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly timeoutMs?: number;
  /** The spawn error code (ENOENT, EACCES) when the program never started. */
  readonly startError?: string | null;
}

/**
 * Explains how a program ended, e.g. `137 (killed: SIGKILL)`, `1 (general error)`, `killed: SIGTERM`.
 *
 * @example explainExit({exitCode: 137, signal: null, timedOut: false}) // '137 (killed: SIGKILL)'
 */
export function explainExit(facts: ExitFacts): string {
  if (facts.startError !== undefined && facts.startError !== null) return `did not start (${facts.startError})`;
  if (facts.timedOut) {
    const after = facts.timeoutMs === undefined ? '' : ` after ${facts.timeoutMs} ms`;
    return `timed out${after} (killed: ${facts.signal ?? 'SIGTERM'})`;
  }
  if (facts.exitCode === null) return facts.signal === null ? 'ended without an exit code' : `killed: ${facts.signal}`;
  const code = facts.exitCode;
  const meaning = MEANINGS[code];
  if (meaning !== undefined) return `${code} (${meaning})`;
  // A shell reports a child killed by signal N as 128 + N.
  const signal = code > 128 ? SIGNAL_NAMES.get(code - 128) : undefined;
  return signal === undefined ? String(code) : `${code} (killed: ${signal})`;
}
