/**
 * `kustody revoke --service-account NS/NAME --rotate-sa` deletes the account, then recreates it. When
 * the recreate fails (here an admission policy refuses it, as a webhook outage or quota would), the
 * account is gone: running the same command again must finish the rotation from the copy the case
 * recorded, not report the account missing and leave its workloads unable to start pods. And a
 * namespace admin who swaps in an account of their own, wearing this case's annotation, between plan
 * and apply must not get it taken for the one kustody recreates, while a playbook resumed after its
 * own recreate reached the API server still takes that account as its own.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyAsAdmin, applyScenario, kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { namespaceRoleIdentity } from '../helpers/lab-identity.js';
import { custodyRows, startKustody, waitForPause } from '../playbooks/playbook-helpers.js';

const REFUSAL = 'rv test: creating ServiceAccount metrics is refused';

/** Until `refused` is what a server-side dry-run create of ServiceAccount metrics says (admission policies take effect after a moment); at most 60 s. */
async function untilCreateRefused(lab: LabEnv, ns: string, refused: boolean): Promise<void> {
  for (let i = 0; i < 120; i += 1) {
    const probe = await kubectl(lab, 'admin', ['create', 'serviceaccount', 'metrics', '-n', ns, '--dry-run=server']);
    if (probe.stderr.includes(REFUSAL) === refused) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the admission policy did not ${refused ? 'take effect' : 'go away'} within 60 s`);
}

/** A policy refusing to create ServiceAccount metrics in `ns`; returns how to remove it. */
async function refuseAccountCreate(t: TestContext, lab: LabEnv, ns: string): Promise<() => Promise<void>> {
  const name = `rv-refuse-sa-${ns}`;
  const remove = async () => {
    await kubectl(lab, 'admin', ['delete', 'validatingadmissionpolicybinding', name, '--ignore-not-found']);
    await kubectl(lab, 'admin', ['delete', 'validatingadmissionpolicy', name, '--ignore-not-found']);
  };
  t.after(remove);
  const policy = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['serviceaccounts'] }] }, validations: [{ expression: "object.metadata.name != 'metrics'", message: REFUSAL }] } };
  const binding = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec: { policyName: name, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } } } };
  for (const object of [policy, binding]) {
    const applied = await applyAsAdmin(lab, object);
    assert.equal(applied.exitCode, 0, applied.stderr);
  }
  await untilCreateRefused(lab, ns, true);
  return async () => {
    await remove();
    await untilCreateRefused(lab, ns, false);
  };
}

/** A namespace `rv-<prefix>-…` holding ServiceAccount metrics (no pod runs as it); removed after the test. */
async function accountNamespace(t: TestContext, lab: LabEnv, prefix: string): Promise<string> {
  const ns = `rv-${prefix}-${Math.random().toString(36).slice(2, 7)}`;
  t.after(async () => { await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']); });
  for (const object of [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'metrics', namespace: ns, labels: { app: 'metrics' } }, automountServiceAccountToken: false },
  ]) assert.equal((await applyAsAdmin(lab, object)).exitCode, 0);
  return ns;
}

const accountUid = async (lab: LabEnv, ns: string) => (await kubectl(lab, 'admin', ['get', 'serviceaccount', 'metrics', '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();

test('revoke --service-account --rotate-sa whose recreate was refused leaves the account deleted; run again, it recreates the account from the case (new uid, case annotation) instead of reporting it missing', { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await accountNamespace(t, lab, 'rot');
  const oldUid = await accountUid(lab, ns);
  assert.notEqual(oldUid, '');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const args = ['revoke', '--service-account', `${ns}/metrics`, '--case', created.path, '--rotate-sa', '--yes', '--json'];

  const allowCreate = await refuseAccountCreate(t, lab, ns);
  const first = await runKustody(args, { env });
  assert.notEqual(first.exitCode, 0, first.stdout + first.stderr);
  const firstResult = JSON.parse(first.stdout) as { changes: Array<{ id: string; status: string }> };
  assert.deepEqual(firstResult.changes.map((c) => `${c.id} ${c.status}`), ['rotate-sa-delete applied', 'rotate-sa-create failed']);
  assert.equal(await accountUid(lab, ns), '', 'the account was expected deleted and not recreated');

  await allowCreate();
  const second = await runKustody(args, { env });
  assert.equal(second.exitCode, 0, second.stdout + second.stderr);
  const secondResult = JSON.parse(second.stdout) as { changes: Array<{ id: string; status: string }> };
  assert.deepEqual(secondResult.changes.map((c) => `${c.id} ${c.status}`), ['rotate-sa-create applied'], second.stdout);
  const now = JSON.parse((await kubectl(lab, 'admin', ['get', 'serviceaccount', 'metrics', '-n', ns, '-o', 'json'])).stdout || '{}') as { metadata?: { uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; automountServiceAccountToken?: boolean };
  assert.ok(now.metadata?.uid !== undefined && now.metadata.uid !== oldUid, 'the account was not recreated with a new uid');
  assert.equal(now.metadata?.labels?.app, 'metrics', 'the recreated account lost what the original held');
  assert.equal(now.automountServiceAccountToken, false);
  assert.equal(now.metadata?.annotations?.['kustody.io/case'], created.id);
});

test("a namespace admin who swaps ServiceAccount metrics for their own, wearing this case's annotation, while revoke --rotate-sa waits to apply does not get it recorded as the rotated account: it is left alone and named, the run exits 1", { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await accountNamespace(t, lab, 'swap');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const adversary = await namespaceRoleIdentity(lab, dir, ns, 'ns-admin', 'admin');
  const run = startKustody(['revoke', '--service-account', `${ns}/metrics`, '--case', created.path, '--rotate-sa', '--yes', '--json'], { KUBECONFIG: lab.responderKubeconfig, KUSTODY_TEST_PAUSE: 'revoke:before-apply' });
  await waitForPause(run, 'revoke:before-apply');
  const planned = await accountUid(lab, ns);
  const asAdversary = (args: string[], input?: string) => execa(lab.kubectl, ['--kubeconfig', adversary, '-n', ns, ...args], { reject: false, ...(input === undefined ? {} : { input }) });
  assert.equal((await asAdversary(['delete', 'serviceaccount', 'metrics', '--wait=true'])).exitCode, 0);
  // The case id is no secret: kustody writes it on every object it makes in the namespace.
  const own = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'metrics', namespace: ns, annotations: { 'kustody.io/case': created.id, 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/attacker' } } };
  const made = await asAdversary(['create', '-f', '-'], JSON.stringify(own));
  assert.equal(made.exitCode, 0, made.stderr);
  const swapped = await accountUid(lab, ns);
  assert.notEqual(swapped, planned);
  run.child.kill('SIGUSR2');
  const done = await run.child;
  assert.equal(done.exitCode, 1, run.stdout() + run.stderr());
  assert.equal(await accountUid(lab, ns), swapped, "kustody deleted the account it never planned for");
  assert.match(run.stdout() + run.stderr(), new RegExp(`uid ${swapped}`), 'the swapped-in account is not named');
  const rows = custodyRows(created.path);
  assert.equal(rows.some((r) => r.outcome === 'already-in-effect' && (r.detail as { change_id?: string } | null)?.change_id === 'rotate-sa-create'), false, "the adversary's account was recorded as the rotation already in effect");
});

const ROTATE_PLAYBOOK = `id: rotate-drill
title: Rotate the ServiceAccount
description: One revoke step that rotates the target pod's ServiceAccount.
steps:
  - id: revoke
    title: Rotate its ServiceAccount
    why: Every token bound to the old uid dies.
    action: revoke
    params: {rotate_sa: true, verify_seconds: 60}
    danger: revoke
    confirm: true
    verify: Sends the pod's token to TokenReview until the API server rejects it.
    undo:
      reason: The old uid cannot come back.
`;

test('a playbook killed after its ServiceAccount recreate reached the API server, resumed, takes the account it recreated as its own: already in effect, sent once, exit 0', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `rv-pbrot-${Math.random().toString(36).slice(2, 7)}`;
  t.after(async () => { await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']); });
  await applyScenario('shop', ns);
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const file = join(dir, 'rotate.yaml');
  writeFileSync(file, ROTATE_PLAYBOOK);
  const oldUid = (await kubectl(lab, 'admin', ['get', 'serviceaccount', 'web', '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const args = ['run', file, '--target', `${ns}/suspect`, '--case', created.path, '--yes'];
  const run = startKustody(args, { ...env, KUSTODY_TEST_PAUSE: 'after-apply:rotate-sa-create' });
  await waitForPause(run, 'after-apply:rotate-sa-create');
  run.child.kill('SIGKILL');
  await run.child;
  const recreated = (await kubectl(lab, 'admin', ['get', 'serviceaccount', 'web', '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();
  assert.ok(recreated !== '' && recreated !== oldUid, 'the killed run had not recreated the account');

  const resumed = await runKustody([...args, '--resume'], { env });
  assert.equal(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
  const rows = custodyRows(created.path);
  const creates = rows.filter((r) => (r.detail as { change_id?: string } | null)?.change_id === 'rotate-sa-create');
  assert.deepEqual(creates.map((r) => r.outcome), ['intent', 'already-in-effect']);
  assert.equal((await kubectl(lab, 'admin', ['get', 'serviceaccount', 'web', '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim(), recreated, 'the resumed run rotated the account again');
});
