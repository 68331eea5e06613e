// Pure tests of the cloud revocation command builders: exact argv, validation, explanations and undo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCloudRevokeCommands, type CloudIdentity } from '../../src/core/revoke/cloud-commands.js';
import { UnsafeValueError } from '../../src/core/revoke/safe-values.js';
import { describePlannedCommand, shellLine } from '../../src/core/revoke/planned-command.js';
import { shellWords } from './cloud-fixtures.js';

const now = new Date('2025-03-04T05:06:07.089Z');
const caseId = 'case-20250304T050000Z-abc123';
const ROLE = 'arn:aws:iam::123456789012:role/shop-web';
const aws = (principal: string, provider: CloudIdentity['provider'] = 'aws-irsa'): CloudIdentity => ({ provider, principal, namespace: 'shop', serviceAccount: 'web' });
const gsa = 'shop-web@prod-project-1.iam.gserviceaccount.com';
const clientId = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

test('AWS IRSA: put-role-policy with the role name, the per-case policy name and a deny on sessions issued before now', () => {
  const [command, ...rest] = buildCloudRevokeCommands([aws(ROLE)], { now, caseId });
  assert.equal(rest.length, 0);
  assert.deepEqual(command?.argv.slice(0, 8), ['aws', 'iam', 'put-role-policy', '--role-name', 'shop-web', '--policy-name', `kustody-revoke-${caseId}`, '--policy-document']);
  assert.equal(command?.argv.length, 9);
  const policy = JSON.parse(command?.argv[8] ?? '') as unknown;
  assert.deepEqual(policy, {
    Version: '2012-10-17',
    Statement: [{ Sid: 'KustodyRevokeOlderSessions', Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': '2025-03-04T05:06:07.089Z' } } }],
  });
  assert.deepEqual(command?.undo?.argv, ['aws', 'iam', 'delete-role-policy', '--role-name', 'shop-web', '--policy-name', `kustody-revoke-${caseId}`]);
  assert.equal(command?.mutates, true);
  assert.match(command?.explanation ?? '', /Revoke active sessions/);
  assert.match(command?.remains ?? '', /web-identity token \(system:serviceaccount:shop:web\)/);
});

test('AWS: the role name is the last ARN segment (paths and other partitions accepted); Pod Identity explains its own reissue path', () => {
  const [withPath] = buildCloudRevokeCommands([aws('arn:aws-us-gov:iam::123456789012:role/service/team/app+1=x,y.z@w-v')], { now, caseId });
  assert.equal(withPath?.argv[4], 'app+1=x,y.z@w-v');
  const [podIdentity] = buildCloudRevokeCommands([aws('arn:aws-cn:iam::123456789012:role/pi', 'aws-pod-identity')], { now, caseId });
  assert.equal(podIdentity?.argv[4], 'pi');
  assert.match(podIdentity?.remains ?? '', /EKS Pod Identity agent/);
});

test('AWS: the same role found through IRSA and Pod Identity gives one command', () => {
  const commands = buildCloudRevokeCommands([aws(ROLE), aws(ROLE, 'aws-pod-identity')], { now, caseId });
  assert.equal(commands.length, 1);
});

test('hostile or malformed role ARNs are refused with UnsafeValueError naming the field', () => {
  const hostile = [
    'arn:aws:iam::1:role/x; rm -rf /',
    'arn:aws:iam::123456789012:role/x; rm -rf /',
    'arn:aws:iam::123456789012:role/x\n',
    'arn:aws:iam::123456789012:role/x\n--policy-document',
    'arn:aws:iam::123456789012:role/$(id)',
    'arn:aws:iam::123456789012:role/`id`',
    'arn:aws:iam::123456789012:role/a b',
    'arn:aws:iam::123456789012:user/x',
    'arn:aws:s3:::bucket',
    `arn:aws:iam::123456789012:role/${'a'.repeat(65)}`,
    '',
  ];
  for (const principal of hostile) {
    assert.throws(() => buildCloudRevokeCommands([aws(principal)], { now, caseId }), (error: unknown) => {
      assert.ok(error instanceof UnsafeValueError, String(error));
      assert.equal(error.field, 'IAM role ARN');
      assert.doesNotMatch(error.message, /\n/);
      return true;
    }, JSON.stringify(principal));
  }
});

test('an unsafe case id, namespace or ServiceAccount is refused before any command is built', () => {
  assert.throws(() => buildCloudRevokeCommands([aws(ROLE)], { now, caseId: 'case/../x' }), /refused case id/);
  assert.throws(() => buildCloudRevokeCommands([{ ...aws(ROLE), namespace: 'Shop;id' }], { now, caseId }), /refused namespace/);
  assert.throws(() => buildCloudRevokeCommands([{ ...aws(ROLE), serviceAccount: "web']" }], { now, caseId }), /refused ServiceAccount/);
});

test('GCP: disable the service account, with a one-hour warning and enable as undo', () => {
  const commands = buildCloudRevokeCommands([{ provider: 'gcp-workload-identity', principal: gsa, namespace: 'shop', serviceAccount: 'web' }], { now, caseId });
  assert.equal(commands.length, 1);
  assert.deepEqual(commands[0]?.argv, ['gcloud', 'iam', 'service-accounts', 'disable', gsa, '--quiet']);
  assert.deepEqual(commands[0]?.undo?.argv, ['gcloud', 'iam', 'service-accounts', 'enable', gsa, '--quiet']);
  assert.match(commands[0]?.remains ?? '', /up to 1 hour/);
});

test('GCP: the optional binding removal names the workload pool member; an explicit pool project wins; a compute account needs it filled in', () => {
  const identity: CloudIdentity = { provider: 'gcp-workload-identity', principal: gsa, namespace: 'shop', serviceAccount: 'web' };
  const [, binding] = buildCloudRevokeCommands([identity], { now, caseId, options: { gcp: { removeWorkloadIdentityBinding: true } } });
  assert.deepEqual(binding?.argv, ['gcloud', 'iam', 'service-accounts', 'remove-iam-policy-binding', gsa, '--role=roles/iam.workloadIdentityUser', '--member=serviceAccount:prod-project-1.svc.id.goog[shop/web]', '--quiet']);
  assert.deepEqual(binding?.undo?.argv.slice(0, 5), ['gcloud', 'iam', 'service-accounts', 'add-iam-policy-binding', gsa]);
  assert.deepEqual(binding?.placeholders, []);
  const [, pooled] = buildCloudRevokeCommands([identity], { now, caseId, options: { gcp: { removeWorkloadIdentityBinding: true, workloadPoolProject: 'cluster-proj' } } });
  assert.equal(pooled?.argv[6], '--member=serviceAccount:cluster-proj.svc.id.goog[shop/web]');
  const compute = { ...identity, principal: '123456789-compute@developer.gserviceaccount.com' };
  const [, unknown] = buildCloudRevokeCommands([compute], { now, caseId, options: { gcp: { removeWorkloadIdentityBinding: true } } });
  assert.deepEqual(unknown?.placeholders, ['<cluster-project>']);
});

test('hostile or malformed service account emails are refused', () => {
  const hostile = ['a@b.com', 'x$(id)@prod-project-1.iam.gserviceaccount.com', '-x@prod-project-1.iam.gserviceaccount.com', `${gsa}\n`, 'web@prod project.iam.gserviceaccount.com', 'web@prod-project-1.iam.gserviceaccount.com;id'];
  for (const principal of hostile) {
    assert.throws(() => buildCloudRevokeCommands([{ provider: 'gcp-workload-identity', principal, namespace: 'shop', serviceAccount: 'web' }], { now, caseId }), UnsafeValueError, JSON.stringify(principal));
  }
});

test('Azure without hints: find the identity by client id first (runnable), then list and delete with placeholders to fill in', () => {
  const commands = buildCloudRevokeCommands([{ provider: 'azure-workload-identity', principal: clientId.toUpperCase(), namespace: 'shop', serviceAccount: 'web' }], { now, caseId });
  assert.deepEqual(commands.map((c) => c.argv.slice(0, 4)), [['az', 'identity', 'list', '--query'], ['az', 'identity', 'federated-credential', 'list'], ['az', 'identity', 'federated-credential', 'delete']]);
  assert.equal(commands[0]?.argv[4], `[?clientId=='${clientId}']`);
  assert.deepEqual(commands[0]?.placeholders, []);
  assert.deepEqual(commands[1]?.placeholders, ['<identity-name>', '<resource-group>']);
  assert.deepEqual(commands[2]?.placeholders, ['<identity-name>', '<resource-group>', '<credential-name>']);
  assert.match(commands[2]?.remains ?? '', /up to 24 hours/);
});

test('Azure with identity, group and credential name: save it with show, then delete --yes after the show succeeded', () => {
  const hint = { identityName: 'shop-web-id', resourceGroup: 'rg-shop', federatedCredentialName: 'shop-web-fic', issuer: 'https://oidc.example.test/abc/' };
  const commands = buildCloudRevokeCommands([{ provider: 'azure-workload-identity', principal: clientId, namespace: 'shop', serviceAccount: 'web', tenantId: clientId }], { now, caseId, options: { azure: hint } });
  assert.equal(commands.length, 2);
  assert.deepEqual(commands[0]?.argv, ['az', 'identity', 'federated-credential', 'show', '--identity-name', 'shop-web-id', '--resource-group', 'rg-shop', '--name', 'shop-web-fic', '--output', 'json']);
  assert.deepEqual(commands[1]?.argv, ['az', 'identity', 'federated-credential', 'delete', '--identity-name', 'shop-web-id', '--resource-group', 'rg-shop', '--name', 'shop-web-fic', '--yes']);
  assert.equal(commands[1]?.after, commands[0]?.id);
  assert.deepEqual(commands[1]?.undo?.argv.slice(-6), ['--issuer', 'https://oidc.example.test/abc/', '--subject', 'system:serviceaccount:shop:web', '--audiences', 'api://AzureADTokenExchange']);
  assert.match(commands[1]?.explanation ?? '', new RegExp(`in tenant ${clientId}`));
});

test('hostile Azure values (client id, tenant, resource group, issuer) are refused', () => {
  const base: CloudIdentity = { provider: 'azure-workload-identity', principal: clientId, namespace: 'shop', serviceAccount: 'web' };
  assert.throws(() => buildCloudRevokeCommands([{ ...base, principal: `${clientId}' || true` }], { now, caseId }), /refused Azure client id/);
  assert.throws(() => buildCloudRevokeCommands([{ ...base, tenantId: '$(id)' }], { now, caseId }), /refused Azure tenant id/);
  assert.throws(() => buildCloudRevokeCommands([base], { now, caseId, options: { azure: { identityName: 'id-1', resourceGroup: 'rg\n--yes' } } }), /refused Azure resource group/);
  assert.throws(() => buildCloudRevokeCommands([base], { now, caseId, options: { azure: { issuer: 'https://x.test/?a=$(id)' } } }), /refused issuer URL/);
});

test('the copy-paste line of every command splits back into exactly its argv in a real POSIX shell', () => {
  const commands = buildCloudRevokeCommands(
    [aws(ROLE), { provider: 'gcp-workload-identity', principal: gsa, namespace: 'shop', serviceAccount: 'web' }, { provider: 'azure-workload-identity', principal: clientId, namespace: 'shop', serviceAccount: 'web' }],
    { now, caseId, options: { gcp: { removeWorkloadIdentityBinding: true } } },
  );
  for (const command of commands) assert.deepEqual(shellWords(shellLine(command.argv)), command.argv);
  assert.deepEqual(shellWords(shellLine(["it's", '$(id)', 'a b', '*'])), ["it's", '$(id)', 'a b', '*']);
  const shown = describePlannedCommand(commands[0] ?? assert.fail('no command'), 0);
  assert.match(shown, /^1\. Deny every action/);
  assert.match(shown, /\$ aws iam put-role-policy --role-name shop-web/);
  assert.match(shown, /undo: remove kustody's inline policy/);
});
