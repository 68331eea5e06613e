// What `npm pack` produces installs into an empty prefix and runs there: `kustody`, `kubectl kustody`
// (kubectl finds the kubectl-kustody plugin on PATH), kubectl's plugin completion, the demo review and
// the shipped playbooks. better-sqlite3 is not compiled again: the repository's built module is reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT, makeTempDir } from '../helpers/cli.js';
import { labEnv } from '../helpers/lab.js';

const NATIVE = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

test('the packed tarball installs into an empty prefix, and kustody and kubectl kustody run from there', { timeout: 600_000 }, async (t) => {
  assert.ok(existsSync(join(REPO_ROOT, 'dist', 'cli.js')), 'dist/ is missing: run `npm run build` first (npm test does)');
  const { dir, cleanup } = makeTempDir('kustody-pack-');
  t.after(cleanup);
  // --ignore-scripts: dist/ is already built, and `prepare` would compile it again.
  const pack = await execa('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: REPO_ROOT });
  const tarball = join(dir, pack.stdout.trim().split('\n').pop() ?? '');
  assert.ok(existsSync(tarball), `npm pack wrote no tarball: ${pack.stdout}`);

  const prefix = join(dir, 'prefix');
  mkdirSync(prefix);
  // Dependencies come from the npm cache `npm ci` filled (the registry only for what is missing);
  // install scripts are skipped and the native module copied from the repository's build instead.
  await execa('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: dir, timeout: 300_000 });
  const installed = join(prefix, 'lib', 'node_modules', 'kustody');
  mkdirSync(dirname(join(installed, NATIVE)), { recursive: true });
  copyFileSync(join(REPO_ROOT, NATIVE), join(installed, NATIVE));
  assert.deepEqual(readdirSync(join(prefix, 'bin')).sort(), ['kubectl-kustody', 'kubectl_complete-kustody', 'kustody']);
  assert.equal(existsSync(join(installed, 'test')), false, 'the tests were packed');

  const env = { PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`, HOME: dir, KUSTODY_CASE_DIR: join(dir, 'cases') };
  const run = (file: string, args: string[]) => execa(file, args, { cwd: dir, env, reject: false, stdin: 'ignore' });

  const help = await run('kustody', ['--help']);
  assert.equal(help.exitCode, 0, help.stderr);
  assert.match(help.stdout, /kustody completion bash\|zsh\|fish/);
  const demo = await run('kustody', ['review', '--demo', '--json']);
  assert.equal(demo.exitCode, 0, demo.stderr);
  assert.doesNotThrow(() => JSON.parse(demo.stdout) as unknown, 'review --demo --json printed no JSON document');
  const playbooks = await run('kustody', ['playbook', 'list']);
  assert.equal(playbooks.exitCode, 0, playbooks.stderr);
  assert.match(playbooks.stdout, /contain-and-capture|capture/);
  const scenarios = await run('kustody', ['exercise', 'validate']);
  assert.equal(scenarios.exitCode, 0, scenarios.stdout + scenarios.stderr);
  const completion = await run('kubectl_complete-kustody', ['isolate', '--ca']);
  assert.deepEqual(completion.stdout.split('\n'), ['--case', ':4']);

  const lab = await labEnv();
  if (lab === null) {
    if (process.env.CI) assert.fail('no lab in CI: `kubectl kustody` needs the lab\'s kubectl');
    t.diagnostic('kubectl kustody not tried: no lab is up (npm run lab -- up)');
    return;
  }
  const plugin = await execa(lab.kubectl, ['kustody', '--help'], { cwd: dir, env: { ...env, PATH: `${join(prefix, 'bin')}:${dirname(lab.kubectl)}:/usr/bin:/bin` }, reject: false, stdin: 'ignore' });
  assert.equal(plugin.exitCode, 0, plugin.stderr);
  assert.match(plugin.stdout, /^kustody: Kubernetes incident response/);
  const list = await execa(lab.kubectl, ['plugin', 'list'], { env: { ...env, PATH: `${join(prefix, 'bin')}:${dirname(lab.kubectl)}:/usr/bin:/bin` }, reject: false });
  assert.match(list.stdout, /kubectl-kustody/);
});
