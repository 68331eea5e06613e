/**
 * Gates for tests that need something of the machine (root, tmux, BusyBox, the lab). Outside CI a
 * missing prerequisite skips the test with how to get it; under CI (`CI` set) it fails the test, naming
 * what is missing, so a CI machine that lacks it can never pass with tests silently skipped.
 */
import type { TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';

/** Read once, when first imported: some test files delete `CI` afterwards (Ink reads it to decide how to draw). */
const UNDER_CI = Boolean(process.env.CI);

/** Whether this test process runs under CI (`CI` set when the test helpers were first loaded). */
export function underCi(): boolean {
  return UNDER_CI;
}

/** Stops a test whose prerequisite is missing: throws under CI, skips elsewhere. Returns true when the test must return. */
export function lacks(t: TestContext, missing: string | false): boolean {
  if (missing === false) return false;
  if (UNDER_CI) throw new Error(`CI is set, so this test must run, but ${missing}`);
  t.skip(missing);
  return true;
}

/** `false` when running as root, else what is missing and why the test needs it. */
export function needsRoot(why: string): string | false {
  return process.getuid?.() === 0 ? false : `it needs root ${why} (CI runs as root)`;
}

/** `false` when `tmux` runs, else what is missing. */
export function needsTmux(): string | false {
  return spawnSync('tmux', ['-V']).status === 0 ? false : 'tmux is not installed (Debian tmux; .ci/run installs it)';
}

/** `false` when `busybox` runs, else what is missing. */
export function needsBusybox(): string | false {
  return spawnSync('busybox', ['true']).status === 0 ? false : 'BusyBox is not installed (Debian busybox-static; .ci/run installs it)';
}

/** The first missing prerequisite of several, or `false` when none is missing. */
export function firstMissing(...missing: Array<string | false>): string | false {
  return missing.find((m) => m !== false) ?? false;
}

/** For a test with one root-only part: true as root; under CI without root it fails; elsewhere it notes the skipped part and returns false. */
export function rootFor(t: TestContext, part: string): boolean {
  const missing = needsRoot(`for ${part}`);
  if (missing === false) return true;
  if (UNDER_CI) throw new Error(`CI is set, so this test must run in full, but ${missing}`);
  t.diagnostic(`not root: ran without ${part}`);
  return false;
}
