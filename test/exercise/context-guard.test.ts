import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judgeContext, startRefusal } from '../../src/core/exercise/context-guard.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';

test('the lab is the kustody-lab cluster on loopback; production-looking names and managed endpoints are told apart from other clusters', () => {
  assert.equal(judgeContext({ context: 'admin@kustody-lab', cluster: 'kustody-lab', server: 'https://127.0.0.1:6443' }).kind, 'lab');
  assert.equal(judgeContext({ context: 'admin@kustody-lab', cluster: 'kustody-lab', server: 'https://10.0.0.5:6443' }).kind, 'other', 'the lab name on a remote server is not the lab');
  assert.equal(judgeContext({ context: 'practice', cluster: 'practice', server: 'https://127.0.0.1:6443' }).kind, 'other');
  for (const facts of [
    { context: 'prod-eu', cluster: 'c', server: 'https://127.0.0.1:6443' },
    { context: 'team', cluster: 'payments-production', server: 'https://127.0.0.1:6443' },
    { context: 'team', cluster: 'c', server: 'https://api.prd.example.internal:6443' },
    { context: 'x', cluster: 'c', server: 'https://ABCDEF0123.gr7.eu-west-1.eks.amazonaws.com' },
    { context: 'x', cluster: 'c', server: 'https://shop-dns-1a2b3c.hcp.westeurope.azmk8s.io:443' },
    { context: 'gke_project_europe-west1_shop', cluster: 'c', server: 'https://34.1.2.3' },
    { context: 'arn:aws:eks:eu-west-1:111122223333:cluster/shop', cluster: 'c', server: 'https://10.1.2.3' },
  ]) assert.equal(judgeContext(facts).kind, 'production-looking', JSON.stringify(facts));
  const prod = judgeContext({ context: 'prod-eu', cluster: 'c', server: 'https://127.0.0.1' });
  assert.match(startRefusal(prod, { ownCluster: true, allowProduction: false }, 'prod-eu')?.message ?? '', /looks like production/);
  assert.equal(startRefusal(prod, { ownCluster: true, allowProduction: true }, 'prod-eu'), null);
  assert.match(startRefusal(judgeContext({ context: 'practice', cluster: 'p', server: 'https://10.0.0.1' }), { ownCluster: false, allowProduction: false }, 'practice')?.message ?? '', /not the kustody lab/);
});

function kubeconfig(dir: string, name: string, context: string, server: string): string {
  const path = join(dir, `${name}.kubeconfig`);
  writeFileSync(path, `apiVersion: v1\nkind: Config\nclusters:\n- name: ${name}\n  cluster: {server: "${server}"}\nusers:\n- name: u\n  user: {token: not-a-real-token}\ncontexts:\n- name: "${context}"\n  context: {cluster: ${name}, user: u}\ncurrent-context: "${context}"\n`, { mode: 0o600 });
  return path;
}

test('exercise start refuses a production-looking context before connecting or creating anything, and any non-lab context without --i-own-this-cluster', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const kase = await newCase(dir);
  const env = (file: string) => ({ PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: file });
  // 192.0.2.1 (TEST-NET-1) is never contacted: the refusal comes from the kubeconfig alone.
  const prod = kubeconfig(dir, 'shop', 'prod-eu', 'https://192.0.2.1:6443');
  const refused = await runKustody(['exercise', 'start', 'token-theft', '--case', kase.path, '--yes', '--i-own-this-cluster'], { env: env(prod) });
  assert.equal(refused.exitCode, 1, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /Refusing to start an attacker on context "prod-eu": it looks like production/);
  const eks = kubeconfig(dir, 'practice', 'practice', 'https://ABCDEF0123.gr7.eu-west-1.eks.amazonaws.com');
  const managed = await runKustody(['exercise', 'start', 'token-theft', '--case', kase.path, '--yes', '--i-own-this-cluster'], { env: env(eks) });
  assert.equal(managed.exitCode, 1);
  assert.match(managed.stderr, /is an Amazon EKS endpoint/);
  const other = kubeconfig(dir, 'practice', 'practice', 'https://192.0.2.1:6443');
  const unconfirmed = await runKustody(['exercise', 'start', 'token-theft', '--case', kase.path, '--yes'], { env: env(other) });
  assert.equal(unconfirmed.exitCode, 1);
  assert.match(unconfirmed.stderr, /is not the kustody lab[\s\S]*--i-own-this-cluster/);
  const planned = await runKustody(['exercise', 'start', 'token-theft', '--case', kase.path, '--i-own-this-cluster', '--allow-production-context'], { env: env(prod) });
  assert.equal(planned.exitCode, 1, 'without --yes only the plan is shown');
  assert.match(planned.stdout, /Nothing was created/);
  const stop = await runKustody(['exercise', 'stop', kase.path, '--yes'], { env: env(prod) });
  assert.match(stop.stdout, /No exercise is running/);
});

test('exercise start names file:line for a malformed scenario and starts nothing', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const kase = await newCase(dir);
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, 'id: broken\ntitle: Broken\nsummary: [unclosed\n');
  const run = await runKustody(['exercise', 'start', file, '--case', kase.path, '--yes'], { env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: join(dir, 'none') } });
  assert.equal(run.exitCode, 2, run.stdout + run.stderr);
  assert.match(run.stderr, /broken\.yaml:\d+:\d+: YAML: /);
  assert.match(run.stderr, /nothing was started/);
});
