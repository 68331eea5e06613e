// The only place kustody runs another program: execa with an argv array (never a shell), no stdin, a
// timeout, an explicit environment, and stdout/stderr capped and redacted before anyone keeps them.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename, delimiter, isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { BugError } from '../../core/errors.js';
import { explainExit } from './explain-exit.js';
import { redactArgvForRecord, redactCommandOutput } from './redact-output.js';

/** Default bytes kept from each of stdout and stderr. */
export const DEFAULT_OUTPUT_CAP = 1024 * 1024;
/** Default time a program may run before it is killed. */
export const DEFAULT_TIMEOUT_MS = 120_000;

/** An environment as `process.env` holds it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** What to run and under which limits; `program` must be an absolute path (see `findProgram`). */
export interface RunCommandInput {
  readonly program: string;
  readonly args: readonly string[];
  /** argv[0] in the record (default: the program's base name). */
  readonly displayName?: string;
  /** The environment to inherit the allowed variables from (default `process.env`). */
  readonly env?: Environment;
  /** Variables set on top of the inherited ones. */
  readonly extraEnv?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly maxOutputBytes?: number;
  /** Stops the program (its whole process group: SIGTERM, then SIGKILL after 5 s) when it fires, e.g. on Ctrl-C. */
  readonly signal?: AbortSignal;
}

/** How a command ended, safe to record: argv and output redacted, output capped. */
export interface CommandResult {
  readonly argv: readonly string[];
  readonly program: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** In words, e.g. `137 (killed: SIGKILL)`. */
  readonly exit: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
  readonly durationMs: number;
  /** Why the program did not start (ENOENT, EACCES), redacted; null when it started. */
  readonly startError: string | null;
}

const INHERITED = new Set(['PATH', 'HOME', 'GOOGLE_APPLICATION_CREDENTIALS']);
// The cloud CLIs read their profile, region, config directory and credentials from these.
const INHERITED_PREFIXES = ['AWS_', 'CLOUDSDK_', 'AZURE_'];

/** Builds the child environment: PATH, HOME and cloud CLI variables from `env`, then `extraEnv`; nothing else. */
export function buildCommandEnv(env: Environment, extraEnv: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (INHERITED.has(name) || INHERITED_PREFIXES.some((prefix) => name.startsWith(prefix))) out[name] = value;
  }
  return { ...out, ...extraEnv };
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds an executable regular file by name on `searchPath` (or checks an absolute path), skipping empty and relative PATH entries. */
export async function findProgram(name: string, searchPath: string | undefined): Promise<string | null> {
  if (name === '' || name.includes('\0')) return null;
  if (name.includes('/')) return isAbsolute(name) && (await isExecutableFile(name)) ? name : null;
  for (const dir of (searchPath ?? '').split(delimiter)) {
    // An empty or relative entry means "the current directory", where a hostile file could be waiting.
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

// Keeps the first `cap` bytes and keeps reading (so the program never blocks on a full pipe).
function captureCapped(stream: Readable | null, cap: number): () => { text: string; truncated: boolean } {
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  stream?.on('data', (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const room = cap - kept;
    if (bytes.length > room) truncated = true;
    if (room <= 0) return;
    const part = bytes.subarray(0, room);
    chunks.push(part);
    kept += part.length;
  });
  return () => ({ text: Buffer.concat(chunks).toString('utf8'), truncated });
}

/**
 * Runs a program with an argv array and returns a redacted, capped result; it never throws for a failed
 * or missing program (the result says what happened), only for a program given without an absolute path.
 */
export async function runCommand(input: RunCommandInput): Promise<CommandResult> {
  if (!isAbsolute(input.program)) throw new BugError(`runCommand needs an absolute program path, got ${JSON.stringify(input.program)}`);
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cap = input.maxOutputBytes ?? DEFAULT_OUTPUT_CAP;
  const argv = redactArgvForRecord([input.displayName ?? basename(input.program), ...input.args]);
  const started = performance.now();
  const subprocess = execa(input.program, [...input.args], {
    shell: false,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    extendEnv: false,
    env: buildCommandEnv(input.env ?? process.env, input.extraEnv),
    // Its own process group (and session: no terminal to prompt on), so a timeout can kill the helpers a
    // CLI starts too; otherwise a grandchild holding stdout open keeps us waiting long after the kill.
    detached: true,
    cleanup: true,
    windowsHide: true,
  });
  const stdout = captureCapped(subprocess.stdout, cap);
  const stderr = captureCapped(subprocess.stderr, cap);
  const deadline = killGroupAfter(subprocess.pid, timeoutMs);
  const stop = () => deadline.stopNow();
  if (input.signal?.aborted) stop();
  else input.signal?.addEventListener('abort', stop, { once: true });
  const result = await subprocess;
  input.signal?.removeEventListener('abort', stop);
  deadline.clear();
  const timedOut = deadline.fired();
  const durationMs = Math.round(performance.now() - started);
  const startError = result.exitCode === undefined && result.signal === undefined && !timedOut ? startErrorOf(result) : null;
  const exitCode = result.exitCode ?? null;
  const signal = result.signal ?? null;
  const out = stdout();
  const err = stderr();
  return {
    argv,
    program: input.program,
    exitCode,
    signal,
    timedOut,
    exit: explainExit({ exitCode, signal, timedOut, timeoutMs, startError }),
    stdout: redactCommandOutput(out.text),
    stderr: redactCommandOutput(err.text),
    stdoutTruncated: out.truncated,
    stderrTruncated: err.truncated,
    durationMs,
    startError: startError === null ? null : redactCommandOutput(startError),
  };
}

// SIGTERM to the whole group at the deadline, SIGKILL five seconds later if anything is left.
function killGroupAfter(pid: number | undefined, timeoutMs: number): { clear: () => void; fired: () => boolean; stopNow: () => void } {
  let fired = false;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  let hard: NodeJS.Timeout | undefined;
  const terminate = () => {
    signalGroup('SIGTERM');
    hard ??= setTimeout(() => signalGroup('SIGKILL'), 5_000);
  };
  const soft = setTimeout(() => {
    fired = true;
    terminate();
  }, timeoutMs);
  return {
    stopNow: () => {
      clearTimeout(soft);
      terminate();
    },
    clear: () => {
      clearTimeout(soft);
      if (hard !== undefined) clearTimeout(hard);
    },
    fired: () => fired,
  };
}

function startErrorOf(result: { readonly code?: string; readonly shortMessage?: string }): string {
  return result.code ?? result.shortMessage ?? 'unknown error';
}
