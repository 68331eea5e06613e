import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { insertExercise, markStopped, openExerciseLog } from '../../src/adapters/exercise/exercise-log.js';
import { defaultNamespace } from '../../src/commands/exercise-live-commands.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';

test('exercise start without --yes names the namespace that --yes will create: the same for every plan of one case, another for another case, and the next one once the case holds an exercise', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const [one, two] = [await newCase(dir, 'one'), await newCase(dir, 'two')];
  // 192.0.2.1 (TEST-NET-1) is never contacted: a plan reads the kubeconfig and the case only.
  const kubeconfig = join(dir, 'practice.kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters:\n- name: practice\n  cluster: {server: "https://192.0.2.1:6443"}\nusers:\n- name: u\n  user: {token: not-a-real-token}\ncontexts:\n- name: practice\n  context: {cluster: practice, user: u}\ncurrent-context: practice\n', { mode: 0o600 });
  const plan = async (casePath: string) => {
    const run = await runKustody(['exercise', 'start', 'cryptominer', '--case', casePath, '--i-own-this-cluster', '--json'], { env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: kubeconfig } });
    assert.equal(run.exitCode, 1, run.stdout + run.stderr);
    const out = JSON.parse(run.stdout) as { status: string; namespace: string };
    assert.equal(out.status, 'not-confirmed');
    return out.namespace;
  };
  const first = await plan(one.path);
  assert.match(first, /^kx-cryptominer-[0-9a-f]{6}$/);
  assert.equal(await plan(one.path), first, 'a second look at the plan names the same namespace');
  assert.equal(first, defaultNamespace('cryptominer', one.path, 0), 'and start --yes computes it the same way');
  assert.notEqual(await plan(two.path), first, 'another case, another namespace');
  const log = openExerciseLog(one.path, { create: false });
  const id = insertExercise(log, { scenario_id: 'cryptominer', scenario_sha256: '0'.repeat(64), context: 'practice', namespace: first, started_at: '2026-12-07T00:00:00.000Z', server: 'https://192.0.2.1:6443', minute_seconds: 60, scenario_json: '{}' });
  markStopped(log, id, '2026-12-07T00:30:00.000Z');
  log.close();
  const next = await plan(one.path);
  assert.notEqual(next, first, 'a second exercise in the case never reuses the first one\'s namespace (scoring reads the namespace)');
  assert.equal(next, defaultNamespace('cryptominer', one.path, 1));
});
