// Kubeconfig credential plugins under the user's own kuberc policy (issue 11, superseding K8S-4's
// refuse-by-default): with no policy a plugin runs as kubectl runs it; DenyAll and an allowlist that
// does not name it refuse it before it runs; --allow-exec-plugin overrides. The faults (hang, garbage,
// expired credential, not on PATH, malformed kuberc, relative allowlist entry) fail before any request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { requireLab } from '../helpers/lab.js';
import { pluginIdentity } from '../helpers/lab-plugin-identity.js';

const API = 'client.authentication.k8s.io/v1';

/** Writes an executable plugin that leaves `marker` when it runs and then runs `body`. */
function writePlugin(dir: string, name: string, body: string): { path: string; marker: string } {
  const marker = join(dir, `${name}.ran`);
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\ntouch '${marker}'\n${body}\n`, { mode: 0o755 });
  return { path, marker };
}

/** A kubeconfig whose only user runs `command` (a path or a bare name) to get its credential. */
function pluginKubeconfig(dir: string, command: string, cluster: Record<string, unknown> = { server: 'https://127.0.0.1:1' }, extra: Record<string, unknown> = {}, namespace = 'shop'): string {
  const path = join(dir, `kubeconfig-${Math.random().toString(16).slice(2)}`);
  writeFileSync(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'k', cluster }],
    users: [{ name: 'plugin-user', user: { exec: { apiVersion: API, command, interactiveMode: 'Never', ...extra } } }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'plugin-user', namespace } }],
  }));
  return path;
}

function kuberc(dir: string, body: string): string {
  const path = join(dir, `kuberc-${Math.random().toString(16).slice(2)}`);
  writeFileSync(path, `apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n${body}`);
  return path;
}

const credential = (token: string, expires: string) => `echo '{"apiVersion":"${API}","kind":"ExecCredential","status":{"token":"${token}","expirationTimestamp":"${expires}"}}'`;
const LATER = '2099-01-01T00:00:00Z';

async function setup(t: { after: (fn: () => void) => void }) {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const home = join(dir, 'home');
  mkdirSync(join(home, '.kube'), { recursive: true });
  const created = await newCase(dir);
  const env = { HOME: home, KUBERC: '', KUBECONFIG: '' };
  return { dir, home, env, casePath: created.path };
}

test('DenyAll in the kuberc refuses the plugin on every cluster command, in kubectl\'s words, and it never runs', async (t) => {
  const { dir, env, casePath } = await setup(t);
  const plugin = writePlugin(dir, 'cloud-login', credential('x', LATER));
  const kubeconfig = pluginKubeconfig(dir, plugin.path);
  const policy = kuberc(dir, 'credentialPluginPolicy: DenyAll\n');
  for (const args of [['identities', 'web'], ['isolate', 'shop/web'], ['capture', 'pod', 'web', '-n', 'shop'], ['revoke', 'shop/web']]) {
    const run = await runKustody([...args, '--case', casePath, '--kubeconfig', kubeconfig], { env: { ...env, KUBERC: policy } });
    assert.equal(run.exitCode, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`plugin "${plugin.path}" not allowed: policy set to "DenyAll"`));
    assert.match(run.stderr, /credentialPluginAllowlist|--allow-exec-plugin/);
  }
  assert.equal(existsSync(plugin.marker), false, 'the credential plugin was run');
});

test('an allowlist that does not name the plugin refuses it; one naming it by path or by PATH name lets it run', async (t) => {
  const { dir, env, casePath } = await setup(t);
  const plugin = writePlugin(dir, 'cloud-login', credential('x', LATER));
  const kubeconfig = pluginKubeconfig(dir, plugin.path);
  const other = kuberc(dir, 'credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: /usr/local/bin/get-identity\n');
  const refused = await runKustody(['identities', 'web', '--case', casePath, '--kubeconfig', kubeconfig], { env: { ...env, KUBERC: other } });
  assert.equal(refused.exitCode, 2, refused.stderr);
  assert.match(refused.stderr, new RegExp(`plugin path "${plugin.path}" is not permitted by the credential plugin allowlist`));
  assert.equal(existsSync(plugin.marker), false, 'a plugin outside the allowlist ran');
  for (const entry of [plugin.path, 'cloud-login']) {
    const naming = kuberc(dir, `credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: ${entry}\n`);
    // The API server at 127.0.0.1:1 does not answer, so the run fails after the plugin ran.
    const run = await runKustody(['identities', 'web', '--case', casePath, '--kubeconfig', kubeconfig], { env: { ...env, KUBERC: naming, PATH: `${dir}:${process.env.PATH ?? ''}` } });
    assert.doesNotMatch(run.stderr, /not permitted|not allowed/, entry);
    assert.equal(existsSync(plugin.marker), true, `allowlisted as ${entry}, the plugin did not run: ${run.stderr}`);
    rmSync(plugin.marker);
  }
});

test('--allow-exec-plugin overrides a DenyAll kuberc, and bare `kustody` (the UI) accepts every cluster flag', async (t) => {
  const { dir, env, casePath } = await setup(t);
  const plugin = writePlugin(dir, 'cloud-login', credential('x', LATER));
  const kubeconfig = pluginKubeconfig(dir, plugin.path);
  const deny = kuberc(dir, 'credentialPluginPolicy: DenyAll\n');
  const run = await runKustody(['identities', 'web', '--case', casePath, '--kubeconfig', kubeconfig, '--allow-exec-plugin'], { env: { ...env, KUBERC: deny } });
  assert.doesNotMatch(run.stderr, /not allowed/);
  assert.equal(existsSync(plugin.marker), true, `the plugin did not run: ${run.stderr}`);
  const ui = await runKustody(['--kubeconfig', kubeconfig, '--context', 'c', '--cluster', 'k', '--user', 'plugin-user', '-n', 'shop', '--allow-exec-plugin', '--read-only'], { env });
  assert.equal(ui.exitCode, 2);
  assert.match(ui.stderr, /The guided UI needs an interactive terminal/, 'bare kustody rejected a cluster flag');
});

test('a plugin that hangs is stopped after the timeout with a message saying so', async (t) => {
  const { dir, env, casePath } = await setup(t);
  const plugin = writePlugin(dir, 'slow-login', 'exec sleep 30');
  const started = Date.now();
  const run = await runKustody(['identities', 'web', '--case', casePath, '--kubeconfig', pluginKubeconfig(dir, plugin.path)], { env: { ...env, KUSTODY_EXEC_PLUGIN_TIMEOUT_MS: '1500' } });
  assert.equal(run.exitCode, 1, run.stderr);
  assert.match(run.stderr, /The credential plugin .*slow-login did not answer within 1\.5 s/);
  assert.match(run.stderr, /log in with kubectl once/);
  assert.ok(Date.now() - started < 20_000, 'kustody waited for the hanging plugin');
});

test('garbage, an expired credential and a failing plugin are refused without printing what the plugin said on stdout', async (t) => {
  const { dir, env, casePath } = await setup(t);
  const cases: Array<[string, string, RegExp]> = [
    ['garbage', 'echo "secret-token-garbage \\033[31m not json"', /its output is not JSON/],
    ['expired', credential('secret-token-expired', '2020-01-01T00:00:00Z'), /printed a credential that already expired \(at 2020-01-01T00:00:00\.000Z\)/],
    ['failing', 'echo "error: session expired, run cloud login" >&2; exit 3', /failed \(exit 3\): error: session expired, run cloud login/],
  ];
  for (const [name, body, expected] of cases) {
    const plugin = writePlugin(dir, name, body);
    const run = await runKustody(['identities', 'web', '--case', casePath, '--kubeconfig', pluginKubeconfig(dir, plugin.path)], { env });
    assert.equal(run.exitCode, 1, `${name}: ${run.stderr}`);
    assert.match(run.stderr, expected, name);
    assert.doesNotMatch(run.stdout + run.stderr, /secret-token|\x1b\[31m/, `${name}: the plugin's output reached the terminal`);
  }
});

test('a plugin that is not on PATH is reported with the kubeconfig\'s install hint, as kubectl would fail', async (t) => {
  const { dir, env, casePath } = await setup(t);
  const kubeconfig = pluginKubeconfig(dir, 'kustody-test-no-such-login', undefined, { installHint: 'Install it with: brew install no-such-login' });
  const run = await runKustody(['identities', 'web', '--case', casePath, '--kubeconfig', kubeconfig], { env });
  assert.equal(run.exitCode, 2, run.stderr);
  assert.match(run.stderr, /plugin "kustody-test-no-such-login" was not found \(not on PATH/);
  assert.match(run.stderr, /Install it with: brew install no-such-login/);
});

test('a malformed kuberc, or an allowlist entry that is a relative path, stops kustody naming the file and line', async (t) => {
  const { dir, home, env, casePath } = await setup(t);
  const plugin = writePlugin(dir, 'cloud-login', credential('x', LATER));
  const kubeconfig = pluginKubeconfig(dir, plugin.path);
  // The default location, ~/.kube/kuberc: kubectl would warn and run the plugin; kustody does not fail open.
  writeFileSync(join(home, '.kube', 'kuberc'), 'apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\ncredentialPluginPolicy: [DenyAll\n');
  const malformed = await runKustody(['identities', 'web', '--case', casePath, '--kubeconfig', kubeconfig], { env });
  assert.equal(malformed.exitCode, 2, malformed.stderr);
  assert.match(malformed.stderr, new RegExp(`The kuberc ${join(home, '.kube', 'kuberc')} line \\d+ is not valid`));
  const relative = kuberc(dir, 'credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: ./cloud-login\n  - name: bin/cloud-login\n');
  const run = await runKustody(['identities', 'web', '--case', casePath, '--kubeconfig', kubeconfig], { env: { ...env, KUBERC: relative } });
  assert.equal(run.exitCode, 2, run.stderr);
  assert.match(run.stderr, /line 5 is not valid: credentialPluginAllowlist entry "\.\/cloud-login" is a relative path/);
  const off = await runKustody(['identities', 'web', '--case', casePath, '--kubeconfig', kubeconfig], { env: { ...env, KUBERC: 'off' } });
  assert.doesNotMatch(off.stderr, /kuberc/, 'KUBERC=off still read the kuberc');
  assert.equal(existsSync(plugin.marker), true, 'with KUBERC=off the plugin runs, as kubectl runs it');
});

test('on the lab, a real plugin authenticates every way kubectl lets it, and kustody refuses exactly when kubectl does', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  const { dir, home, env, casePath } = await setup(t);
  const identity = await pluginIdentity(lab, `kcfg-plugin-${Math.random().toString(16).slice(2, 8)}`);
  t.after(identity.remove);
  const expires = new Date(Date.now() + 14 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const plugin = writePlugin(dir, 'lab-login', credential(identity.token, expires));
  const kubeconfig = pluginKubeconfig(dir, plugin.path, identity.cluster, {}, identity.namespace);
  const kubercFile = join(home, '.kube', 'kuberc');
  // kubectl and kustody read the same ~/.kube/kuberc (HOME is the test's), the same kubeconfig.
  const both = async (policy: string | null) => {
    if (policy === null) rmSync(kubercFile, { force: true });
    else writeFileSync(kubercFile, `apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n${policy}`);
    rmSync(plugin.marker, { force: true });
    const kubectlRun = await execa(lab.kubectl, ['--kubeconfig', kubeconfig, 'get', 'pod', identity.pod, '-o', 'name'], { env: { ...process.env, ...env }, reject: false, stdin: 'ignore', timeout: 60_000 });
    const kubectlRan = existsSync(plugin.marker);
    rmSync(plugin.marker, { force: true });
    const kustodyRun = await runKustody(['identities', identity.pod, '--case', casePath, '--kubeconfig', kubeconfig, '--json'], { env });
    return { kubectlRun, kubectlRan, kustodyRun, kustodyRan: existsSync(plugin.marker) };
  };

  const byDefault = await both(null);
  assert.equal(byDefault.kubectlRun.exitCode, 0, `kubectl: ${byDefault.kubectlRun.stderr}`);
  assert.equal(byDefault.kustodyRun.exitCode, 0, `kustody: ${byDefault.kustodyRun.stderr}`);
  assert.ok(byDefault.kustodyRan);
  const db = new Database(join(casePath, 'evidence.db'), { readonly: true });
  const row = db.prepare("SELECT target, detail FROM actions WHERE kind = 'credential-plugin' ORDER BY seq DESC LIMIT 1").get() as { target: string; detail: string } | undefined;
  db.close();
  assert.ok(row, 'no credential-plugin row in the custody log');
  assert.equal(row.target, 'kubeconfig-user:plugin-user');
  assert.deepEqual(JSON.parse(row.detail), { allowed_by: 'AllowAll (default (no kuberc policy))', args: [], command: plugin.path, context: 'c', path: plugin.path, server: String(identity.cluster.server).replace(/\/$/, '') });
  assert.doesNotMatch(row.detail, new RegExp(identity.token.slice(-20)), 'the token reached the custody log');

  const denied = await both('credentialPluginPolicy: DenyAll\n');
  assert.notEqual(denied.kubectlRun.exitCode, 0);
  assert.match(denied.kubectlRun.stderr, /not allowed: policy set to "DenyAll"/);
  assert.equal(denied.kustodyRun.exitCode, 2);
  assert.match(denied.kustodyRun.stdout, /not allowed: policy set to \\"DenyAll\\"/);
  assert.deepEqual([denied.kubectlRan, denied.kustodyRan], [false, false]);

  for (const entry of [plugin.path]) {
    const allowed = await both(`credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: ${entry}\n`);
    assert.equal(allowed.kubectlRun.exitCode, 0, `kubectl, allowlisted as ${entry}: ${allowed.kubectlRun.stderr}`);
    assert.equal(allowed.kustodyRun.exitCode, 0, `kustody, allowlisted as ${entry}: ${allowed.kustodyRun.stdout}`);
  }

  const other = await both('credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: /usr/local/bin/get-identity\n');
  assert.notEqual(other.kubectlRun.exitCode, 0);
  assert.match(other.kubectlRun.stderr, /is not permitted by the credential plugin allowlist/);
  assert.equal(other.kustodyRun.exitCode, 2);
  assert.match(other.kustodyRun.stdout, /is not permitted by the credential plugin allowlist/);
  assert.deepEqual([other.kubectlRan, other.kustodyRan], [false, false]);
});
