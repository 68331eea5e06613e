import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT, makeTempDir } from '../helpers/cli.js';
import { lacks, needsRoot } from '../helpers/prerequisites.js';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'gates', 'missing-prerequisite.ts');

async function runFixture(ci: boolean): Promise<{ exitCode: number; output: string }> {
  // Without NODE_TEST_CONTEXT: the child is a test run of its own, not a subprocess of this one.
  const env: Record<string, string | undefined> = { ...process.env, CI: ci ? 'true' : undefined, NODE_TEST_CONTEXT: undefined };
  const run = await execa(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', FIXTURE], { cwd: REPO_ROOT, env, extendEnv: false, reject: false });
  return { exitCode: run.exitCode ?? -1, output: run.stdout + run.stderr };
}

test('a missing prerequisite fails the test under CI, naming what is missing, and only skips it elsewhere', { timeout: 60_000 }, async () => {
  const ci = await runFixture(true);
  assert.notEqual(ci.exitCode, 0, ci.output);
  assert.match(ci.output, /CI is set, so this test must run, but frobnicator is not installed \(Debian frobnicator\)/);
  assert.match(ci.output, /# fail 1/);
  const local = await runFixture(false);
  assert.equal(local.exitCode, 0, local.output);
  assert.match(local.output, /# SKIP frobnicator is not installed/);
  assert.match(local.output, /# skipped 1/);
});

test('.ci/run refuses to start unless it runs as root, and says so before doing anything', { timeout: 60_000 }, async (t) => {
  if (lacks(t, needsRoot('to run .ci/run as another user'))) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  // A copy in an empty tree readable by `nobody`: should the check fail, nothing of this repository is touched.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, '.ci'), { mode: 0o755 });
  copyFileSync(join(REPO_ROOT, '.ci', 'run'), join(dir, '.ci', 'run'));
  chmodSync(join(dir, '.ci', 'run'), 0o755);
  const run = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', join(dir, '.ci', 'run')], {
    cwd: dir, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir }, extendEnv: false, reject: false, timeout: 30_000,
  });
  assert.equal(run.exitCode, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /^\.ci\/run must run as root \(uid 0; this is uid 65534\)/);
  assert.equal(run.stdout, '', 'it printed progress before refusing');
});
