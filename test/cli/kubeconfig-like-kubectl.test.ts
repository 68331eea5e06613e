// kustody reads kubeconfigs as kubectl does, with the lab's kubectl (v1.35) as the judge: a merged
// two-file KUBECONFIG with current-context in the second file and a missing file between them, a bare
// POD in the context's namespace, and a context naming a missing user. Bad files and no kubeconfig at
// all end with exit 2 and a message naming what was wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadKubeconfig } from '../../src/adapters/kube/kubeconfig-files.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { requireLab } from '../helpers/lab.js';
import { pluginIdentity } from '../helpers/lab-plugin-identity.js';

interface KubectlView {
  'current-context'?: string;
  clusters: Array<{ name: string; cluster: { server: string } }>;
  users: Array<{ name: string }>;
  contexts: Array<{ name: string; context: { cluster: string; user?: string; namespace?: string } }>;
}

test('a merged KUBECONFIG is read as kubectl reads it, and a bare POD is found in the context\'s namespace', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const identity = await pluginIdentity(lab, `kcfg-merge-${Math.random().toString(16).slice(2, 8)}`);
  t.after(identity.remove);
  // a.yaml: the cluster and the user; b.yaml: a decoy cluster of the same name, the context, current-context.
  const a = join(dir, 'a.yaml');
  const b = join(dir, 'b.yaml');
  writeFileSync(a, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'lab', cluster: identity.cluster }], users: [{ name: 'sa', user: { token: identity.token } }], contexts: [{ name: 'elsewhere', context: { cluster: 'lab', user: 'sa' } }] }));
  writeFileSync(b, JSON.stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'incident', clusters: [{ name: 'lab', cluster: { server: 'https://127.0.0.1:1' } }], contexts: [{ name: 'incident', context: { cluster: 'lab', user: 'sa', namespace: identity.namespace } }, { name: 'ghost', context: { cluster: 'lab', user: 'nobody' } }] }));
  const env = { KUBECONFIG: `${a}:${join(dir, 'missing.yaml')}:${b}`, HOME: dir, KUBERC: 'off' };

  const judge = (args: string[]) => execa(lab.kubectl, args, { env: { ...process.env, ...env }, reject: false, stdin: 'ignore', timeout: 60_000 });
  const current = await judge(['config', 'current-context']);
  const view = JSON.parse((await judge(['config', 'view', '--merge', '-o', 'json'])).stdout) as KubectlView;
  const ours = loadKubeconfig(undefined, env);
  assert.equal(ours.currentContext, current.stdout.trim());
  assert.deepEqual([...ours.clusters.keys()].sort(), view.clusters.map((c) => c.name).sort());
  assert.deepEqual([...ours.users.keys()].sort(), view.users.map((u) => u.name).sort());
  assert.deepEqual([...ours.contexts.keys()].sort(), view.contexts.map((c) => c.name).sort());
  for (const cluster of view.clusters) assert.equal(ours.clusters.get(cluster.name)?.fields.server, cluster.cluster.server, `cluster ${cluster.name}: kubectl kept another file's entry`);
  for (const context of view.contexts) assert.equal(ours.contexts.get(context.name)?.fields.namespace, context.context.namespace);

  const byKubectl = await judge(['get', 'pod', identity.pod, '-o', 'name']);
  assert.equal(byKubectl.exitCode, 0, byKubectl.stderr);
  const created = await newCase(dir);
  const byKustody = await runKustody(['identities', identity.pod, '--case', created.path, '--json'], { env });
  assert.equal(byKustody.exitCode, 0, byKustody.stdout + byKustody.stderr);
  assert.match(byKustody.stdout, new RegExp(`"namespace":"${identity.namespace}"`));

  // A context whose user no file defines: kubectl falls back to prompting for a username (and fails
  // without a terminal); kustody stops and names the user, the context and the files.
  const ghostKubectl = await execa(lab.kubectl, ['--context', 'ghost', 'get', 'pod', identity.pod, '-n', identity.namespace], { env: { ...process.env, ...env }, reject: false, stdin: 'ignore', timeout: 30_000 });
  assert.notEqual(ghostKubectl.exitCode, 0);
  assert.match(ghostKubectl.stdout + ghostKubectl.stderr, /Please enter Username/);
  const ghost = await runKustody(['identities', identity.pod, '-n', identity.namespace, '--context', 'ghost', '--case', created.path], { env });
  assert.equal(ghost.exitCode, 2, ghost.stderr);
  assert.match(ghost.stderr, /Context "ghost" names a user "nobody" that no kubeconfig file defines/);

  // -n contradicting NS/POD is a usage error, not a guess.
  const clash = await runKustody(['identities', `${identity.namespace}/${identity.pod}`, '-n', 'default', '--case', created.path], { env });
  assert.equal(clash.exitCode, 2);
  assert.match(clash.stderr, /names namespace .* but -n says default/);
});

test('no kubeconfig, a directory, a 10 MB file and invalid YAML end with exit 2 and say what is wrong', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const attempt = (env: Record<string, string>) => runKustody(['isolate', 'shop/web', '--case', created.path], { env: { HOME: join(dir, 'empty-home'), KUBERC: 'off', ...env } });
  const none = await attempt({ KUBECONFIG: '' });
  assert.equal(none.exitCode, 2);
  assert.match(none.stderr, /No kubeconfig found \(looked in \$KUBECONFIG, ~\/\.kube\/config\)/);
  assert.match(none.stderr, /next: Pass --kubeconfig FILE, set KUBECONFIG/);
  assert.doesNotMatch(none.stderr, /localhost:8080/);
  const missingOnly = await attempt({ KUBECONFIG: `${join(dir, 'nope')}:${join(dir, 'nope2')}` });
  assert.match(missingOnly.stderr, /No kubeconfig found/);

  const folder = join(dir, 'kube.d');
  mkdirSync(folder);
  const directory = await attempt({ KUBECONFIG: folder });
  assert.equal(directory.exitCode, 2);
  assert.match(directory.stderr, /kube\.d is not a regular file \(a directory\?\)/);

  const big = join(dir, 'big.yaml');
  writeFileSync(big, `clusters: []\n# ${'x'.repeat(10 * 1024 * 1024)}\n`);
  const large = await attempt({ KUBECONFIG: big });
  assert.equal(large.exitCode, 2);
  assert.match(large.stderr, /big\.yaml is larger than 4 MiB; kustody does not read it/);

  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'apiVersion: v1\nclusters:\n  - name: a\n   cluster: {server: x\n');
  const invalid = await attempt({ KUBECONFIG: broken });
  assert.equal(invalid.exitCode, 2);
  assert.match(invalid.stderr, /broken\.yaml line \d+ is not valid YAML/);
});
