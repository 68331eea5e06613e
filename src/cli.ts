/**
 * The command line: parses argv, runs one subcommand, prints errors as one sentence plus the next
 * step, and is the only place that decides exit codes (0 ok, 1 the operation failed or found
 * tampering, 2 bad usage or unreadable input).
 */
import { parseArgs } from 'node:util';
import type { Command, CommandIo } from './commands/command.js';
import { COMMAND_ENTRIES } from './commands/registry.js';
import { display, escapeUntrusted, redactError, toSafeJson, trusted, type DisplayText } from './core/display/index.js';
import { KustodyError, UsageError } from './core/errors.js';
import { TOOL_VERSION } from './version.js';

const processIo: CommandIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

// A reader that stops early (`kustody case show | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

/** Runs kustody with the given arguments and returns the exit code. */
export async function main(argv: readonly string[], io: CommandIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--debug');
  try {
    // `kustody` alone on a terminal opens the guided UI; piped, it prints help. With flags (`kustody
    // --context prod -n shop`) it is `kustody ui` with those flags.
    if (args.length === 0 && io === processIo && process.stdout.isTTY === true && process.stdin.isTTY === true) {
      const { launchResponderUi } = await import('./commands/review-command.js');
      return await launchResponderUi({ readOnly: false, kube: {} }, { io, json, env });
    }
    if (args[0] !== undefined && args[0].startsWith('-') && !['--help', '-h', '--version', '-V'].includes(args[0])) args.unshift('ui');
    if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
      for (const line of await generalHelp()) io.out(line);
      return 0;
    }
    if (args[0] === '--version' || args[0] === '-V') {
      io.out(display`kustody ${escapeUntrusted(TOOL_VERSION)}`);
      return 0;
    }
    const entry = COMMAND_ENTRIES.find((c) => c.path[0] === args[0] && (c.path[1] === '' || c.path[1] === args[1]));
    if (entry === undefined) throw unknownCommand(args);
    const command = await entry.load();
    const rest = args.slice(command.path[1] === '' ? 1 : 2);
    // The completion helper gets the words being completed as they are, flags included.
    if (entry.hidden === true) {
      const code = await command.run({ values: {}, positionals: rest }, { io, json: false, env });
      // A TAB must come back: a cluster request still hanging past the completion timeout must not keep the process alive.
      if (io === processIo) setTimeout(() => process.exit(code), 50).unref();
      return code;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      for (const line of commandHelp(command)) io.out(line);
      return 0;
    }
    const parsed = parseCommandArgs(command, rest);
    return await command.run(parsed, { io, json, env });
  } catch (error) {
    return reportError(error, io, { json, debug });
  }
}

function parseCommandArgs(command: Command, rest: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0] ?? 'bad arguments'}.`, `Usage: ${command.usage}`);
  }
  const { positionals } = parsed;
  if (positionals.length < command.positionals.min || positionals.length > command.positionals.max) {
    throw new UsageError(`\`kustody ${command.path.join(' ').trim()}\` takes ${describeCount(command.positionals)}, got ${positionals.length}.`, `Usage: ${command.usage}`);
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals };
}

function describeCount({ min, max }: { min: number; max: number }): string {
  if (max === 0) return 'no arguments';
  return min === max ? `${min} argument${min === 1 ? '' : 's'}` : `${min} to ${max} arguments`;
}

function unknownCommand(args: readonly string[]): UsageError {
  const group = COMMAND_ENTRIES.filter((c) => c.path[0] === args[0]);
  if (group.length > 0) return new UsageError(`\`kustody ${args[0]}\` needs one of: ${group.map((c) => c.path[1]).join(', ')}.`);
  return new UsageError(`There is no command \`${args.slice(0, 2).join(' ')}\`.`);
}

function reportError(error: unknown, io: CommandIo, { json, debug }: { json: boolean; debug: boolean }): number {
  const known = error instanceof KustodyError ? error : undefined;
  const code = known?.code ?? 'UNEXPECTED';
  const exit = known?.kind === 'usage' ? 2 : 1;
  const message = known !== undefined ? escapeUntrusted(known.message, { maxBytes: 4000 }) : redactError(error);
  const next = known?.nextStep ?? 'Rerun with --debug for details and report it if it looks like a bug in kustody.';
  if (json) io.out(toSafeJson({ error: { code, message: String(message), next_step: next } }));
  else {
    io.err(display`kustody: ${message}`);
    io.err(display`  next: ${escapeUntrusted(next)}`);
  }
  if (debug && error instanceof Error) for (const line of (error.stack ?? String(error)).split('\n')) io.err(escapeUntrusted(line));
  return exit;
}

async function generalHelp(): Promise<DisplayText[]> {
  const lines: DisplayText[] = [
    trusted('kustody: Kubernetes incident response: isolate a suspect pod, capture its runtime state into a verifiable evidence bundle, revoke what it held.'),
    trusted(''),
    trusted('Usage:'),
  ];
  for (const c of await Promise.all(COMMAND_ENTRIES.filter((e) => e.hidden !== true).map((e) => e.load()))) lines.push(display`  ${escapeUntrusted(c.usage.padEnd(72))} ${escapeUntrusted(c.summary)}`);
  lines.push(trusted(''), trusted('Global flags: --json (one JSON document on stdout), --debug (stack traces), --help, --version'));
  lines.push(trusted('Cluster flags (as kubectl): --kubeconfig FILE, --context NAME, --cluster NAME, --user NAME, -n/--namespace NS, --allow-exec-plugin.'));
  lines.push(trusted('Installed from npm, kustody also runs as `kubectl kustody …`.'));
  lines.push(trusted('Exit codes: 0 success, 1 the operation ran and failed (or found tampering), 2 bad usage or unreadable input.'));
  return lines;
}

function commandHelp(command: Command): DisplayText[] {
  return [display`Usage: ${escapeUntrusted(command.usage)}`, trusted(''), ...command.help.split('\n').map((line) => escapeUntrusted(line))];
}
