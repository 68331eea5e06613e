import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isolationNames } from '../../src/core/contain/plan-isolation.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { appliedCounts, caseConsistency, custodyRows, intentTrail, shopNamespace, startKustody, waitForPause } from './playbook-helpers.js';

const ISOLATION_CHANGES = ['isolate/quarantine-label', 'isolate/deny-all-policy', 'isolate/guard-policy', 'isolate/guard-binding'];
const REVOKE_CHANGES = ['revoke/delete-pod', 'revoke/remove-guard-binding', 'revoke/remove-guard-policy', 'revoke/remove-quarantine-policy'];

/** Checks in the cluster that every change of the playbook is in effect: the pod gone, and with it its guard and quarantine policy. */
async function assertAllInEffect(lab: LabEnv, ns: string, caseId: string): Promise<void> {
  const policies = await kubectl(lab, 'admin', ['get', 'networkpolicies', '-n', ns, '-o', 'name']);
  assert.equal(policies.stdout.trim(), '', 'the quarantine policy outlived its pod');
  const guard = isolationNames(caseId, 'suspect').guard;
  assert.equal((await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicy', guard, '-o', 'name'])).exitCode, 1, 'the guard policy outlived its pod');
  assert.equal((await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicybinding', guard, '-o', 'name'])).exitCode, 1, 'the guard binding outlived its pod');
  assert.equal((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'suspect', '-o', 'name'])).exitCode, 1, 'the suspect pod still exists');
}

test('kill -9 at every step boundary and in the middle of isolate and revoke, then --resume each time: the run finishes and no change is applied twice', { timeout: 600_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  let caseId: string | null = null;
  const ns = await shopNamespace(t, lab, 'pb-kill', () => caseId);
  const created = await newCase(dir);
  caseId = created.id;
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const args = ['run', 'compromised-pod', '--target', `${ns}/suspect`, '--case', created.path, '--yes'];
  // after-apply points kill after a change reached the API server but before it was read back or recorded as applied.
  const killPoints = ['after-step:snapshot', 'after-apply:guard-policy', 'after-apply:quarantine-label', 'after-step:isolate', 'after-step:capture', 'after-step:identities', 'after-apply:delete-pod', 'after-step:revoke'];
  for (const [i, point] of killPoints.entries()) {
    const run = startKustody(i === 0 ? args : [...args, '--resume'], { ...env, KUSTODY_TEST_PAUSE: point });
    await waitForPause(run, point);
    run.child.kill('SIGKILL');
    await run.child;
    const consistency = caseConsistency(created.path);
    assert.deepEqual(consistency, { ...consistency, integrity: 'ok', chainBreaks: 0 }, `the case is damaged after kill -9 at ${point}`);
  }
  const last = await runKustody([...args, '--resume'], { env });
  assert.equal(last.exitCode, 0, last.stdout + last.stderr);
  assert.match(last.stdout, /Run run-\S+: completed/);
  const rows = custodyRows(created.path);
  const applied = appliedCounts(rows);
  for (const [change, count] of applied) assert.equal(count, 1, `${change} was applied ${count} times`);
  // Changes killed between sending and recording show up as "already in effect" on resume, never as a second apply.
  const intents = rows.filter((r) => (r.kind === 'contain' || r.kind === 'revoke') && r.outcome === 'intent').map((r) => (r.detail as { change_id: string }).change_id);
  assert.deepEqual([...new Set(intents)].sort(), ['delete-pod', 'deny-all-policy', 'guard-binding', 'guard-policy', 'quarantine-label', 'remove-guard-binding', 'remove-guard-policy', 'remove-quarantine-policy']);
  assert.equal(intents.length, 8, `a change was sent twice: ${intents.join(', ')}`);
  assert.ok([...applied.keys()].every((k) => [...ISOLATION_CHANGES, ...REVOKE_CHANGES].includes(k)));
  await assertAllInEffect(lab, ns, created.id);
  const trail = intentTrail(rows);
  for (const step of ['snapshot', 'isolate', 'capture', 'identities', 'revoke', 'export']) assert.equal(trail.filter((s) => s === `${step}:done`).length, 1, `${step} is recorded done ${trail.filter((s) => s === `${step}:done`).length} times`);
  assert.equal(trail.filter((s) => s === '*:resumed').length, killPoints.length);
});

test('Ctrl-C while isolate applies its changes: the change in flight finishes, the step is recorded interrupted, exit 130, the case stays consistent, and --resume finishes', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  let caseId: string | null = null;
  const ns = await shopNamespace(t, lab, 'pb-int', () => caseId);
  const created = await newCase(dir);
  caseId = created.id;
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const args = ['run', 'compromised-pod', '--target', `${ns}/suspect`, '--case', created.path, '--yes'];
  const run = startKustody(args, { ...env, KUSTODY_TEST_PAUSE: 'after-apply:quarantine-label' });
  await waitForPause(run, 'after-apply:quarantine-label');
  run.child.kill('SIGINT');
  const result = await run.child;
  assert.equal(result.exitCode, 130, run.stdout() + run.stderr());
  assert.match(run.stdout(), /\[2\/8\] isolate +interrupted/);
  const rows = custodyRows(created.path);
  // The label that was in flight was read back and recorded; nothing after it was sent.
  assert.deepEqual([...appliedCounts(rows).keys()].sort(), ['isolate/guard-binding', 'isolate/guard-policy', 'isolate/quarantine-label']);
  assert.equal(rows.some((r) => r.outcome === 'intent' && (r.detail as { change_id?: string }).change_id === 'deny-all-policy'), false, 'the next change was sent after Ctrl-C');
  assert.deepEqual(intentTrail(rows).slice(-2), ['isolate:interrupted', '*:finished']);
  const consistency = caseConsistency(created.path);
  assert.deepEqual(consistency, { integrity: 'ok', chainBreaks: 0, rows: rows.length });

  const resumed = await runKustody([...args, '--resume'], { env });
  assert.equal(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
  for (const [change, count] of appliedCounts(custodyRows(created.path))) assert.equal(count, 1, `${change} was applied ${count} times`);
  await assertAllInEffect(lab, ns, created.id);
});
