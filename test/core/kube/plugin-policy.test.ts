// kuberc's credentialPluginPolicy as kubectl 1.35 reads it, and the decision for one plugin command
// (the lab test test/cli/exec-plugin.test.ts runs real plugins under these policies, next to kubectl).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePlugin, parseKubercPolicy, type PluginPolicy } from '../../../src/core/kube/plugin-policy.js';
import { parseExecCredential, type ExecPluginSpec } from '../../../src/core/kube/exec-credential.js';

const HEADER = 'apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n';
const PATH_DIRS: Record<string, string> = { 'cloud-login': '/usr/local/bin/cloud-login', 'get-identity': '/opt/bin/get-identity' };
const lookPath = (name: string) => (name.startsWith('/') ? (Object.values(PATH_DIRS).includes(name) ? name : null) : PATH_DIRS[name] ?? null);

test('a kuberc with no policy, or none at all, sets no policy (kubectl then runs every plugin)', () => {
  assert.equal(parseKubercPolicy(HEADER, '/k/kuberc'), null);
  assert.equal(parseKubercPolicy('', '/k/kuberc'), null);
  assert.deepEqual(parseKubercPolicy(`${HEADER}credentialPluginPolicy: DenyAll\n`, '/k/kuberc'), { type: 'DenyAll', allowlist: [], source: '/k/kuberc' });
});

test('DenyAll refuses with kubectl\'s wording; AllowAll runs what PATH resolves', () => {
  const deny: PluginPolicy = { type: 'DenyAll', allowlist: [], source: 'k' };
  assert.deepEqual(decidePlugin(deny, 'cloud-login', lookPath), { allowed: false, reason: 'plugin "cloud-login" not allowed: policy set to "DenyAll"' });
  assert.deepEqual(decidePlugin({ ...deny, type: 'AllowAll' }, 'cloud-login', lookPath), { allowed: true, path: '/usr/local/bin/cloud-login' });
  assert.equal(decidePlugin({ ...deny, type: 'AllowAll' }, 'missing', lookPath).allowed, false);
});

test('an allowlist entry matches by bare name or by absolute path, after PATH resolution on both sides', () => {
  const policy = parseKubercPolicy(`${HEADER}credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: /usr/local/bin/cloud-login\n  - name: get-identity\n`, '/k/kuberc');
  assert.ok(policy);
  assert.deepEqual(decidePlugin(policy, 'cloud-login', lookPath), { allowed: true, path: '/usr/local/bin/cloud-login' });
  assert.deepEqual(decidePlugin(policy, '/opt/bin/get-identity', lookPath), { allowed: true, path: '/opt/bin/get-identity' });
  const other = { ...policy, allowlist: ['get-identity'] };
  assert.deepEqual(decidePlugin(other, '/usr/local/bin/cloud-login', lookPath), { allowed: false, reason: 'plugin path "/usr/local/bin/cloud-login" is not permitted by the credential plugin allowlist' });
});

test('a malformed kuberc is refused naming the file and the line', () => {
  assert.throws(() => parseKubercPolicy(`${HEADER}credentialPluginPolicy: [DenyAll\n`, '/home/r/.kube/kuberc'), /The kuberc \/home\/r\/\.kube\/kuberc line \d+ is not valid/);
  assert.throws(() => parseKubercPolicy(`${HEADER}credentialPluginPolicy: Sometimes\n`, '/k/kuberc'), /\/k\/kuberc line 3 is not valid: unknown credentialPluginPolicy "Sometimes"/);
  assert.throws(() => parseKubercPolicy('apiVersion: v1\nkind: Config\n', '/k/kuberc'), /line 1 is not valid: apiVersion must be/);
});

test('an allowlist that is missing, empty, relative, not normalized or beside a non-Allowlist policy is refused', () => {
  const bad = (body: string) => () => parseKubercPolicy(HEADER + body, '/k/kuberc');
  assert.throws(bad('credentialPluginPolicy: Allowlist\n'), /credentialPluginAllowlist is not a list/);
  assert.throws(bad('credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist: []\n'), /is empty; use credentialPluginPolicy: DenyAll/);
  assert.throws(bad('credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: bin/login\n'), /line 5 is not valid: .*"bin\/login" is a relative path/);
  assert.throws(bad('credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: /usr//bin/login\n'), /not a normalized path/);
  assert.throws(bad('credentialPluginPolicy: DenyAll\ncredentialPluginAllowlist:\n  - name: login\n'), /credentialPluginAllowlist is set but credentialPluginPolicy is "DenyAll"/);
});

const SPEC: ExecPluginSpec = { command: 'cloud-login', args: [], env: [], apiVersion: 'client.authentication.k8s.io/v1', installHint: null, provideClusterInfo: false };
const credential = (status: object, apiVersion = SPEC.apiVersion) => JSON.stringify({ apiVersion, kind: 'ExecCredential', status });

test('an ExecCredential is accepted with a token or a certificate and key, and an expiry in the future', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.deepEqual(parseExecCredential(credential({ token: 't', expirationTimestamp: '2026-01-01T01:00:00Z' }), SPEC, now), { token: 't', clientCertificateData: undefined, clientKeyData: undefined, expiresAt: Date.parse('2026-01-01T01:00:00Z') });
  assert.equal(parseExecCredential(credential({ clientCertificateData: 'c', clientKeyData: 'k' }), SPEC, now).expiresAt, null);
});

test('garbage, a wrong kind or version, no credential and an expired credential are refused without echoing the output', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const refused = (stdout: string, pattern: RegExp) => assert.throws(() => parseExecCredential(stdout, SPEC, now), (e: Error) => pattern.test(e.message) && !e.message.includes('secret-token'));
  refused('secret-token not json', /its output is not JSON/);
  refused(JSON.stringify({ kind: 'Secret', token: 'secret-token' }), /not an ExecCredential/);
  refused(credential({ token: 'secret-token' }, 'client.authentication.k8s.io/v1beta1'), /asked for client\.authentication\.k8s\.io\/v1/);
  refused(credential({}), /neither a token nor a client certificate/);
  refused(credential({ token: 'secret-token', expirationTimestamp: '2025-12-31T23:00:00Z' }), /already expired \(at 2025-12-31T23:00:00\.000Z\)/);
});
