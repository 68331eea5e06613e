// Helpers for the cloud revocation tests. The fixture CLIs in test/fixtures/cloud-cli stand in for aws,
// gcloud and az only because those cannot run here (no network, no cloud account); everything else in
// these tests (run-command, execa, the shell used to check copy-paste lines) is real.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/cli.js';

/** The folder holding the fixture `aws`, `gcloud` and `az` scripts, used as the whole PATH. */
export const FIXTURE_CLI_DIR = new URL('../fixtures/cloud-cli', import.meta.url).pathname;

/** One recorded invocation of a fixture CLI. */
export interface Invocation {
  readonly cli: string;
  readonly argc: number;
  readonly args: string[];
}

/** A temp folder with the path of the argv log the fixtures append to. */
export function argvLog(): { log: string; dir: string; cleanup: () => void } {
  const { dir, cleanup } = makeTempDir('kustody-cloud-');
  return { log: join(dir, 'argv.log'), dir, cleanup };
}

/** Parses the argv log; throws when an invocation's argument count disagrees with its lines (a newline got in). */
export function readInvocations(log: string): Invocation[] {
  if (!existsSync(log)) return [];
  const invocations: Invocation[] = [];
  let current: Invocation | null = null;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const header = /^>>> (\S+) argc=(\d+)$/.exec(line);
    if (header !== null) current = { cli: header[1] ?? '', argc: Number(header[2]), args: [] };
    else if (line === '<<<' && current !== null) {
      if (current.args.length !== current.argc) throw new Error(`argc ${current.argc} but ${current.args.length} lines`);
      invocations.push(current);
      current = null;
    } else if (current !== null) current.args.push(line);
  }
  return invocations;
}

/** Splits a shell command line the way a real POSIX shell does, to prove a copy-paste line means the intended argv. */
export function shellWords(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `set -- ${line}; for a in "$@"; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}
