/**
 * `kustody revoke --service-account NS/NAME` on the lab: a backdoor ServiceAccount that no pod runs as
 * (as in the planted-persistence exercise) is revoked through the Change runner, a token minted for it
 * beforehand is proven dead by TokenReview, and the rows it leaves are what exercise scoring reads. The
 * adversary, a namespace admin, swaps the account for a new one mid-revocation: kustody leaves the new one
 * alone, says so, exits 1, and nothing in the case counts as the identity revoked.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { foldScoreFacts } from '../../src/core/exercise/score-facts.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { namespaceRoleIdentity } from '../helpers/lab-identity.js';
import { startKustody, waitForPause } from '../playbooks/playbook-helpers.js';

/** A namespace with the backdoor: ServiceAccount metrics bound by RoleBinding metrics-reader to a Role that reads pods, no pod running as it. */
async function backdoor(t: TestContext, lab: LabEnv): Promise<string> {
  const ns = `rsa-${Math.random().toString(36).slice(2, 7)}`;
  const manifest = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'metrics', namespace: ns } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'deploy-bot', namespace: ns }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'metrics-reader', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deploy-bot' }, subjects: [{ kind: 'ServiceAccount', name: 'metrics', namespace: ns }] },
  ];
  t.after(async () => { await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']); });
  const applied = await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: manifest.map((m) => JSON.stringify(m)).join('\n---\n') });
  assert.equal(applied.exitCode, 0, applied.stderr);
  return ns;
}

/** TokenReview as the lab admin: the outside judge of whether a token still authenticates. */
async function authenticates(lab: LabEnv, token: string): Promise<boolean> {
  const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } };
  const run = await kubectl(lab, 'admin', ['create', '-f', '-', '-o', 'jsonpath={.status.authenticated}'], { input: JSON.stringify(review) });
  return run.stdout.trim() === 'true';
}

async function mintedToken(lab: LabEnv, dir: string, ns: string): Promise<{ token: string; file: string }> {
  const token = (await kubectl(lab, 'admin', ['create', 'token', 'metrics', '-n', ns, '--duration', '10m'])).stdout.trim();
  assert.equal(await authenticates(lab, token), true);
  const file = join(dir, 'metrics.jwt');
  writeFileSync(file, token, { mode: 0o600 });
  return { token, file };
}

const accountUid = async (lab: LabEnv, ns: string) => (await kubectl(lab, 'admin', ['get', 'serviceaccount', 'metrics', '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();

function scoreFactsOf(casePath: string) {
  const db = new Database(join(casePath, 'evidence.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT seq, at, actor, kind, target, outcome, detail FROM actions ORDER BY seq').all() as Array<{ seq: number; at: string; actor: string; kind: string; target: string; outcome: string; detail: string }>;
    return { rows, facts: foldScoreFacts(rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as unknown })), []) };
  } finally {
    db.close();
  }
}

test('revoke --service-account deletes a backdoor account no pod runs as and its binding; a token minted for it before is rejected by TokenReview afterwards, and exercise scoring reads the rows as the identity revoked', { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await backdoor(t, lab);
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const { token, file } = await mintedToken(lab, dir, ns);
  const uid = await accountUid(lab, ns);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const args = ['revoke', '--service-account', `${ns}/metrics`, '--case', created.path, '--rbac', '--delete-sa', '--token-file', file];

  const dry = await runKustody([...args, '--dry-run'], { env });
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, new RegExp(`Delete ServiceAccount ${ns}/metrics \\(uid ${uid}\\) for good`));
  assert.equal(await accountUid(lab, ns), uid, '--dry-run deleted the account');

  const run = await runKustody([...args, '--yes', '--json'], { env });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const result = JSON.parse(run.stdout) as { target: string; changes: Array<{ id: string; status: string }>; tokens: Array<{ subject: string; outcome: string; beforeAuthenticated: boolean }> };
  assert.equal(result.target, `serviceaccount:${ns}/metrics`);
  assert.deepEqual(result.changes.map((c) => `${c.id} ${c.status}`).sort(), ['delete-sa applied', 'rbac-delete-RoleBinding-metrics-reader applied']);
  assert.deepEqual(result.tokens.map((c) => [c.subject, c.beforeAuthenticated, c.outcome]), [[`system:serviceaccount:${ns}:metrics`, true, 'revoked']]);
  assert.equal(await authenticates(lab, token), false, 'the outside judge still accepts the token minted before');
  assert.equal(await accountUid(lab, ns), '', 'the account is still there');
  assert.equal(readFileSync(join(created.path, 'evidence.db')).includes(token), false, 'the raw token was stored');

  const { facts } = scoreFactsOf(created.path);
  assert.deepEqual(facts.tokenVerdicts.map((v) => [v.planTarget, v.revoked]), [[`serviceaccount:${ns}/metrics`, [`system:serviceaccount:${ns}:metrics`]]]);
  assert.deepEqual(facts.accountDeletions.map((d) => `${d.kind} ${d.namespace ?? ''}/${d.name}`), [`ServiceAccount ${ns}/metrics`]);
  assert.ok(facts.changed.some((c) => c.kind === 'RoleBinding' && c.name === 'metrics-reader'), 'the binding removal is not a change scoring sees');
});

test('a namespace admin who swaps the backdoor ServiceAccount for a new one while revoke --service-account waits to apply does not get it recorded as revoked: the new account is left alone and named, the run exits 1', { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await backdoor(t, lab);
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const { file } = await mintedToken(lab, dir, ns);
  const adversary = await namespaceRoleIdentity(lab, dir, ns, 'ns-admin', 'admin');
  const run = startKustody(['revoke', '--service-account', `${ns}/metrics`, '--case', created.path, '--delete-sa', '--token-file', file, '--yes', '--json'], { KUBECONFIG: lab.responderKubeconfig, KUSTODY_TEST_PAUSE: 'revoke:before-apply' });
  await waitForPause(run, 'revoke:before-apply');
  const planned = await accountUid(lab, ns);
  const asAdversary = (args: string[]) => execa(lab.kubectl, ['--kubeconfig', adversary, '-n', ns, ...args], { reject: false });
  assert.equal((await asAdversary(['delete', 'serviceaccount', 'metrics', '--wait=true'])).exitCode, 0);
  assert.equal((await asAdversary(['create', 'serviceaccount', 'metrics'])).exitCode, 0);
  const swapped = await accountUid(lab, ns);
  assert.notEqual(swapped, planned);
  run.child.kill('SIGUSR2');
  const done = await run.child;
  assert.equal(done.exitCode, 1, run.stdout() + run.stderr());
  const result = JSON.parse(run.stdout()) as { changes: Array<{ id: string; status: string }>; report: string[]; tokens: unknown[] };
  assert.deepEqual(result.changes.map((c) => `${c.id} ${c.status}`), ['delete-sa already']);
  assert.ok(result.report.some((line) => line.includes(`exists again with uid ${swapped}, not the planned ${planned}`)), result.report.join('\n'));
  assert.equal(await accountUid(lab, ns), swapped, 'kustody deleted the account it never planned for');
  const { rows, facts } = scoreFactsOf(created.path);
  assert.deepEqual(facts.accountDeletions, [], 'an account found already gone counts as kustody revoking it');
  assert.deepEqual(facts.tokenVerdicts, []);
  assert.ok(rows.some((r) => r.kind === 'observe' && r.outcome === 'replaced' && r.detail.includes(swapped)), 'the swap is not in the custody log');
});
