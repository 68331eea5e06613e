// `kustody identities` against the lab's real API server, run as the responder; admin only sets up the scenario.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../../src/core/identities/inventory.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyScenario, kubectl, requireLab, type LabEnv } from '../helpers/lab.js';

function query(db: string, sql: string): string[][] {
  return execFileSync('sqlite3', ['-separator', '\t', db, sql], { encoding: 'utf8' }).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

async function shopNamespace(t: TestContext, lab: LabEnv): Promise<string> {
  const ns = `ids-${Math.random().toString(36).slice(2, 7)}`;
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  await applyScenario('shop', ns);
  return ns;
}

test('identities of the shop suspect: ServiceAccount uid, projected token, IRSA role, dangerous Role, SubjectAccessReview answers, custody row', { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await shopNamespace(t, lab);
  // As on clusters older than 1.24, the ServiceAccount lists a legacy token Secret by name.
  const patched = await kubectl(lab, 'admin', ['patch', 'serviceaccount', 'web', '-n', ns, '--type=merge', '-p', '{"secrets":[{"name":"web-token-legacy"}]}']);
  assert.equal(patched.exitCode, 0, patched.stderr);
  const saUid = (await kubectl(lab, 'responder', ['get', 'sa', 'web', '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();
  assert.match(saUid, /^[0-9a-f-]{36}$/);
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };

  // A capture first, so the suspect's mounted token is in the case (claims only) for identities to date.
  const capture = await runKustody(['capture', 'pod', `${ns}/suspect`, '--case', created.path, '--via', 'exec', '--json'], { env });
  assert.equal(capture.exitCode, 0, capture.stderr);
  const run = await runKustody(['identities', `${ns}/suspect`, '--case', created.path, '--json'], { env });
  assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
  const inventory = JSON.parse(run.stdout) as Inventory & { custody_seq: number };
  const identity = (kind: string) => inventory.identities.filter((i) => i.kind === kind);

  assert.equal(inventory.serviceAccount.uid, saUid);
  assert.equal(identity('service-account')[0]?.facts.uid, saUid);
  const [token] = identity('projected-token');
  assert.match(token?.name ?? '', /^kube-api-access-/);
  assert.deepEqual([token?.facts.expiration_seconds, token?.facts.copied_token_max_seconds], [3607, 31_536_000]);
  assert.equal(token?.validity.summary, 'until pod or ServiceAccount is deleted');
  assert.deepEqual(token?.usedBy, ['container suspect at /var/run/secrets/kubernetes.io/serviceaccount']);
  assert.deepEqual(identity('aws-irsa').map((i) => i.name), ['arn:aws:iam::111122223333:role/shop-web']);
  assert.deepEqual(identity('legacy-token').map((i) => [i.name, i.validity.kind]), [['web-token-legacy', 'never-expires']]);
  const [stolen, ...others] = identity('captured-token');
  assert.equal(others.length, 0);
  assert.deepEqual([stolen?.facts.bound_pod, stolen?.facts.pod_recreated, stolen?.validity.kind], ['suspect', false, 'expires']);
  // The API server extends the 3607 s token to a year: the copy outlives any pod rotation schedule.
  const lifetime = (Date.parse(String(stolen?.validity.until)) - Date.now()) / 86_400_000;
  assert.ok(lifetime > 360 && lifetime <= 366, `captured token valid for ${lifetime} days`);

  const grant = inventory.rbac.grants.find((g) => g.binding.kind === 'RoleBinding' && g.binding.namespace === ns && g.binding.name === 'web');
  assert.deepEqual([grant?.role.kind, grant?.role.name, grant?.role.status, grant?.direct], ['Role', 'web', 'found', true]);
  const dangerous = inventory.rbac.effectiveRules.filter((r) => r.scope === ns && r.dangers.length > 0);
  assert.deepEqual(dangerous.map((r) => [r.rule.verbs.join(','), r.rule.resources.join(','), r.dangers.map((d) => d.kind).join(',')]).sort(), [
    ['create', 'pods', 'create-workloads'],
    ['get,list', 'secrets', 'read-secrets'],
  ]);
  const answer = (question: string) => inventory.rbac.accessChecks.find((c) => c.probe.question === question);
  assert.deepEqual([answer(`get secrets in ${ns}`)?.allowed, answer(`get secrets in ${ns}`)?.predicted], [true, true]);
  assert.deepEqual([answer('get secrets in kube-system')?.allowed, answer('get secrets in kube-system')?.predicted], [false, false]);
  assert.equal(answer(`create pods in ${ns}`)?.allowed, true);
  assert.equal(answer('everything (* * cluster-wide, i.e. cluster-admin)')?.allowed, false);
  assert.deepEqual(inventory.revokeFlags, ['--legacy-tokens', '--rbac', '--rotate-sa', '--delete-pod', '--cloud']);

  const db = join(created.path, 'evidence.db');
  const rows = query(db, `SELECT seq, kind, outcome, json_extract(detail, '$.serviceAccount.uid') FROM actions WHERE target = 'pod:${ns}/suspect' AND json_extract(detail, '$.step') = 'identities'`);
  assert.deepEqual(rows, [[String(inventory.custody_seq), 'observe', 'ok', saUid]]);

  // The web pod reads shop-db into env and mounts shop-api-key: listed by name, values never read.
  const webPod = (await kubectl(lab, 'responder', ['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout.trim();
  const human = await runKustody(['identities', `${ns}/${webPod}`, '--case', created.path], { env });
  assert.equal(human.exitCode, 0, human.stderr);
  assert.match(human.stdout, /^Secret read into env {2}shop-db$/m);
  assert.match(human.stdout, /^ {4}keys +password, username$/m);
  assert.match(human.stdout, /^Secret mounted as a volume {2}shop-api-key$/m);
  assert.match(human.stdout, new RegExp(`^ {2}!! in ${ns} +get,list secrets$`, 'm'));
  assert.match(human.stdout, new RegExp(`^ {2}!! allowed +get secrets in ${ns}$`, 'm'));
  assert.match(human.stdout, new RegExp(`^next: kustody revoke ${ns}/${webPod} --case .* --dry-run --legacy-tokens --rbac --rotate-sa --delete-pod --cloud`, 'm'));
  for (const secret of ['lab-only-not-a-real-password', 'lab-only-api-key-0000']) {
    assert.equal(human.stdout.includes(secret) || run.stdout.includes(secret), false);
    assert.equal(readFileSync(db).includes(secret), false, `${secret} is in the case`);
  }
});

test('identities of a pod that does not exist fails with a clear message, and a malformed target is a usage error', { timeout: 60_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const missing = await runKustody(['identities', 'default/no-such-pod', '--case', created.path], { env });
  assert.equal(missing.exitCode, 1, missing.stderr);
  assert.match(missing.stderr, /^kustody: Not found while trying to read pod default\/no-such-pod: pods "no-such-pod" not found\.$/m);
  const failed = query(join(created.path, 'evidence.db'), "SELECT outcome FROM actions WHERE target = 'pod:default/no-such-pod'");
  assert.deepEqual(failed, [['failed']]);
  // A bare POD is in -n (or the context's namespace), as with kubectl.
  const bare = await runKustody(['identities', 'no-such-pod', '-n', 'default', '--case', created.path], { env });
  assert.match(bare.stderr, /^kustody: Not found while trying to read pod default\/no-such-pod/m);
  for (const target of ['Not_A_Pod', 'Default/UPPER', 'a/b/c']) {
    const malformed = await runKustody(['identities', target, '--case', created.path], { env });
    assert.equal(malformed.exitCode, 2, `${target}: ${malformed.stderr}`);
    assert.match(malformed.stderr, /is not NAMESPACE\/POD/);
  }
});
