/**
 * `kustody revoke --service-account NS/NAME --rotate-sa` deletes the account, then recreates it. When
 * the recreate fails (here an admission policy refuses it, as a webhook outage or quota would), the
 * account is gone: running the same command again must finish the rotation from the copy the case
 * recorded, not report the account missing and leave its workloads unable to start pods.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyAsAdmin, kubectl, requireLab, type LabEnv } from '../helpers/lab.js';

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

const accountUid = async (lab: LabEnv, ns: string) => (await kubectl(lab, 'admin', ['get', 'serviceaccount', 'metrics', '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();

test('revoke --service-account --rotate-sa whose recreate was refused leaves the account deleted; run again, it recreates the account from the case (new uid, case annotation) instead of reporting it missing', { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `rv-rot-${Math.random().toString(36).slice(2, 7)}`;
  t.after(async () => { await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']); });
  for (const object of [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'metrics', namespace: ns, labels: { app: 'metrics' } }, automountServiceAccountToken: false },
  ]) assert.equal((await applyAsAdmin(lab, object)).exitCode, 0);
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
