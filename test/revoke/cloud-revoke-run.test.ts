// The cloud revocation runner end to end through the real run-command.ts and execa. The aws, gcloud and
// az programs are the fixture scripts in test/fixtures/cloud-cli, used ONLY because the real cloud CLIs
// cannot run here (no network, no cloud account); PATH points at that folder and nowhere else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { CloudIdentity } from '../../src/core/revoke/cloud-commands.js';
import { UnsafeValueError } from '../../src/core/revoke/safe-values.js';
import { runCloudRevoke, type CommandRecordEntry, type RunPlannedOptions } from '../../src/runner/run-cloud-revoke.js';
import { argvLog, FIXTURE_CLI_DIR, readInvocations, shellWords } from './cloud-fixtures.js';

const now = new Date('2025-03-04T05:06:07.089Z');
const caseId = 'case-20250304T050000Z-abc123';
const irsa: CloudIdentity = { provider: 'aws-irsa', principal: 'arn:aws:iam::123456789012:role/shop-web', namespace: 'shop', serviceAccount: 'web' };
const gcp: CloudIdentity = { provider: 'gcp-workload-identity', principal: 'shop-web@prod-project-1.iam.gserviceaccount.com', namespace: 'shop', serviceAccount: 'web' };
const azure: CloudIdentity = { provider: 'azure-workload-identity', principal: '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', namespace: 'shop', serviceAccount: 'web' };

function harness(t: { after: (fn: () => void) => void }, fixtureEnv: Record<string, string> = {}, path = FIXTURE_CLI_DIR) {
  const { log, dir, cleanup } = argvLog();
  t.after(cleanup);
  const records: CommandRecordEntry[] = [];
  const shown: string[] = [];
  const options = (confirmed: boolean): RunPlannedOptions => ({
    confirmed,
    show: (text) => shown.push(text),
    record: (entry) => {
      records.push(entry);
    },
    env: { PATH: path, HOME: dir },
    extraEnv: { KUSTODY_FIXTURE_ARGV_LOG: log, ...fixtureEnv },
    clock: () => new Date('2025-03-04T05:06:08.000Z'),
  });
  return { log, dir, records, shown, options };
}

test('AWS: the aws CLI receives exactly the planned argv, and the policy document denies sessions issued before now', async (t) => {
  const h = harness(t);
  const outcomes = await runCloudRevoke([irsa], { now, caseId }, h.options(true));
  const [call, ...more] = readInvocations(h.log);
  assert.equal(more.length, 0);
  assert.equal(call?.cli, 'aws');
  assert.deepEqual(call?.args.slice(0, 7), ['iam', 'put-role-policy', '--role-name', 'shop-web', '--policy-name', `kustody-revoke-${caseId}`, '--policy-document']);
  assert.equal(call?.argc, 8);
  const policy = JSON.parse(call?.args[7] ?? '') as { Statement: { Effect: string; Action: string[]; Condition: { DateLessThan: Record<string, string> } }[] };
  assert.equal(policy.Statement[0]?.Effect, 'Deny');
  assert.deepEqual(policy.Statement[0]?.Action, ['*']);
  assert.equal(policy.Statement[0]?.Condition.DateLessThan['aws:TokenIssueTime'], now.toISOString());
  assert.equal(outcomes[0]?.status, 'succeeded');
  assert.equal(h.records.length, 1);
  const entry = h.records[0];
  assert.equal(entry?.status, 'succeeded');
  assert.deepEqual(entry?.argv, ['aws', ...(call?.args ?? [])]);
  assert.equal(entry?.exitCode, 0);
  assert.equal(entry?.exit, '0 (success)');
  assert.equal(entry?.startedAt, '2025-03-04T05:06:08.000Z');
  assert.match(entry?.stdout ?? '', /"HTTPStatusCode": 200/);
  assert.match(h.shown[0] ?? '', /still valid afterwards: Sessions issued after 2025-03-04T05:06:07.089Z/);
});

test('GCP: gcloud receives disable and then the binding removal, each as separate argv elements', async (t) => {
  const h = harness(t);
  await runCloudRevoke([gcp], { now, caseId, options: { gcp: { removeWorkloadIdentityBinding: true } } }, h.options(true));
  assert.deepEqual(readInvocations(h.log).map((call) => [call.cli, ...call.args]), [
    ['gcloud', 'iam', 'service-accounts', 'disable', gcp.principal, '--quiet'],
    ['gcloud', 'iam', 'service-accounts', 'remove-iam-policy-binding', gcp.principal, '--role=roles/iam.workloadIdentityUser', '--member=serviceAccount:prod-project-1.svc.id.goog[shop/web]', '--quiet'],
  ]);
  assert.deepEqual(h.records.map((r) => r.status), ['succeeded', 'succeeded']);
});

test('Azure without hints: only the read-only identity lookup runs; the steps needing names are recorded as needs-input', async (t) => {
  const h = harness(t);
  const outcomes = await runCloudRevoke([azure], { now, caseId }, h.options(true));
  assert.deepEqual(readInvocations(h.log).map((call) => call.args), [['identity', 'list', '--query', `[?clientId=='${azure.principal}']`, '--output', 'json']]);
  assert.deepEqual(outcomes.map((o) => o.status), ['succeeded', 'needs-input', 'needs-input']);
  assert.match(outcomes[2]?.message ?? '', /^not run: fill in <identity-name>, <resource-group>, <credential-name> and run this yourself: az identity federated-credential delete/);
});

test('Azure: when saving the federated credential fails, the delete is skipped and az is not called for it', async (t) => {
  const h = harness(t, { KUSTODY_FIXTURE_EXIT: '3' });
  const hint = { identityName: 'shop-web-id', resourceGroup: 'rg-shop', federatedCredentialName: 'shop-web-fic' };
  const outcomes = await runCloudRevoke([azure], { now, caseId, options: { azure: hint } }, h.options(true));
  assert.deepEqual(readInvocations(h.log).map((call) => call.args[2]), ['show']);
  assert.deepEqual(outcomes.map((o) => o.status), ['failed', 'skipped']);
  assert.deepEqual(h.records.map((r) => [r.status, r.exitCode]), [['failed', 3], ['skipped', null]]);
});

test('a hostile ARN, email or client id is refused before anything runs, is shown, or is recorded', async (t) => {
  const hostile: CloudIdentity[] = [
    { ...irsa, principal: 'arn:aws:iam::1:role/x; rm -rf /' },
    { ...irsa, principal: 'arn:aws:iam::123456789012:role/x\n' },
    { ...irsa, principal: 'arn:aws:iam::123456789012:role/$(id)' },
    { ...gcp, principal: '$(id)@prod-project-1.iam.gserviceaccount.com' },
    { ...azure, principal: "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'] | [0]" },
  ];
  for (const identity of hostile) {
    const h = harness(t);
    // The good identity comes first: the whole plan is refused, not just the bad part.
    await assert.rejects(runCloudRevoke([irsa, identity], { now, caseId }, h.options(true)), UnsafeValueError);
    assert.equal(existsSync(h.log), false, `a CLI ran for ${JSON.stringify(identity.principal)}`);
    assert.deepEqual(h.records, []);
    assert.deepEqual(h.shown, []);
  }
});

test('without confirmation the plan is shown with its exact command lines and nothing runs or is recorded', async (t) => {
  const h = harness(t);
  const outcomes = await runCloudRevoke([irsa, gcp], { now, caseId }, h.options(false));
  assert.equal(existsSync(h.log), false);
  assert.deepEqual(h.records, []);
  assert.deepEqual(outcomes.map((o) => o.status), ['not-confirmed', 'not-confirmed']);
  const line = /\$ (aws iam put-role-policy .*)/.exec(h.shown[0] ?? '')?.[1] ?? assert.fail('no aws line shown');
  assert.deepEqual(shellWords(line), outcomes[0]?.command.argv);
  assert.match(h.shown[1] ?? '', /^Not confirmed: nothing was run/);
});

test('a missing CLI is reported as not run with a copy-paste command that a shell splits into the planned argv', async (t) => {
  const h = harness(t, {}, '/nonexistent-kustody-dir');
  const outcomes = await runCloudRevoke([irsa], { now, caseId }, h.options(true));
  assert.equal(outcomes[0]?.status, 'cli-missing');
  const message = outcomes[0]?.message ?? '';
  const prefix = 'not run: aws not found on PATH; run this yourself: ';
  assert.ok(message.startsWith(prefix), message);
  assert.deepEqual(shellWords(message.slice(prefix.length)), outcomes[0]?.command.argv);
  assert.equal(h.records[0]?.status, 'cli-missing');
  assert.equal(h.records[0]?.message, message);
  assert.equal(existsSync(h.log), false);
});

test('a non-zero exit is recorded as failed with its exit code, explanation and stderr', async (t) => {
  const h = harness(t, { KUSTODY_FIXTURE_EXIT: '254' });
  const outcomes = await runCloudRevoke([irsa], { now, caseId }, h.options(true));
  assert.equal(outcomes[0]?.status, 'failed');
  assert.equal(outcomes[0]?.message, 'failed: aws exited 254');
  assert.equal(h.records[0]?.exitCode, 254);
  assert.match(h.records[0]?.stderr ?? '', /AccessDenied/);
  const killed = harness(t, { KUSTODY_FIXTURE_EXIT: '137' });
  await runCloudRevoke([irsa], { now, caseId }, killed.options(true));
  assert.equal(killed.records[0]?.exit, '137 (killed: SIGKILL)');
});

test('credentials a CLI prints (AWS keys, bearer tokens, private keys) are redacted in the record; identifiers stay', async (t) => {
  const canary = `CANARY${Math.random().toString(36).slice(2)}`;
  const stdout = JSON.stringify({ Credentials: { AccessKeyId: 'ASIAFIXTURE000000001', SecretAccessKey: `${canary}a`, SessionToken: `${canary}b` }, private_key: `-----BEGIN PRIVATE KEY-----\n${canary}c` });
  const h = harness(t, { KUSTODY_FIXTURE_STDOUT: stdout, KUSTODY_FIXTURE_STDERR: `Authorization: Bearer ${canary}d client_secret=${canary}e` });
  await runCloudRevoke([irsa], { now, caseId }, h.options(true));
  const recorded = JSON.stringify(h.records);
  assert.doesNotMatch(recorded, new RegExp(canary));
  assert.match(h.records[0]?.stdout ?? '', /"SecretAccessKey":"\[REDACTED\]"/);
  assert.match(h.records[0]?.stdout ?? '', /ASIAFIXTURE000000001/);
  assert.match(h.records[0]?.stderr ?? '', /Authorization: \[REDACTED\]/);
});

test('a recorder that throws stops the run before the next command', async (t) => {
  const h = harness(t);
  const options = { ...h.options(true), record: () => { throw new Error('custody log unavailable'); } };
  await assert.rejects(runCloudRevoke([irsa, gcp], { now, caseId }, options), /custody log unavailable/);
  assert.deepEqual(readInvocations(h.log).map((call) => call.cli), ['aws']);
});
