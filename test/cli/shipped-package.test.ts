import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../helpers/cli.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

test('the packed package holds no test harness, and nothing in dist/ or bin/ reads KUSTODY_TEST_PAUSE or installs a pause hook', { timeout: 120_000 }, async () => {
  // --ignore-scripts: `prepare` would rebuild dist/ under the other tests' feet.
  const pack = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT });
  const packed = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
  assert.ok(packed.includes('dist/runner/pause-points.js'), `dist is not in the package: ${packed.slice(0, 10).join(' ')}`);
  assert.deepEqual(packed.filter((p) => p.startsWith('test/') || /pausable|test-pause/.test(p)), []);
  const shipped = [...filesUnder(join(REPO_ROOT, 'dist')), ...filesUnder(join(REPO_ROOT, 'bin'))].filter((f) => /\.(m?js|cjs)$/.test(f));
  const readers = shipped.filter((f) => readFileSync(f, 'utf8').includes('KUSTODY_TEST_PAUSE'));
  assert.deepEqual(readers.map((f) => relative(REPO_ROOT, f)), []);
  // The hook is defined in pause-points.js and installed nowhere in the shipped code.
  const installers = shipped.filter((f) => !f.endsWith('pause-points.js') && readFileSync(f, 'utf8').includes('installPauseHook'));
  assert.deepEqual(installers.map((f) => relative(REPO_ROOT, f)), []);
});
