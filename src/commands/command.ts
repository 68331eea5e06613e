/** The shape every subcommand shares: its flags, its help, and a run function returning an exit code. */
import type { ParseArgsConfig } from 'node:util';
import type { DisplayText } from '../core/display/index.js';

/** Where a command writes: plain lines for people, one JSON document for scripts. */
export interface CommandIo {
  out(line: DisplayText): void;
  err(line: DisplayText): void;
}

/** What a command receives besides its own flags. */
export interface CommandContext {
  io: CommandIo;
  json: boolean;
  env: NodeJS.ProcessEnv;
}

/** Parsed flags and positionals of one invocation. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** A subcommand such as `case new`. */
export interface Command {
  path: readonly [string, string];
  usage: string;
  summary: string;
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  positionals: { min: number; max: number };
  run(args: ParsedArgs, context: CommandContext): Promise<number>;
}

/** The folder new cases go into when --dir is not given. */
export function defaultCaseParent(env: NodeJS.ProcessEnv): string {
  return env.KUSTODY_CASE_DIR ?? 'cases';
}
