/** Runs the built kustody CLI as a real subprocess, the way a responder or a script does. */
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Absolute path of the repository root. */
export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
/** The installed entry point (needs `npm run build`, which `npm test` runs first). */
export const KUSTODY_BIN = join(REPO_ROOT, 'bin', 'kustody.js');

/** What one CLI run printed and how it exited. */
export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `kustody ...args` and never throws on a non-zero exit. */
export async function runKustody(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const result = await execa(process.execPath, [KUSTODY_BIN, ...args], { cwd: options.cwd, env: options.env, reject: false, stdin: 'ignore' });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Makes a private temporary folder and returns it with a cleanup function. */
export function makeTempDir(prefix = 'kustody-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Creates a case through the CLI and returns its folder. */
export async function newCase(parentDir: string, title = 'test case'): Promise<{ id: string; path: string }> {
  const run = await runKustody(['case', 'new', '--dir', parentDir, '--title', title, '--json']);
  if (run.exitCode !== 0) throw new Error(`case new failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { id: string; path: string };
}
