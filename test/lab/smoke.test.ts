/**
 * Smoke test of the lab itself: the real cluster kustody's other tests rely on does what they assume.
 * kubectl (built for the lab) is the outside judge; nothing here is mocked.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadAllYaml } from '@kubernetes/client-node';
import { applyScenario, kubectl, requireLab, type KubectlRun, type LabEnv } from '../helpers/lab.js';

const RBAC_YAML = new URL('../../deploy/rbac.yaml', import.meta.url).pathname;
const SECRET_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[] };

/** The rules of every ClusterRole kustody ships in deploy/rbac.yaml, together (the lab's responder holds them all). */
function shippedRole(): { rules: Rule[] } {
  type Doc = { kind?: string; rules?: Rule[] };
  const roles = (loadAllYaml(readFileSync(RBAC_YAML, 'utf8')) as Doc[]).filter((d) => d?.kind === 'ClusterRole');
  assert.ok(roles.length > 0 && roles.every((r) => r.rules), 'deploy/rbac.yaml has ClusterRoles with rules');
  return { rules: roles.flatMap((r) => r.rules ?? []) };
}

/** The verbs a role grants on core Secrets. */
function secretVerbs(role: { rules: Rule[] }): Set<string> {
  return new Set(role.rules.filter((r) => r.apiGroups?.includes('') && r.resources?.includes('secrets')).flatMap((r) => r.verbs ?? []));
}

/** Fails with kubectl's own words when a setup step did not work. */
function ok(run: KubectlRun, what: string): string {
  assert.equal(run.exitCode, 0, `${what} failed: ${run.stderr}`);
  return run.stdout;
}

/** A fresh namespace for one test, deleted (without waiting) when the test ends. */
async function tempNamespace(t: TestContext, lab: LabEnv, prefix: string): Promise<string> {
  const ns = `${prefix}-${randomBytes(3).toString('hex')}`;
  ok(await kubectl(lab, 'admin', ['create', 'namespace', ns]), `create namespace ${ns}`);
  t.after(() => kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']));
  // Pods are refused until kube-controller-manager has made the namespace's default ServiceAccount.
  ok(await kubectl(lab, 'admin', ['wait', '-n', ns, '--for=create', 'serviceaccount/default', '--timeout=30s']), 'default SA');
  return ns;
}

/** Polls `check` every second until it returns true or `seconds` pass; returns the elapsed seconds, or null. */
async function within(seconds: number, check: () => Promise<boolean>): Promise<number | null> {
  const start = Date.now();
  while (Date.now() - start < seconds * 1000) {
    if (await check()) return (Date.now() - start) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return null;
}

/** A busybox pod that sleeps as its init process; it stops in 1 s when deleted. */
function sleeperPod(ns: string, name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never', command: ['sleep', '100000'] }],
    },
  });
}

async function runSleeper(lab: LabEnv, ns: string, name: string): Promise<void> {
  ok(await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: sleeperPod(ns, name) }), `create pod ${name}`);
  ok(await kubectl(lab, 'admin', ['wait', '-n', ns, '--for=condition=Ready', `pod/${name}`, '--timeout=60s']), `wait for pod ${name}`);
}

test('deploy/rbac.yaml grants no wildcard, escalate, bind, impersonate or token minting, and never reads Secrets', () => {
  const role = shippedRole();
  for (const rule of role.rules) {
    for (const field of [rule.apiGroups, rule.resources, rule.verbs]) assert.ok(!field?.includes('*'), `wildcard in ${JSON.stringify(rule)}`);
    for (const verb of ['escalate', 'bind', 'impersonate']) assert.ok(!rule.verbs?.includes(verb), `${verb} in ${JSON.stringify(rule)}`);
    assert.ok(!rule.resources?.includes('serviceaccounts/token'), `token minting in ${JSON.stringify(rule)}`);
  }
  const secrets = secretVerbs(role);
  assert.ok(!secrets.has('get') && !secrets.has('list') && !secrets.has('watch'), 'the shipped role must never read Secrets');
});

test('the lab node is Ready', async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ready = ok(
    await kubectl(lab, 'admin', ['get', 'node', lab.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']),
    'get node',
  );
  assert.equal(ready, 'True');
});

test('a pod runs, and exec as the responder reads the container init from /proc/1/status', async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await tempNamespace(t, lab, 'smoke-exec');
  await runSleeper(lab, ns, 'sleeper');
  const status = ok(await kubectl(lab, 'responder', ['exec', '-n', ns, 'sleeper', '--', 'cat', '/proc/1/status']), 'exec');
  // PID 1 of the container's own PID namespace is the pod's command, whose parent is outside it.
  assert.match(status, /^Name:\tsleep$/m);
  assert.match(status, /^PPid:\t0$/m);
});

test('a pod-bound token authenticates until its pod is deleted, then stops within 90 s', async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await tempNamespace(t, lab, 'smoke-token');
  await runSleeper(lab, ns, 'holder');
  const uid = ok(await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'holder', '-o', 'jsonpath={.metadata.uid}']), 'get uid');
  // The admin mints it: the responder's roles hold no serviceaccounts/token (docs/rbac.md).
  const token = ok(
    await kubectl(lab, 'admin', [
      'create', 'token', 'default', '-n', ns, '--duration=10m',
      '--bound-object-kind=Pod', '--bound-object-name=holder', `--bound-object-uid=${uid}`,
    ]),
    'TokenRequest',
  ).trim();
  const review = async (): Promise<{ authenticated?: boolean; user?: { username?: string } }> => {
    const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    const out = ok(
      await kubectl(lab, 'responder', ['create', '--raw', '/apis/authentication.k8s.io/v1/tokenreviews', '-f', '-'], { input: body }),
      'TokenReview',
    );
    return (JSON.parse(out) as { status: { authenticated?: boolean; user?: { username?: string } } }).status;
  };
  const before = await review();
  assert.equal(before.authenticated, true);
  assert.equal(before.user?.username, `system:serviceaccount:${ns}:default`);

  ok(await kubectl(lab, 'responder', ['delete', 'pod', '-n', ns, 'holder', '--wait=false']), 'delete pod');
  const elapsed = await within(90, async () => (await review()).authenticated !== true);
  assert.notEqual(elapsed, null, 'the token still authenticates 90 s after its pod was deleted');
  t.diagnostic(`token stopped authenticating ${elapsed?.toFixed(1)} s after the pod's deletion`);
});

test('the responder may use Secrets exactly as deploy/rbac.yaml says, and may create NetworkPolicies', async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await tempNamespace(t, lab, 'smoke-rbac');
  const granted = secretVerbs(shippedRole());

  for (const verb of SECRET_VERBS) {
    const canI = await kubectl(lab, 'responder', ['auth', 'can-i', verb, 'secrets', '-n', ns]);
    assert.equal(canI.stdout.trim(), granted.has(verb) ? 'yes' : 'no', `can-i ${verb} secrets`);
  }
  // The real requests, not only the review: reading is refused, deleting by name works.
  ok(await kubectl(lab, 'admin', ['create', 'secret', 'generic', 'legacy-token', '-n', ns, '--from-literal=token=x']), 'create secret');
  const get = await kubectl(lab, 'responder', ['get', 'secrets', '-n', ns]);
  assert.notEqual(get.exitCode, 0);
  assert.match(get.stderr, /forbidden/i);
  ok(await kubectl(lab, 'responder', ['delete', 'secret', 'legacy-token', '-n', ns]), 'delete secret as responder');

  const policy = JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'probe', namespace: ns },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });
  ok(await kubectl(lab, 'responder', ['create', '-f', '-', '--validate=false'], { input: policy }), 'create networkpolicy as responder');
});

test('a deny-all NetworkPolicy cuts the shop client off from web within 20 s (kube-router)', async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `smoke-netpol-${randomBytes(3).toString('hex')}`;
  t.after(() => kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']));
  await applyScenario('shop', ns);
  const webIp = ok(await kubectl(lab, 'admin', ['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={.items[0].status.podIP}']), 'web IP');
  // Probe from the client pod, never from the host: kube-router lets node-local traffic through.
  const reach = async (): Promise<boolean> =>
    (await kubectl(lab, 'admin', ['exec', '-n', ns, 'client', '--', 'timeout', '2', 'wget', '-qO', '/dev/null', `http://${webIp}:8080/`]))
      .exitCode === 0;
  assert.equal(await reach(), true, 'client reaches web before any policy');

  const denyAll = JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny-all', namespace: ns },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  ok(await kubectl(lab, 'responder', ['create', '-f', '-', '--validate=false'], { input: denyAll }), 'create deny-all');
  const elapsed = await within(20, async () => !(await reach()));
  assert.notEqual(elapsed, null, 'client still reaches web 20 s after deny-all');
  t.diagnostic(`client lost web ${elapsed?.toFixed(1)} s after the policy was created`);
});
