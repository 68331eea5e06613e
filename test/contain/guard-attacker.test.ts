import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { isolationNames } from '../../src/core/contain/plan-isolation.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyScenario, kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { namespaceRoleIdentity } from '../helpers/lab-identity.js';

/** How a bypass must end: refused by the kustody guard, or already refused by RBAC (the identity lacks the right). */
type Refusal = 'guard' | 'rbac';

/** One way back an attacker with namespace rights might try; `{pod}`, `{ns}`, `{np}`, `{guard}` are filled in. */
interface Bypass {
  name: string;
  args: string[];
  input?: string;
  /** Expected refusal for the `edit` and the namespace `admin` identity. */
  edit: Refusal;
  admin: Refusal;
}

const allowAll = (name: string, selector: object) => JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name }, spec: { podSelector: selector, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] } });

const BYPASSES: Bypass[] = [
  { name: 'remove the quarantine label', args: ['label', 'pod', '{pod}', 'kustody.io/quarantine-'], edit: 'guard', admin: 'guard' },
  { name: 'change the quarantine label', args: ['label', 'pod', '{pod}', 'kustody.io/quarantine=other', '--overwrite'], edit: 'guard', admin: 'guard' },
  { name: 'put back the label the detach removed (an allow policy selects it)', args: ['label', 'pod', '{pod}', 'app=web'], edit: 'guard', admin: 'guard' },
  { name: 'write a kustody annotation', args: ['annotate', 'pod', '{pod}', 'kustody.io/case=forged'], edit: 'guard', admin: 'guard' },
  { name: 'swap the container image (restarts it, destroying memory)', args: ['set', 'image', 'pod/{pod}', 'web=lab.local/pause:1'], edit: 'guard', admin: 'guard' },
  { name: 'patch the quarantine NetworkPolicy to select nothing', args: ['patch', 'networkpolicy', '{np}', '--type=merge', '-p', '{"spec":{"podSelector":{"matchLabels":{"nothing":"here"}}}}'], edit: 'guard', admin: 'guard' },
  { name: 'delete the quarantine NetworkPolicy', args: ['delete', 'networkpolicy', '{np}', '--wait=false'], edit: 'guard', admin: 'guard' },
  { name: 'create an allow-all NetworkPolicy selecting every pod', args: ['apply', '-f', '-'], input: allowAll('open-everything', {}), edit: 'guard', admin: 'guard' },
  { name: 'create an allow-all NetworkPolicy selecting the quarantine label', args: ['apply', '-f', '-'], input: allowAll('open-quarantined', { matchExpressions: [{ key: 'kustody.io/quarantine', operator: 'Exists' }] }), edit: 'guard', admin: 'guard' },
  { name: 'port-forward into the pod', args: ['port-forward', 'pod/{pod}', ':8080'], edit: 'guard', admin: 'guard' },
  { name: 'exec into the pod', args: ['exec', '{pod}', '--', 'true'], edit: 'guard', admin: 'guard' },
  { name: 'attach to the pod', args: ['attach', '{pod}', '-c', 'web', '--quiet'], edit: 'guard', admin: 'guard' },
  // Neither edit nor admin may add ephemeral containers (Kubernetes 1.35); the guard refuses them too (see the cluster-admin test below).
  { name: 'debug the pod (ephemeral container)', args: ['debug', '{pod}', '--image=lab.local/busybox:1.35', '--image-pull-policy=Never', '--attach=false', '--', 'true'], edit: 'rbac', admin: 'rbac' },
  { name: 'proxy HTTP to the pod through the API server', args: ['get', '--raw', '/api/v1/namespaces/{ns}/pods/{pod}:8080/proxy/'], edit: 'guard', admin: 'guard' },
  // The API server's proxy reaches pods past kube-router's policy; `backdoor` is a Service the intruder made to select the pod.
  { name: 'proxy HTTP to the pod through a Service selecting it', args: ['get', '--raw', '/api/v1/namespaces/{ns}/services/backdoor:8080/proxy/'], edit: 'guard', admin: 'guard' },
  { name: 'evict the pod', args: ['create', '--raw', '/api/v1/namespaces/{ns}/pods/{pod}/eviction', '-f', '-'], input: '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"{pod}","namespace":"{ns}"}}', edit: 'guard', admin: 'guard' },
  { name: 'delete the pod', args: ['delete', 'pod', '{pod}', '--wait=false'], edit: 'guard', admin: 'guard' },
  { name: 'delete the guard policy (cluster-scoped: no namespace role reaches it)', args: ['delete', 'validatingadmissionpolicy', '{guard}', '--wait=false'], edit: 'rbac', admin: 'rbac' },
  { name: 'patch the guard policy', args: ['patch', 'validatingadmissionpolicy', '{guard}', '--type=merge', '-p', '{"spec":{"failurePolicy":"Ignore"}}'], edit: 'rbac', admin: 'rbac' },
  { name: 'delete the guard binding', args: ['delete', 'validatingadmissionpolicybinding', '{guard}', '--wait=false'], edit: 'rbac', admin: 'rbac' },
  { name: 'patch the guard binding to audit only', args: ['patch', 'validatingadmissionpolicybinding', '{guard}', '--type=merge', '-p', '{"spec":{"validationActions":["Audit"]}}'], edit: 'rbac', admin: 'rbac' },
];

async function shopNamespace(t: TestContext, lab: LabEnv, prefix: string, guards: () => string[]): Promise<string> {
  const ns = `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
  await applyScenario('shop', ns);
  t.after(async () => {
    for (const guard of guards()) await kubectl(lab, 'admin', ['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', guard, '--ignore-not-found']);
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  return ns;
}

/** Runs the lab's kubectl as the identity behind `kubeconfig`; a command still running after `timeout` (a port-forward let through) counts as let through. */
async function asIdentity(lab: LabEnv, kubeconfig: string, ns: string, args: string[], input?: string): Promise<{ exitCode: number; stderr: string; stdout: string }> {
  const run = await execa(lab.kubectl, ['--kubeconfig', kubeconfig, '-n', ns, ...args], { reject: false, timeout: 20_000, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) });
  return { exitCode: run.timedOut ? 0 : run.exitCode ?? -1, stderr: run.timedOut ? `still running after 20 s (let through): ${run.stderr}` : run.stderr, stdout: run.stdout };
}

/** Whether `check` passes within 15 s: the API server drops a deleted admission policy from its cache shortly after the delete. */
async function within15s(check: () => Promise<boolean>): Promise<boolean> {
  return withinSeconds(15, check);
}

async function within30s(check: () => Promise<boolean>): Promise<boolean> {
  return withinSeconds(30, check);
}

async function withinSeconds(seconds: number, check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < seconds; i += 1) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

const fill = (text: string, values: Record<string, string>) => text.replace(/\{(pod|ns|np|guard)\}/g, (_m, key: string) => values[key] ?? '');

test('an attacker holding edit or admin in the namespace cannot undo a guarded quarantine by any known way; the pod stays cut off; release undoes it all', { timeout: 420_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const names = { policy: '', guard: '' };
  const ns = await shopNamespace(t, lab, 'guard-atk', () => (names.guard === '' ? [] : [names.guard]));
  const pod = (await kubectl(lab, 'admin', ['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout.trim();
  Object.assign(names, isolationNames(created.id, pod));
  const identities = { edit: await namespaceRoleIdentity(lab, dir, ns, 'intruder-edit', 'edit'), admin: await namespaceRoleIdentity(lab, dir, ns, 'intruder-admin', 'admin') };
  const ip = (await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, pod, '-o', 'jsonpath={.status.podIP}'])).stdout.trim();
  const reaches = async () => (await kubectl(lab, 'admin', ['exec', '-n', ns, 'client', '--', 'timeout', '2', 'wget', '-qO-', `http://${ip}:8080/`], { timeout: 10_000 })).exitCode === 0;
  assert.equal(await reaches(), true, 'the client reaches web before isolation');

  const isolated = await runKustody(['isolate', `${ns}/${pod}`, '--case', created.path, '--detach', '--guard', '--yes', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(isolated.exitCode, 0, isolated.stdout + isolated.stderr);
  const report = (JSON.parse(isolated.stdout) as { report: string[] }).report.join('\n');
  for (const limit of [/responder identity/, /cannot protect itself/, /node-level actors/]) assert.match(report, limit);
  const warnings = (await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicy', names.guard, '-o', 'jsonpath={.status.typeChecking.expressionWarnings}'])).stdout;
  assert.equal(warnings, '', `the guard's CEL does not type-check cleanly: ${warnings}`);
  let cut = false;
  for (let i = 0; i < 10 && !cut; i += 1) {
    cut = !(await reaches());
    if (!cut) await new Promise((r) => setTimeout(r, 2000));
  }
  assert.equal(cut, true, 'the client still reaches the isolated pod after 20 s');

  // Control: the same identities still act on the other pods of the namespace, so each refusal below is the guard's.
  for (const kubeconfig of Object.values(identities)) assert.equal((await asIdentity(lab, kubeconfig, ns, ['exec', 'client', '--', 'true'])).exitCode, 0, 'the intruder cannot exec into an unguarded pod: the control is broken');
  const backdoor = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'backdoor' }, spec: { selector: { 'kustody.io/quarantine': created.id }, ports: [{ port: 8080, targetPort: 8080 }] } };
  assert.equal((await asIdentity(lab, identities.edit, ns, ['apply', '-f', '-'], JSON.stringify(backdoor))).exitCode, 0, 'the intruder cannot create a Service (the backdoor row would prove nothing)');
  const values = { pod, ns, np: names.policy, guard: names.guard };
  const letThrough: string[] = [];
  for (const bypass of BYPASSES) {
    for (const who of ['edit', 'admin'] as const) {
      const run = await asIdentity(lab, identities[who], ns, bypass.args.map((a) => fill(a, values)), bypass.input === undefined ? undefined : fill(bypass.input, values));
      const expected = bypass[who];
      const byGuard = /kustody case|ValidatingAdmissionPolicy '?kustody-guard/.test(run.stderr);
      const byRbac = /forbidden/i.test(run.stderr) && !byGuard;
      if (run.exitCode === 0 || (expected === 'guard' ? !byGuard : !byRbac)) letThrough.push(`${who}: ${bypass.name} (exit ${run.exitCode}, expected refusal by ${expected}): ${run.stderr.slice(0, 300)}`);
    }
  }
  assert.deepEqual(letThrough, [], 'bypasses not refused as expected');
  // The guard holds only this pod: the rest of the namespace works as before (labels, deletes without a subresource).
  assert.equal((await asIdentity(lab, identities.edit, ns, ['label', 'pod', 'client', 'probe=1'])).exitCode, 0, 'the guard blocks labelling another pod');
  const other = await asIdentity(lab, identities.edit, ns, ['delete', 'pod', '-l', 'app=web', '--wait=false']);
  assert.equal(other.exitCode, 0, `the guard blocks deleting another pod: ${other.stderr}`);

  const labels = JSON.parse((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, pod, '-o', 'jsonpath={.metadata.labels}'])).stdout) as Record<string, string>;
  assert.deepEqual(labels, { 'kustody.io/quarantine': created.id }, 'the pod is not labelled as isolate left it');
  const selector = JSON.parse((await kubectl(lab, 'admin', ['get', 'networkpolicy', '-n', ns, names.policy, '-o', 'jsonpath={.spec}'])).stdout) as Record<string, unknown>;
  assert.deepEqual(selector, { podSelector: { matchLabels: { 'kustody.io/quarantine': created.id } }, policyTypes: ['Ingress', 'Egress'] });
  assert.equal((await kubectl(lab, 'admin', ['get', 'networkpolicies', '-n', ns, '-o', 'name'])).stdout.trim(), `networkpolicy.networking.k8s.io/${names.policy}`, 'an attacker\'s NetworkPolicy was created');
  for (let i = 0; i < 3; i += 1) assert.equal(await reaches(), false, 'the client reaches the quarantined pod after the attacks');

  const released = await runKustody(['release', `${ns}/${pod}`, '--case', created.path, '--yes', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(released.exitCode, 0, released.stdout + released.stderr);
  assert.equal((await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicy,validatingadmissionpolicybinding', names.guard, '--ignore-not-found', '-o', 'name'])).stdout.trim(), '', 'release left the guard');
  assert.equal((await kubectl(lab, 'admin', ['get', 'networkpolicies', '-n', ns, '-o', 'name'])).stdout.trim(), '', 'release left the quarantine policy');
  const restored = JSON.parse((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, pod, '-o', 'jsonpath={.metadata.labels}'])).stdout) as Record<string, string>;
  assert.equal(restored.app, 'web');
  assert.equal(restored['kustody.io/quarantine'], undefined);
  assert.ok(await within15s(async () => (await asIdentity(lab, identities.edit, ns, ['exec', pod, '--', 'true'])).exitCode === 0), 'the released pod is still locked 15 s after release');
});

test('once kustody deletes the quarantined pod, its guard and policy are gone and a new pod with the same name is not locked', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const names = isolationNames(created.id, 'suspect');
  const ns = await shopNamespace(t, lab, 'guard-new', () => [names.guard]);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const isolated = await runKustody(['isolate', `${ns}/suspect`, '--case', created.path, '--guard', '--yes'], { env });
  assert.equal(isolated.exitCode, 0, isolated.stdout + isolated.stderr);
  // cluster-admin holds every RBAC right: what refuses it here is the guard alone. The API server loads a new
  // admission policy from its informer a moment after it is created, so the first refusal is awaited (bounded).
  const refusedExec = await within30s(async () => /kustody case/.test((await kubectl(lab, 'admin', ['-n', ns, 'exec', 'suspect', '--', 'true'])).stderr));
  assert.ok(refusedExec, 'cluster-admin could still exec the quarantined pod 30 s after isolate --guard');
  for (const args of [['exec', 'suspect', '--', 'true'], ['debug', 'suspect', '--image=lab.local/busybox:1.35', '--image-pull-policy=Never', '--attach=false', '--', 'true']]) {
    const run = await kubectl(lab, 'admin', ['-n', ns, ...args]);
    assert.ok(run.exitCode !== 0 && /kustody case/.test(run.stderr), `cluster-admin could ${args[0]} the quarantined pod: ${run.stderr}`);
  }

  const revoked = await runKustody(['revoke', `${ns}/suspect`, '--case', created.path, '--delete-pod', '--allow-uncaptured', '--yes', '--json'], { env });
  assert.equal(revoked.exitCode, 0, revoked.stdout + revoked.stderr);
  const revocation = JSON.parse(revoked.stdout) as { changes: Array<{ id: string; status: string }>; report: string[] };
  const ids = revocation.changes.map((c) => [c.id, c.status]);
  t.diagnostic(revocation.report.join(' | '));
  assert.deepEqual(ids, [['delete-pod', 'applied'], ['remove-guard-binding', 'applied'], ['remove-guard-policy', 'applied'], ['remove-quarantine-policy', 'applied']]);
  assert.equal((await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicy,validatingadmissionpolicybinding', names.guard, '--ignore-not-found', '-o', 'name'])).stdout.trim(), '', 'the guard outlived its pod');
  assert.equal((await kubectl(lab, 'admin', ['get', 'networkpolicies', '-n', ns, '-o', 'name'])).stdout.trim(), '', 'the quarantine policy outlived its pod');

  const fresh = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'suspect', namespace: ns, labels: { app: 'suspect' } }, spec: { terminationGracePeriodSeconds: 1, automountServiceAccountToken: false, containers: [{ name: 'main', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never', command: ['sleep', '3600'] }] } };
  assert.equal((await kubectl(lab, 'admin', ['create', '-f', '-'], { input: JSON.stringify(fresh) })).exitCode, 0);
  assert.equal((await kubectl(lab, 'admin', ['wait', '-n', ns, '--for=condition=Ready', 'pod/suspect', '--timeout=60s'])).exitCode, 0);
  const released = await runKustody(['release', `${ns}/suspect`, '--case', created.path, '--yes', '--json'], { env });
  assert.equal(released.exitCode, 0, `release refuses with a same-name pod present: ${released.stdout}${released.stderr}`);
  assert.match(released.stdout, /is a new object/);
  const after = JSON.parse((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'suspect', '-o', 'jsonpath={.metadata.labels}'])).stdout) as Record<string, string>;
  assert.deepEqual(after, { app: 'suspect' }, 'release touched the new pod');
  assert.ok(await within15s(async () => (await kubectl(lab, 'admin', ['exec', '-n', ns, 'suspect', '--', 'true'])).exitCode === 0), 'exec into the new pod is refused');
  assert.equal((await kubectl(lab, 'admin', ['delete', 'pod', '-n', ns, 'suspect', '--wait=true', '--timeout=60s'])).exitCode, 0, 'deleting the new pod is refused');
});

test('a pod deleted outside kustody and recreated under its name: release leaves the new pod alone and still removes the guard that held it', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const names = isolationNames(created.id, 'suspect');
  const ns = await shopNamespace(t, lab, 'guard-rel', () => [names.guard]);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const isolated = await runKustody(['isolate', `${ns}/suspect`, '--case', created.path, '--guard', '--yes'], { env });
  assert.equal(isolated.exitCode, 0, isolated.stdout + isolated.stderr);
  // The responder deletes it with kubectl (the guard lets the responder, then the kubelet, through); kustody is not told.
  assert.equal((await kubectl(lab, 'responder', ['delete', 'pod', '-n', ns, 'suspect', '--wait=true', '--timeout=60s'])).exitCode, 0);
  const fresh = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'suspect', namespace: ns, labels: { app: 'suspect' } }, spec: { terminationGracePeriodSeconds: 1, automountServiceAccountToken: false, containers: [{ name: 'main', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never', command: ['sleep', '3600'] }] } };
  assert.equal((await kubectl(lab, 'admin', ['create', '-f', '-'], { input: JSON.stringify(fresh) })).exitCode, 0);
  assert.equal((await kubectl(lab, 'admin', ['wait', '-n', ns, '--for=condition=Ready', 'pod/suspect', '--timeout=60s'])).exitCode, 0);
  // By uid, the new pod's labels are not frozen; exec is matched by name (documented) until release.
  assert.equal((await kubectl(lab, 'admin', ['label', 'pod', '-n', ns, 'suspect', 'probe=1'])).exitCode, 0, 'the guard froze the labels of a different pod');
  assert.notEqual((await kubectl(lab, 'admin', ['exec', '-n', ns, 'suspect', '--', 'true'])).exitCode, 0, 'exec is matched by name: expected refused until release');

  const released = await runKustody(['release', `${ns}/suspect`, '--case', created.path, '--yes', '--json'], { env });
  assert.equal(released.exitCode, 0, `release refuses with a same-name pod present: ${released.stdout}${released.stderr}`);
  assert.match(released.stdout, /is a new object/);
  assert.equal((await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicy,validatingadmissionpolicybinding', names.guard, '--ignore-not-found', '-o', 'name'])).stdout.trim(), '', 'release left the guard');
  assert.equal((await kubectl(lab, 'admin', ['get', 'networkpolicies', '-n', ns, '-o', 'name'])).stdout.trim(), '', 'release left the quarantine policy');
  const after = JSON.parse((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'suspect', '-o', 'jsonpath={.metadata.labels}'])).stdout) as Record<string, string>;
  assert.deepEqual(after, { app: 'suspect', probe: '1' }, 'release touched the new pod');
  assert.ok(await within15s(async () => (await kubectl(lab, 'admin', ['exec', '-n', ns, 'suspect', '--', 'true'])).exitCode === 0), 'the new pod is still locked 15 s after release');
});
