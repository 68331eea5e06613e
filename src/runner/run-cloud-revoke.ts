// Plan → show → run: the cloud revocation commands (and rotation hooks) run only when the responder has
// confirmed and the program is on PATH; each attempt goes to the caller's custody recorder.
import type { CommandResult, Environment } from '../adapters/command/run-command.js';
import { findProgram, runCommand } from '../adapters/command/run-command.js';
import { redactArgvForRecord } from '../adapters/command/redact-output.js';
import type { CloudIdentity, CloudRevokeContext } from '../core/revoke/cloud-commands.js';
import { buildCloudRevokeCommands } from '../core/revoke/cloud-commands.js';
import type { PlannedCommand } from '../core/revoke/planned-command.js';
import { describePlannedCommand, shellLine } from '../core/revoke/planned-command.js';

/** What became of one planned command. */
export type CommandStatus = 'succeeded' | 'failed' | 'not-confirmed' | 'cli-missing' | 'needs-input' | 'skipped';

/** One custody-log entry for a command kustody ran or meant to run; argv and output are redacted and capped. */
export interface CommandRecordEntry {
  readonly commandId: string;
  readonly status: Exclude<CommandStatus, 'not-confirmed'>;
  readonly mutates: boolean;
  readonly argv: readonly string[];
  readonly program: string | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly exit: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
  readonly durationMs: number | null;
  readonly startedAt: string | null;
  readonly message: string;
}

/** The outcome of one planned command, with the command result when it ran. */
export interface CommandOutcome {
  readonly command: PlannedCommand;
  readonly status: CommandStatus;
  readonly message: string;
  readonly result: CommandResult | null;
}

/** How to run a plan: the confirmation, where to show it, where to record, and the environment. */
export interface RunPlannedOptions {
  /** True only after `--yes` or a typed confirmation; otherwise the plan is shown and nothing runs. */
  readonly confirmed: boolean;
  /** Shows text to the responder (the plan, then each outcome). */
  readonly show: (text: string) => void;
  /** The case recorder; a throw stops the run before the next command. */
  readonly record: (entry: CommandRecordEntry) => void | Promise<void>;
  /** The environment PATH and the cloud CLI variables come from (default `process.env`). */
  readonly env?: Environment;
  readonly extraEnv?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly clock?: () => Date;
}

// Keeps the CLIs from waiting on a pager or a prompt that nobody will answer.
const NON_INTERACTIVE = { AWS_PAGER: '', CLOUDSDK_CORE_DISABLE_PROMPTS: '1' } as const;

function notRunEntry(command: PlannedCommand, status: CommandRecordEntry['status'], message: string): CommandRecordEntry {
  return {
    commandId: command.id,
    status,
    mutates: command.mutates,
    argv: redactArgvForRecord(command.argv),
    program: null,
    exitCode: null,
    signal: null,
    timedOut: false,
    exit: null,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    durationMs: null,
    startedAt: null,
    message,
  };
}

async function runOne(command: PlannedCommand, options: RunPlannedOptions, done: ReadonlyMap<string, CommandStatus>): Promise<CommandOutcome> {
  const name = command.argv[0] ?? '';
  const line = shellLine(command.argv);
  const notRun = async (status: CommandRecordEntry['status'], message: string): Promise<CommandOutcome> => {
    await options.record(notRunEntry(command, status, message));
    return { command, status, message, result: null };
  };
  if (command.after !== null && done.get(command.after) !== 'succeeded') {
    return notRun('skipped', `not run: it needs ${command.after} to succeed first; run this yourself afterwards: ${line}`);
  }
  if (command.placeholders.length > 0) {
    return notRun('needs-input', `not run: fill in ${command.placeholders.join(', ')} and run this yourself: ${line}`);
  }
  const env = options.env ?? process.env;
  const program = await findProgram(name, env.PATH);
  if (program === null) return notRun('cli-missing', `not run: ${name} not found on PATH; run this yourself: ${line}`);
  const startedAt = (options.clock ?? (() => new Date()))().toISOString();
  const result = await runCommand({
    program,
    args: command.argv.slice(1),
    displayName: name,
    env,
    extraEnv: options.extraEnv,
    timeoutMs: options.timeoutMs,
  });
  const succeeded = result.exitCode === 0 && !result.timedOut;
  const status = succeeded ? 'succeeded' : 'failed';
  const message = succeeded ? `${name}: ${result.exit}` : `failed: ${name} exited ${result.exit}`;
  await options.record({ ...notRunEntry(command, status, message), ...pickResult(result), startedAt });
  return { command, status, message, result };
}

function pickResult(result: CommandResult) {
  const { argv, program, exitCode, signal, timedOut, exit, stdout, stderr, stdoutTruncated, stderrTruncated, durationMs } = result;
  return { argv, program, exitCode, signal, timedOut, exit, stdout, stderr, stdoutTruncated, stderrTruncated, durationMs };
}

/** Shows a plan of commands, then (only when confirmed) runs each runnable one in order and records every attempt. */
export async function runPlannedCommands(commands: readonly PlannedCommand[], options: RunPlannedOptions): Promise<CommandOutcome[]> {
  options.show(commands.map((command, index) => describePlannedCommand(command, index)).join('\n\n'));
  if (!options.confirmed) {
    options.show('Not confirmed: nothing was run. Confirm (--yes) to run these commands, or run them yourself.');
    return commands.map((command) => ({ command, status: 'not-confirmed', message: 'not run: not confirmed', result: null }));
  }
  const done = new Map<string, CommandStatus>();
  const outcomes: CommandOutcome[] = [];
  for (const command of commands) {
    const outcome = await runOne(command, options, done);
    done.set(command.id, outcome.status);
    outcomes.push(outcome);
    options.show(`${command.id}: ${outcome.message}`);
  }
  return outcomes;
}

/** Plans the cloud revocation for a pod's identities (refusing any unsafe value before anything runs), shows it, and runs it when confirmed. */
export async function runCloudRevoke(
  identities: readonly CloudIdentity[],
  context: CloudRevokeContext,
  options: RunPlannedOptions,
): Promise<CommandOutcome[]> {
  const commands = buildCloudRevokeCommands(identities, context);
  return runPlannedCommands(commands, { ...options, extraEnv: { ...NON_INTERACTIVE, ...options.extraEnv } });
}
