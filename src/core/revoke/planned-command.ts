// A command kustody proposes but does not run: the exact argv, why, what it leaves alive and how to undo
// it. The runner decides whether it runs; the core only describes it.

/** A command the responder may undo, with the argv that does it. */
export interface UndoCommand {
  readonly explanation: string;
  readonly argv: readonly string[];
}

/** One proposed external command: exact argv (argv[0] is the program name), plain-language reasons, and its undo. */
export interface PlannedCommand {
  /** Stable id within a plan, used for dependencies and in the custody log. */
  readonly id: string;
  /** The exact argument vector; each element is passed as one argument, never through a shell. */
  readonly argv: readonly string[];
  /** What the command does and why, in plain language. */
  readonly explanation: string;
  /** Whether it changes anything (false for lookups that only read). */
  readonly mutates: boolean;
  /** What still works after it ran (tokens already issued, other users of the identity). */
  readonly remains: string | null;
  /** How to undo it, or null when it changes nothing or kustody cannot know how. */
  readonly undo: UndoCommand | null;
  /** Angle-bracket placeholders in argv the responder must fill in (from an earlier lookup); such a command is only shown. */
  readonly placeholders: readonly string[];
  /** The id of a command that must succeed first, if any. */
  readonly after: string | null;
}

// Characters that need no quoting in a POSIX shell word.
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument for copy-paste into a POSIX shell (display only: kustody itself never uses a shell). */
export function shellQuote(arg: string): string {
  if (PLAIN.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Renders an argv as one line a responder can paste into a POSIX shell. */
export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Describes a planned command for the terminal: explanation, the command line, what remains valid, and the undo. */
export function describePlannedCommand(command: PlannedCommand, index: number): string {
  const lines = [`${index + 1}. ${command.explanation}`, `   $ ${shellLine(command.argv)}`];
  if (command.placeholders.length > 0) {
    lines.push(`   fill in ${command.placeholders.join(', ')} from the step before, then run it yourself`);
  }
  if (command.remains !== null) lines.push(`   still valid afterwards: ${command.remains}`);
  if (command.undo !== null) lines.push(`   undo: ${command.undo.explanation}`, `   $ ${shellLine(command.undo.argv)}`);
  return lines.join('\n');
}

/** Lists the `<placeholder>` markers left in an argv. */
export function placeholdersIn(argv: readonly string[]): string[] {
  const found = new Set<string>();
  for (const arg of argv) for (const match of arg.matchAll(/<[a-z][a-z0-9-]*>/g)) found.add(match[0]);
  return [...found];
}
