import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { KUSTODY_BIN, makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyScenario, kubectl, requireLab, type LabEnv } from '../helpers/lab.js';

const IMAGE = ['--collector-image', 'lab.local/busybox:1.35', '--collector-pull-policy', 'Never', '--yes'];

function query(db: string, sql: string): string[][] {
  return execFileSync('sqlite3', ['-separator', '\t', db, sql], { encoding: 'utf8' }).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

async function scenarioNamespace(t: import('node:test').TestContext, lab: LabEnv, prefix: string): Promise<string> {
  const ns = `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
  await applyScenario('shop', ns);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  return ns;
}

/** A ServiceAccount bound to the built-in `edit` ClusterRole in `namespace`, plus ephemeral containers (which `edit` lacks), and a kubeconfig for it. */
async function editIdentity(lab: LabEnv, dir: string, namespace: string, name: string): Promise<string> {
  const subjects = [{ kind: 'ServiceAccount', name, namespace }];
  const manifest = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: `${name}-debug`, namespace }, rules: [{ apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['get', 'patch', 'update'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${name}-debug`, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${name}-debug` }, subjects },
  ];
  const applied = await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: manifest.map((m) => JSON.stringify(m)).join('\n---\n') });
  if (applied.exitCode !== 0) throw new Error(applied.stderr);
  const token = (await kubectl(lab, 'admin', ['create', 'token', name, '-n', namespace, '--duration', '10m'])).stdout.trim();
  const admin = JSON.parse((await kubectl(lab, 'admin', ['config', 'view', '--raw', '-o', 'json'])).stdout) as { clusters: Array<{ cluster: Record<string, string> }> };
  const config = { apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'lab', cluster: admin.clusters[0]?.cluster ?? {} }], users: [{ name, user: { token } }], contexts: [{ name, context: { cluster: 'lab', user: name } }], 'current-context': name };
  const path = join(dir, `${namespace}-${name}.kubeconfig`);
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}

async function as(lab: LabEnv, kubeconfig: string, args: readonly string[]): Promise<{ exitCode: number; out: string }> {
  const run = await execa(lab.kubectl, ['--kubeconfig', kubeconfig, ...args], { reject: false, stdin: 'ignore', timeout: 30_000 });
  return { exitCode: run.exitCode ?? -1, out: `${run.stdout}\n${run.stderr}` };
}

test('a node capture runs its collector in kustody-system (created on first use), with a deadline, and reads back that the pod and its guard are gone', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await scenarioNamespace(t, lab, 'colf');
  // A namespace of this test's own stands in for kustody-system, so its creation on first use is seen every time.
  const collectorNs = `colf-sys-${Math.random().toString(36).slice(2, 7)}`;
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', collectorNs, '--wait=false']);
  });
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const db = join(created.path, 'evidence.db');
  const run = await runKustody(['capture', 'pod', `${ns}/suspect`, '--case', created.path, '--via', 'node', '--collector-namespace', collectorNs, '--json', ...IMAGE], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { vantage: string; footprint: Array<Record<string, string>>; notes: string[] };
  assert.equal(summary.vantage, 'node');
  // Nothing of kustody's in the suspect's namespace.
  assert.equal((await kubectl(lab, 'admin', ['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/managed-by=kustody', '-o', 'name'])).stdout.trim(), '');
  // The namespace was created through the Change runner and recorded.
  assert.deepEqual(query(db, `SELECT outcome FROM actions WHERE kind = 'footprint' AND target = 'Namespace ${collectorNs}' ORDER BY seq`), [['intent'], ['applied']]);
  const labels = JSON.parse((await kubectl(lab, 'admin', ['get', 'namespace', collectorNs, '-o', 'jsonpath={.metadata.labels}'])).stdout) as Record<string, string>;
  assert.equal(labels['app.kubernetes.io/managed-by'], 'kustody');
  // The pod as the API server created it: in that namespace, with a deadline, a command that ends, the guard before it.
  const applied = query(db, `SELECT target, json_extract(detail, '$.after') FROM actions WHERE kind = 'footprint' AND outcome = 'applied' AND json_extract(detail, '$.plan') = 'collector' ORDER BY seq`);
  assert.deepEqual(applied.map(([target]) => target?.split(' ')[0]), ['Namespace', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'Pod', 'Pod', 'ValidatingAdmissionPolicyBinding', 'ValidatingAdmissionPolicy']);
  const pod = JSON.parse(applied[3]?.[1] ?? '{}') as { metadata: { namespace: string; name: string }; spec: { activeDeadlineSeconds: number; containers: Array<{ command: string[] }> } };
  assert.equal(pod.metadata.namespace, collectorNs);
  assert.ok(pod.spec.activeDeadlineSeconds > 0 && pod.spec.activeDeadlineSeconds <= 300, String(pod.spec.activeDeadlineSeconds));
  assert.notDeepEqual(pod.spec.containers[0]?.command, ['sleep', '900']);
  // Deleted, and read back as gone: by kustody (in the footprint) and by the admin now.
  const gone = summary.footprint.filter((f) => f.status === 'deleted and gone (read back)').map((f) => f.kind).sort();
  assert.deepEqual(gone, ['Pod', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'], JSON.stringify(summary.footprint));
  assert.match((await kubectl(lab, 'admin', ['get', 'pod', '-n', collectorNs, pod.metadata.name])).stderr, /NotFound/);
  assert.match((await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicy', `kustody-guard-${pod.metadata.name}`])).stderr, /NotFound/);
  assert.ok(summary.notes.some((n) => n.startsWith('UNPINNED collector image lab.local/busybox:1.35') && n.includes('the runtime ran')), summary.notes.join('; '));
});

test('a collector left by a killed kustody is guarded against edit identities and removed by cleanup --case', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await scenarioNamespace(t, lab, 'colk');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const db = join(created.path, 'evidence.db');
  const child = execa(process.execPath, [KUSTODY_BIN, 'capture', 'pod', `${ns}/suspect`, '--case', created.path, '--via', 'node', ...IMAGE], { env: { KUBECONFIG: lab.responderKubeconfig }, reject: false, stdin: 'ignore' });
  // The pod's creation is read back and recorded before kustody waits for it to run: stop kustody
  // there, and kill it (SIGKILL) once the pod runs, as a crash or an OOM kill would.
  let podName = '';
  for (let i = 0; i < 1200 && podName === '' && child.exitCode === null; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      podName = query(db, "SELECT json_extract(detail, '$.change.target.name') FROM actions WHERE kind = 'footprint' AND outcome = 'applied' AND json_extract(detail, '$.change_id') = 'collector-pod'")[0]?.[0] ?? '';
    } catch {
      // The case database is busy with kustody's own write: read again.
    }
  }
  child.kill(podName === '' ? 'SIGKILL' : 'SIGSTOP');
  assert.notEqual(podName, '', 'the collector pod was never created');
  t.after(async () => {
    // The guard first: while it stands, it refuses the admin's delete too.
    await kubectl(lab, 'admin', ['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', `kustody-guard-${podName}`]);
    await kubectl(lab, 'admin', ['delete', 'pod', '-n', 'kustody-system', podName, '--wait=false']);
  });
  const phase = await kubectl(lab, 'admin', ['wait', '-n', 'kustody-system', `pod/${podName}`, '--for=jsonpath={.status.phase}=Running', '--timeout=60s']);
  child.kill('SIGKILL');
  await child;
  assert.equal(phase.exitCode, 0, phase.stderr);

  // While it runs, identities with `edit` (in kustody-system, or in the suspect's namespace) cannot use or remove it.
  const who = `colk-${Math.random().toString(36).slice(2, 7)}`;
  const inSystem = await editIdentity(lab, dir, 'kustody-system', who);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'rolebinding,serviceaccount', who, '-n', 'kustody-system']);
    await kubectl(lab, 'admin', ['delete', 'rolebinding,role', `${who}-debug`, '-n', 'kustody-system']);
  });
  const inSuspect = await editIdentity(lab, dir, ns, who);
  const attempts: Array<[string, string[]]> = [
    ['exec', ['exec', '-n', 'kustody-system', podName, '--', 'true']],
    ['attach', ['attach', '-n', 'kustody-system', podName]],
    ['port-forward', ['port-forward', '-n', 'kustody-system', `pod/${podName}`, '0:80', '--pod-running-timeout=5s']],
    ['proxy', ['get', '--raw', `/api/v1/namespaces/kustody-system/pods/${podName}/proxy/`]],
    ['debug', ['debug', '-n', 'kustody-system', podName, '--image', 'lab.local/busybox:1.35', '--image-pull-policy', 'Never', '--', 'true']],
    ['patch', ['patch', 'pod', '-n', 'kustody-system', podName, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/containers/0/image","value":"lab.local/busybox:evil"}]']],
    ['label', ['label', 'pod', '-n', 'kustody-system', podName, 'x=y']],
    ['delete', ['delete', 'pod', '-n', 'kustody-system', podName, '--wait=false']],
    ['evict', ['create', '-n', 'kustody-system', '--raw', `/api/v1/namespaces/kustody-system/pods/${podName}/eviction`, '-f', '-']],
  ];
  for (const [identity, kubeconfig, refusal] of [['edit in kustody-system', inSystem, /only the responder may use it/], ['edit in the suspect namespace', inSuspect, /forbidden/i]] as const) {
    for (const [what, args] of attempts) {
      const run = what === 'evict'
        ? await execa(lab.kubectl, ['--kubeconfig', kubeconfig, ...args], { reject: false, input: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: podName, namespace: 'kustody-system' } }), timeout: 30_000 }).then((r) => ({ exitCode: r.exitCode ?? -1, out: `${r.stdout}\n${r.stderr}` }))
        : await as(lab, kubeconfig, args);
      assert.notEqual(run.exitCode, 0, `${identity}: ${what} was allowed: ${run.out}`);
      assert.match(run.out, refusal, `${identity}: ${what}`);
    }
  }
  const still = await kubectl(lab, 'admin', ['get', 'pod', '-n', 'kustody-system', podName, '-o', 'jsonpath={.status.phase} {.spec.containers[0].image}']);
  assert.equal(still.stdout, 'Running lab.local/busybox:1.35');

  // release of the suspect plans the same removal (dry run: nothing changes).
  const release = await runKustody(['release', `${ns}/suspect`, '--case', created.path, '--dry-run', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(release.exitCode, 0, release.stdout + release.stderr);
  assert.deepEqual((JSON.parse(release.stdout) as { changes: Array<{ title: string }> }).changes.map((c) => c.title.split(' ').slice(0, 2).join(' ')), ['Delete Pod', 'Delete ValidatingAdmissionPolicyBinding', 'Delete ValidatingAdmissionPolicy']);
  // cleanup: a dry run and an unconfirmed run change nothing; --yes removes the pod and its guard, read back.
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const dry = await runKustody(['cleanup', '--case', created.path, '--dry-run', '--json'], { env });
  assert.equal(dry.exitCode, 0, dry.stderr);
  assert.deepEqual((JSON.parse(dry.stdout) as { changes: Array<{ status: string }> }).changes.map((c) => c.status), ['planned', 'planned', 'planned']);
  assert.equal((await runKustody(['cleanup', '--case', created.path], { env })).exitCode, 1);
  assert.equal((await kubectl(lab, 'admin', ['get', 'pod', '-n', 'kustody-system', podName, '-o', 'name'])).exitCode, 0);
  const done = await runKustody(['cleanup', '--case', created.path, '--yes', '--json'], { env });
  assert.equal(done.exitCode, 0, done.stdout + done.stderr);
  assert.deepEqual((JSON.parse(done.stdout) as { changes: Array<{ status: string }> }).changes.map((c) => c.status), ['applied', 'applied', 'applied']);
  assert.match((await kubectl(lab, 'admin', ['get', 'pod', '-n', 'kustody-system', podName])).stderr, /NotFound/);
  assert.match((await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicy', `kustody-guard-${podName}`])).stderr, /NotFound/);
  const again = await runKustody(['cleanup', '--case', created.path, '--yes', '--json'], { env });
  assert.equal((JSON.parse(again.stdout) as { status: string }).status, 'nothing-to-do');
  assert.equal(query(db, "SELECT count(*) FROM actions WHERE kind = 'footprint' AND outcome = 'applied' AND json_extract(detail, '$.plan') = 'cleanup'")[0]?.[0], '3');
});

test('a collector pod kustody cannot delete is reported still present with the command that removes it, and cleanup --case removes it once the obstacle is gone', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await scenarioNamespace(t, lab, 'colp');
  const collectorNs = `colp-sys-${Math.random().toString(36).slice(2, 7)}`;
  const obstacle = `${collectorNs}-no-delete`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', collectorNs])).exitCode, 0);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', obstacle, '--ignore-not-found']);
    await kubectl(lab, 'admin', ['delete', 'namespace', collectorNs, '--wait=false']);
  });
  // The obstacle: an admission policy (this test's, not kustody's) refusing every pod deletion in the collector's namespace.
  const policy = [
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: obstacle }, spec: { failurePolicy: 'Fail', matchConstraints: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': collectorNs } }, resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['pods'] }] }, validations: [{ expression: 'false', message: 'test obstacle: pod deletion refused here' }] } },
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: obstacle }, spec: { policyName: obstacle, validationActions: ['Deny'] } },
  ];
  assert.equal((await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: policy.map((m) => JSON.stringify(m)).join('\n---\n') })).exitCode, 0);
  const canary = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'canary', namespace: collectorNs }, spec: { nodeName: 'no-such-node', containers: [{ name: 'c', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never' }] } });
  assert.equal((await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: canary })).exitCode, 0);
  // The API server loads a new admission policy shortly after it is created: wait until it refuses (bounded).
  const deleteRefused = async (): Promise<boolean> => (await kubectl(lab, 'responder', ['delete', 'pod', '-n', collectorNs, 'canary', '--dry-run=server'])).stderr.includes('test obstacle');
  for (let i = 0; i < 60 && !(await deleteRefused()); i += 1) await new Promise((resolve) => setTimeout(resolve, 500));
  assert.ok(await deleteRefused(), 'the obstacle policy never took effect');

  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const run = await runKustody(['capture', 'pod', `${ns}/suspect`, '--case', created.path, '--via', 'node', '--collector-namespace', collectorNs, '--json', ...IMAGE], { env });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const summary = JSON.parse(run.stdout) as { footprint: Array<Record<string, string>> };
  const pod = summary.footprint.find((f) => f.kind === 'Pod' && f.status !== undefined);
  assert.ok(pod !== undefined, JSON.stringify(summary.footprint));
  assert.match(pod.status ?? '', /^still present \(.*test obstacle/, JSON.stringify(pod));
  assert.match(pod.remove ?? '', new RegExp(`kubectl delete pod -n ${collectorNs} ${pod.name}.*kustody cleanup --case`), JSON.stringify(pod));
  assert.equal((await kubectl(lab, 'admin', ['get', 'pod', '-n', collectorNs, pod.name ?? '', '-o', 'name'])).exitCode, 0, 'the pod kustody says is present is not');
  // The capture's closing custody row carries the same account: the pod still present, with the refusal.
  const notes = JSON.parse(query(join(created.path, 'evidence.db'), "SELECT json_extract(detail, '$.notes') FROM actions WHERE json_extract(detail, '$.step') = 'capture-end'")[0]?.[0] ?? '[]') as string[];
  assert.ok(notes.some((n) => n.startsWith('footprint: ') && n.includes('"kind":"Pod"') && n.includes('still present') && n.includes('test obstacle')), notes.join('\n'));

  assert.equal((await kubectl(lab, 'admin', ['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', obstacle])).exitCode, 0);
  for (let i = 0; i < 60 && (await deleteRefused()); i += 1) await new Promise((resolve) => setTimeout(resolve, 500));
  const done = await runKustody(['cleanup', '--case', created.path, '--yes', '--json'], { env });
  assert.equal(done.exitCode, 0, done.stdout + done.stderr);
  assert.match((await kubectl(lab, 'admin', ['get', 'pod', '-n', collectorNs, pod.name ?? ''])).stderr, /NotFound/);
});
