import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { connectKube } from '../../src/adapters/kube/kube-client.js';
import { readIsolationFacts } from '../../src/adapters/kube/isolation-facts.js';
import { planIsolation } from '../../src/core/contain/plan-isolation.js';
import { applyPlan } from '../../src/runner/apply-plan.js';
import { changePorts, openChangeSession } from '../../src/commands/change-support.js';
import { KUSTODY_BIN, makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyScenario, kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { limitedIdentity } from '../helpers/lab-identity.js';
import { watchDryRun } from '../helpers/dry-run-oracle.js';

async function shop(t: TestContext, lab: LabEnv, prefix: string): Promise<string> {
  const ns = `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
  await applyScenario('shop', ns);
  t.after(async () => {
    // Only this namespace's guards: the lab is shared, and other tests' guards must stay in force.
    const policies = JSON.parse((await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicies', '-l', 'app.kubernetes.io/managed-by=kustody', '-o', 'json'])).stdout || '{"items":[]}') as { items: Array<{ metadata: { name: string }; spec?: { matchConstraints?: { namespaceSelector?: { matchLabels?: Record<string, string> } } } }> };
    for (const p of policies.items) {
      if (p.spec?.matchConstraints?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === ns) await kubectl(lab, 'admin', ['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', p.metadata.name, '--ignore-not-found']);
    }
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  return ns;
}

async function json(lab: LabEnv, args: string[]): Promise<Record<string, unknown>> {
  const run = await kubectl(lab, 'admin', [...args, '-o', 'json']);
  assert.equal(run.exitCode, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const webPod = async (lab: LabEnv, ns: string) => (await kubectl(lab, 'admin', ['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout.trim();

test('isolate --dry-run changes nothing; isolate applies label and policy once; release restores the labels exactly', { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await shop(t, lab, 'iso');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const web = await webPod(lab, ns);
  const labelsBefore = (await json(lab, ['get', 'pod', '-n', ns, web])).metadata as { labels: Record<string, string> };

  const watch = await watchDryRun(lab, { namespace: ns, pod: web, mentions: [created.id, ns] });
  const dry = await runKustody(['isolate', `${ns}/${web}`, '--case', created.path, '--detach', '--guard', '--cordon', '--dry-run', '--json'], { env });
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  assert.equal((JSON.parse(dry.stdout) as { status: string }).status, 'dry-run');
  const dryWrites = await watch.verify();
  // As a set: another test's dry-run cordon of the lab's one node may fall in the same window.
  assert.deepEqual([...new Set(dryWrites.dryRun.map((e) => e.objectRef?.resource))].sort(), ['networkpolicies', 'nodes', 'pods', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings'], 'the audit log lacks the dry run\'s server-side dry runs');

  const applied = await runKustody(['isolate', `${ns}/${web}`, '--case', created.path, '--detach', '--guard', '--yes', '--json'], { env });
  assert.equal(applied.exitCode, 0, applied.stdout + applied.stderr);
  const result = JSON.parse(applied.stdout) as { status: string; changes: Array<{ id: string; status: string }> };
  assert.deepEqual(result.changes.map((c) => [c.id, c.status]), [['guard-policy', 'applied'], ['guard-binding', 'applied'], ['quarantine-label', 'applied'], ['deny-all-policy', 'applied'], ['detach-labels', 'applied']]);
  const pod = (await json(lab, ['get', 'pod', '-n', ns, web])).metadata as { labels: Record<string, string> };
  assert.deepEqual(pod.labels, { 'kustody.io/quarantine': created.id });
  const policies = (await json(lab, ['get', 'networkpolicies', '-n', ns])).items as Array<{ spec: { podSelector: unknown; policyTypes: string[]; ingress?: unknown[]; egress?: unknown[] } }>;
  assert.equal(policies.length, 1);
  assert.deepEqual(policies[0]?.spec.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(policies[0]?.spec.podSelector, { matchLabels: { 'kustody.io/quarantine': created.id } });

  const again = await runKustody(['isolate', `${ns}/${web}`, '--case', created.path, '--detach', '--guard', '--yes', '--json'], { env });
  assert.equal(again.exitCode, 0);
  assert.equal((JSON.parse(again.stdout) as { status: string }).status, 'nothing-to-do');
  assert.equal(((await json(lab, ['get', 'networkpolicies', '-n', ns])).items as unknown[]).length, 1, 'a second isolate made a second policy');

  // release --dry-run must not delete anything either (deletes carry dryRun in their body).
  const releaseWatch = await watchDryRun(lab, { namespace: ns, pod: web, mentions: [created.id, ns] });
  const dryRelease = await runKustody(['release', `${ns}/${web}`, '--case', created.path, '--dry-run', '--json'], { env });
  assert.equal(dryRelease.exitCode, 0, dryRelease.stdout);
  assert.ok((await releaseWatch.verify()).dryRun.some((e) => e.verb === 'delete'), 'the audit log lacks release\'s dry-run deletes');
  assert.equal(((await json(lab, ['get', 'networkpolicies', '-n', ns])).items as unknown[]).length, 1, 'release --dry-run deleted the policy');

  const released = await runKustody(['release', `${ns}/${web}`, '--case', created.path, '--yes', '--json'], { env });
  assert.equal(released.exitCode, 0, released.stdout + released.stderr);
  const after = (await json(lab, ['get', 'pod', '-n', ns, web])).metadata as { labels: Record<string, string> };
  assert.deepEqual(after.labels, labelsBefore.labels);
  assert.equal(((await json(lab, ['get', 'networkpolicies', '-n', ns])).items as unknown[]).length, 0);
  const guards = await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicies', '-o', 'name']);
  assert.doesNotMatch(guards.stdout, new RegExp(created.id.replace(/^case-/, '').toLowerCase()));
  const shown = JSON.parse((await runKustody(['case', 'show', created.path, '--json'])).stdout) as { actions: Array<{ kind: string; outcome: string }> };
  assert.equal(shown.actions.filter((a) => a.kind === 'contain' && a.outcome === 'applied').length, 10, 'five changes applied and five undone, each recorded');
});

test('an isolated pod loses new connections from its peers (kube-router enforces the policy)', { timeout: 180_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await shop(t, lab, 'iso-net');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const web = await webPod(lab, ns);
  const ip = (await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, web, '-o', 'jsonpath={.status.podIP}'])).stdout.trim();
  const probe = async () => (await kubectl(lab, 'admin', ['exec', '-n', ns, 'client', '--', 'timeout', '2', 'wget', '-qO-', `http://${ip}:8080/`], { timeout: 10_000 })).exitCode === 0;
  assert.equal(await probe(), true, 'client reaches web before isolation');
  const run = await runKustody(['isolate', `${ns}/${web}`, '--case', created.path, '--yes'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  let cut = false;
  for (let i = 0; i < 10 && !cut; i += 1) {
    cut = !(await probe());
    if (!cut) await new Promise((r) => setTimeout(r, 2000));
  }
  assert.equal(cut, true, 'client still reaches the isolated web pod after 20 s');
});

test('a pod recreated between plan and apply is not touched (uid precondition)', { timeout: 180_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await shop(t, lab, 'iso-uid');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const kube = await connectKube({ kubeconfig: lab.responderKubeconfig });
  const session = await openChangeSession(created.path, kube, {});
  t.after(session.close);
  const facts = await readIsolationFacts(kube, session.caseId, ns, 'client', session.kubeUser);
  const plan = planIsolation(facts, { detach: false, cordon: false, guard: false });
  const podJson = (await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'client', '-o', 'json'])).stdout;
  await kubectl(lab, 'admin', ['delete', 'pod', '-n', ns, 'client', '--grace-period=1', '--wait=true']);
  const fresh = JSON.parse(podJson) as { metadata: Record<string, unknown>; status?: unknown };
  for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields']) delete fresh.metadata[key];
  delete fresh.status;
  assert.equal((await kubectl(lab, 'admin', ['create', '-f', '-'], { input: JSON.stringify(fresh) })).exitCode, 0);
  await assert.rejects(applyPlan(plan, changePorts(kube, session, true), { dryRun: false }), /PRECONDITION_FAILED|was replaced by a new object/);
  const labels = (await json(lab, ['get', 'pod', '-n', ns, 'client'])).metadata as { labels: Record<string, string> };
  assert.equal(labels.labels['kustody.io/quarantine'], undefined);
  assert.equal(((await json(lab, ['get', 'networkpolicies', '-n', ns])).items as unknown[]).length, 0);
});

test('without a needed permission isolate names the verb and resource and changes nothing', { timeout: 180_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await shop(t, lab, 'iso-rbac');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  // May read and label pods, but not create NetworkPolicies.
  const kubeconfig = await limitedIdentity(lab, dir, ns, 'half-responder', [
    { apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'patch'] },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list'] },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get'] },
  ]);
  const run = await runKustody(['isolate', `${ns}/client`, '--case', created.path, '--yes'], { env: { KUBECONFIG: kubeconfig } });
  assert.equal(run.exitCode, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /You need permission to create NetworkPolicy/);
  assert.match(run.stderr, /Nothing was changed/);
  const labels = (await json(lab, ['get', 'pod', '-n', ns, 'client'])).metadata as { labels: Record<string, string> };
  assert.equal(labels.labels['kustody.io/quarantine'], undefined);
});

test('a missing pod is named, and SIGKILL mid-isolate then a rerun finishes without doing anything twice', { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await shop(t, lab, 'iso-kill');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const missing = await runKustody(['isolate', `${ns}/nope`, '--case', created.path, '--yes'], { env });
  assert.equal(missing.exitCode, 1);
  assert.match(missing.stderr, /Not found while trying to read pod/);
  for (const delay of [300, 450, 600]) {
    const child = execa(process.execPath, [KUSTODY_BIN, 'isolate', `${ns}/client`, '--case', created.path, '--yes'], { env, reject: false });
    setTimeout(() => child.kill('SIGKILL'), delay);
    await child;
  }
  const rerun = await runKustody(['isolate', `${ns}/client`, '--case', created.path, '--yes', '--json'], { env });
  assert.equal(rerun.exitCode, 0, rerun.stdout + rerun.stderr);
  assert.equal(((await json(lab, ['get', 'networkpolicies', '-n', ns])).items as unknown[]).length, 1);
  const shown = JSON.parse((await runKustody(['case', 'show', created.path, '--json'])).stdout) as { actions: Array<{ kind: string; outcome: string; detail: { change_id?: string } }> };
  const contain = shown.actions.filter((a) => a.kind === 'contain');
  const applied = contain.filter((a) => a.outcome === 'applied').map((a) => a.detail.change_id);
  assert.equal(new Set(applied).size, applied.length, `a change was applied twice: ${applied.join(', ')}`);
  // Each change is either recorded as applied, or was cut off after its intent and found in effect by the rerun.
  for (const id of ['quarantine-label', 'deny-all-policy']) {
    const outcomes = contain.filter((a) => a.detail.change_id === id).map((a) => a.outcome);
    assert.ok(outcomes.includes('applied') || (outcomes.includes('intent') && outcomes.includes('already-in-effect')), `${id}: ${outcomes.join(', ')}`);
  }
});

test('release after an isolate killed halfway restores the pod and removes whatever was created', { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await shop(t, lab, 'iso-partial');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const before = ((await json(lab, ['get', 'pod', '-n', ns, 'client'])).metadata as { labels: Record<string, string> }).labels;
  const child = execa(process.execPath, [KUSTODY_BIN, 'isolate', `${ns}/client`, '--case', created.path, '--guard', '--yes'], { env, reject: false });
  // Stop it as soon as the first change is recorded as applied, so the rest is left undone.
  for (let i = 0; i < 200; i += 1) {
    const shown = await runKustody(['case', 'show', created.path, '--json']);
    if (shown.stdout.includes('"outcome":"applied"')) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await child;
  const released = await runKustody(['release', `${ns}/client`, '--case', created.path, '--yes', '--json'], { env });
  assert.equal(released.exitCode, 0, released.stdout + released.stderr);
  const after = ((await json(lab, ['get', 'pod', '-n', ns, 'client'])).metadata as { labels: Record<string, string> }).labels;
  assert.deepEqual(after, before);
  assert.equal(((await json(lab, ['get', 'networkpolicies', '-n', ns])).items as unknown[]).length, 0);
  const guards = await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicies', '-o', 'name']);
  assert.doesNotMatch(guards.stdout, new RegExp(created.id.replace(/^case-/, '').toLowerCase()));
});

test('a pod with no labels at all is isolated: the labels map is added with the quarantine label, and release removes it', { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await shop(t, lab, 'nolabel');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bare', namespace: ns }, spec: { containers: [{ name: 'main', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never', command: ['sleep', '3600'] }] } };
  assert.equal((await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: JSON.stringify(pod) })).exitCode, 0);
  assert.equal(((await json(lab, ['get', 'pod', '-n', ns, 'bare'])).metadata as { labels?: unknown }).labels, undefined, 'the pod starts with no labels map');

  const dry = await runKustody(['isolate', `${ns}/bare`, '--case', created.path, '--dry-run', '--json'], { env });
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  const applied = await runKustody(['isolate', `${ns}/bare`, '--case', created.path, '--yes', '--json'], { env });
  assert.equal(applied.exitCode, 0, applied.stdout + applied.stderr);
  const labels = ((await json(lab, ['get', 'pod', '-n', ns, 'bare'])).metadata as { labels?: Record<string, string> }).labels;
  assert.deepEqual(labels, { 'kustody.io/quarantine': created.id });

  const released = await runKustody(['release', `${ns}/bare`, '--case', created.path, '--yes', '--json'], { env });
  assert.equal(released.exitCode, 0, released.stdout + released.stderr);
  const after = ((await json(lab, ['get', 'pod', '-n', ns, 'bare'])).metadata as { labels?: Record<string, string> }).labels ?? {};
  assert.deepEqual(after, {});
});
