import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, REPO_ROOT, runKustody } from '../helpers/cli.js';
import { applyScenario, kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { watchDryRun } from '../helpers/dry-run-oracle.js';

async function shop(t: TestContext, lab: LabEnv, prefix: string): Promise<string> {
  const ns = `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
  await applyScenario('shop', ns);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  return ns;
}

/** TokenReview as the lab admin: the outside judge of whether a token still authenticates. */
async function authenticates(lab: LabEnv, token: string): Promise<boolean> {
  const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } };
  const run = await kubectl(lab, 'admin', ['create', '-f', '-', '-o', 'jsonpath={.status.authenticated}'], { input: JSON.stringify(review) });
  return run.stdout.trim() === 'true';
}

const podToken = async (lab: LabEnv, ns: string, pod: string) => (await kubectl(lab, 'admin', ['exec', '-n', ns, pod, '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'])).stdout.trim();

test('revoke --delete-pod needs a capture first, then deletes the pod and proves its token is rejected', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await shop(t, lab, 'rev-pod');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const token = await podToken(lab, ns, 'suspect');
  assert.equal(await authenticates(lab, token), true);

  const uncaptured = await runKustody(['revoke', `${ns}/suspect`, '--case', created.path, '--delete-pod', '--yes', '--json'], { env });
  assert.match(uncaptured.stdout, /no complete capture of it is in this case/);
  assert.equal((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'suspect', '-o', 'name'])).exitCode, 0, 'deleted without a capture');

  assert.equal((await runKustody(['capture', 'pod', `${ns}/suspect`, '--case', created.path], { env })).exitCode, 0);
  const watch = await watchDryRun(lab, { namespace: ns, pod: 'suspect', mentions: [created.id, ns] });
  const dry = await runKustody(['revoke', `${ns}/suspect`, '--case', created.path, '--delete-pod', '--dry-run', '--json'], { env });
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  assert.ok((await watch.verify()).dryRun.some((e) => e.verb === 'delete' && e.objectRef?.resource === 'pods'), 'the audit log lacks the dry-run pod delete');
  assert.equal((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'suspect', '-o', 'name'])).exitCode, 0, '--dry-run deleted the pod');

  const run = await runKustody(['revoke', `${ns}/suspect`, '--case', created.path, '--delete-pod', '--yes', '--json'], { env });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const result = JSON.parse(run.stdout) as { tokens: Array<{ outcome: string; secondsToReject: number; beforeAuthenticated: boolean }> };
  assert.equal(result.tokens.length, 1);
  assert.equal(result.tokens[0]?.beforeAuthenticated, true);
  assert.equal(result.tokens[0]?.outcome, 'revoked');
  assert.equal(await authenticates(lab, token), false, 'the outside judge still accepts the token');
  assert.equal((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'suspect', '-o', 'name'])).exitCode, 1);
  const db = readFileSync(join(created.path, 'evidence.db'));
  assert.equal(db.includes(token), false, 'the raw token was stored');
});

test('revoke --legacy-tokens deletes the Secret a leaked legacy token names, and the token stops working', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await shop(t, lab, 'rev-legacy');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const secret = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'web-legacy-token', namespace: ns, annotations: { 'kubernetes.io/service-account.name': 'web' } } };
  assert.equal((await kubectl(lab, 'admin', ['create', '-f', '-'], { input: JSON.stringify(secret) })).exitCode, 0);
  let legacy = '';
  for (let i = 0; i < 30 && legacy === ''; i += 1) {
    legacy = Buffer.from((await kubectl(lab, 'admin', ['get', 'secret', '-n', ns, 'web-legacy-token', '-o', 'jsonpath={.data.token}'])).stdout, 'base64').toString();
    if (legacy === '') await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(await authenticates(lab, legacy), true);
  const tokenFile = join(dir, 'leaked.jwt');
  writeFileSync(tokenFile, legacy, { mode: 0o600 });
  const run = await runKustody(['revoke', `${ns}/suspect`, '--case', created.path, '--legacy-tokens', '--token-file', tokenFile, '--yes', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const result = JSON.parse(run.stdout) as { changes: Array<{ id: string; status: string }>; tokens: Array<{ outcome: string }> };
  assert.deepEqual(result.changes.map((c) => [c.id, c.status]), [['legacy-token-web-legacy-token', 'applied']]);
  assert.ok(result.tokens.some((c) => c.outcome === 'revoked'));
  assert.equal(await authenticates(lab, legacy), false);
});

test('revoke --rbac removes what the ServiceAccount could do, and --rotate-sa gives it a new uid that kills old tokens', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await shop(t, lab, 'rev-rbac');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig, PATH: `${join(REPO_ROOT, 'test/fixtures/cloud-cli')}:/usr/bin:/bin` };
  const can = async () => (await kubectl(lab, 'admin', ['auth', 'can-i', 'get', 'secrets', '-n', ns, '--as', `system:serviceaccount:${ns}:web`])).stdout.trim();
  assert.equal(await can(), 'yes');
  const oldUid = (await kubectl(lab, 'admin', ['get', 'sa', '-n', ns, 'web', '-o', 'jsonpath={.metadata.uid}'])).stdout;
  const minted = (await kubectl(lab, 'admin', ['create', 'token', 'web', '-n', ns])).stdout.trim();
  assert.equal(await authenticates(lab, minted), true);
  const tokenFile = join(dir, 'minted.jwt');
  writeFileSync(tokenFile, minted, { mode: 0o600 });

  // --cloud runs the fixture aws (the real CLI cannot run here): only with --yes, with the IRSA role from the ServiceAccount.
  const run = await runKustody(['revoke', `${ns}/suspect`, '--case', created.path, '--rbac', '--rotate-sa', '--cloud', '--token-file', tokenFile, '--yes', '--json'], { env });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const result = JSON.parse(run.stdout) as { changes: Array<{ id: string; status: string }>; access_after: Record<string, boolean>; tokens: Array<{ outcome: string }>; cloud: Array<{ status: string }> };
  assert.deepEqual(result.changes.map((c) => c.status), ['applied', 'applied', 'applied']);
  assert.deepEqual(Object.values(result.access_after), [false, false, false]);
  assert.equal(await can(), 'no');
  const newUid = (await kubectl(lab, 'admin', ['get', 'sa', '-n', ns, 'web', '-o', 'jsonpath={.metadata.uid}'])).stdout;
  assert.notEqual(newUid, oldUid);
  assert.ok(result.tokens.every((c) => c.outcome === 'revoked'), JSON.stringify(result.tokens));
  assert.equal(await authenticates(lab, minted), false);
  assert.deepEqual(result.cloud.map((c) => c.status), ['succeeded']);
  // The saved binding can be found in the case to restore it, and the cloud command is recorded with its argv.
  const shown = JSON.parse((await runKustody(['case', 'show', created.path, '--json'])).stdout) as { actions: Array<{ kind: string; outcome: string; detail: { change_id?: string; undo?: { action?: string }; step?: string; argv?: string[] } }> };
  const cloud = shown.actions.find((a) => a.detail.step === 'cloud-command');
  assert.deepEqual(cloud?.detail.argv?.slice(0, 5), ['aws', 'iam', 'put-role-policy', '--role-name', 'shop-web']);
  assert.equal(cloud?.outcome, 'succeeded');
  const rbac = shown.actions.find((a) => a.kind === 'revoke' && a.outcome === 'applied' && a.detail.change_id?.startsWith('rbac-delete'));
  assert.equal(rbac?.detail.undo?.action, 'create');
});
