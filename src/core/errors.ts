/**
 * kustody's error vocabulary. Every error a user can meet says what happened and what to do next;
 * only the CLI turns these into exit codes.
 */

/** How the CLI should end when this error escapes: a failed operation (1) or bad input (2). */
export type ErrorKind = 'failed' | 'usage';

/** Base class: a message for the user plus the next step they should take. */
export class KustodyError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly nextStep: string | undefined;

  constructor(code: string, message: string, options: { kind?: ErrorKind; nextStep?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'KustodyError';
    this.code = code;
    this.kind = options.kind ?? 'failed';
    this.nextStep = options.nextStep;
  }
}

/** The command line was wrong: unknown flag, missing argument. Exit code 2. */
export class UsageError extends KustodyError {
  constructor(message: string, nextStep = 'Run `kustody --help` to see the commands and their flags.') {
    super('USAGE', message, { kind: 'usage', nextStep });
    this.name = 'UsageError';
  }
}

/** An input file could not be read or is not what it should be (not a case, not a bundle). Exit code 2. */
export class UnreadableInputError extends KustodyError {
  constructor(code: string, message: string, nextStep?: string, cause?: unknown) {
    super(code, message, { kind: 'usage', nextStep, cause });
    this.name = 'UnreadableInputError';
  }
}

/** Something kustody should never do happened; the user should report it. Exit code 1. */
export class BugError extends KustodyError {
  constructor(message: string, cause?: unknown) {
    super('BUG', message, { nextStep: 'This is a bug in kustody: rerun with --debug and report the output.', cause });
    this.name = 'BugError';
  }
}

/** Narrows an unknown value to a message without trusting it to be an Error. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Used at the end of exhaustive switches: the compiler proves this is never reached. */
export function checkExhaustive(value: never): never {
  throw new BugError(`unexpected value ${String(value)}`);
}
