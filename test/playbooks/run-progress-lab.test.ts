// Headless `run` against the lab: the plan is printed before any step acts, each step says when it
// starts, a long wait (a pod that by construction takes its whole 20 s grace period to go) is reported
// again while it lasts with what it waits for, elapsed and timeout, and a failed dry run's hints are true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, REPO_ROOT, runKustody } from '../helpers/cli.js';
import { applyAsAdmin, kubectl, type LabEnv, requireLab } from '../helpers/lab.js';

const PLAYBOOK = join(REPO_ROOT, 'test', 'playbooks', 'fixtures', 'long-wait.yaml');

/** A namespace with a pod whose PID 1 ignores SIGTERM and which keeps 20 s of grace: once deleted it stays terminating until the kubelet kills it. */
async function stubbornPod(t: { after: (fn: () => Promise<void>) => void }, lab: LabEnv): Promise<{ ns: string; uid: string }> {
  const ns = `tl-prog-${Math.random().toString(36).slice(2, 7)}`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'pod', '-n', ns, 'stubborn', '--grace-period=0', '--force', '--ignore-not-found']);
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stubborn', namespace: ns },
    spec: {
      terminationGracePeriodSeconds: 20, automountServiceAccountToken: false,
      containers: [{ name: 'app', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never', command: ['sleep', '100000'] }],
    },
  };
  const applied = await applyAsAdmin(lab, pod);
  assert.equal(applied.exitCode, 0, applied.stderr);
  const ready = await kubectl(lab, 'admin', ['wait', '-n', ns, '--for=condition=Ready', 'pod/stubborn', '--timeout=120s'], { timeout: 130_000 });
  assert.equal(ready.exitCode, 0, ready.stderr);
  const uid = (await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'stubborn', '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();
  return { ns, uid };
}

test('run prints the plan first, a start line per step, and repeats a long wait (the pod\'s deletion) with what, elapsed and timeout', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { ns, uid } = await stubbornPod(t, lab);
  const token = await kubectl(lab, 'admin', ['create', 'token', 'default', '-n', ns, '--bound-object-kind', 'Pod', '--bound-object-name', 'stubborn', '--bound-object-uid', uid, '--duration', '10m']);
  assert.equal(token.exitCode, 0, token.stderr);
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const tokenFile = join(dir, 'bound.jwt');
  writeFileSync(tokenFile, token.stdout.trim(), { mode: 0o600 });
  const created = await newCase(dir);
  const run = await runKustody(['run', PLAYBOOK, '--target', `${ns}/stubborn`, '--token-file', tokenFile, '--case', created.path, '--yes'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const lines = run.stdout.split('\n');
  const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
  // The plan, with every step, comes before the first step starts.
  const plan = at(/^Plan \(2 steps\):$/);
  assert.ok(plan >= 0, run.stdout);
  assert.ok(at(/^ {2}1\. capture +observe +Capture the pod$/) > plan);
  assert.ok(at(/^ {2}2\. revoke +revoke +Delete the pod and prove its token dead +\(asks for confirmation \(--yes\)\)$/) > plan);
  const captureStart = at(/^\[1\/2\] capture +started: Capture the pod$/);
  assert.ok(captureStart > at(/^ {2}2\. revoke/), 'a step started before the plan was printed');
  assert.ok(at(/^\[2\/2\] revoke +started: /) > captureStart);
  // The deletion: the pod ignores SIGTERM, so it lasts the whole 20 s grace period; announced, then reported again while it lasts.
  const gone = new RegExp(`^\\[2/2\\] revoke +(still running \\(\\d+ s\\): )?waiting for Pod ${ns}/stubborn to be gone: (\\d+) s elapsed, timeout 90 s$`);
  const waits = lines.map((l) => gone.exec(l)).filter((m) => m !== null);
  assert.ok(waits.some((m) => m[2] === '0'), `no announcement of the wait:\n${run.stdout}`);
  const repeated = waits.filter((m) => Number(m[2]) >= 5);
  assert.ok(repeated.length >= 1, `the wait was never reported again:\n${run.stdout}`);
  // The TokenReview poll is announced with its own timeout.
  assert.ok(at(/^\[2\/2\] revoke +waiting for TokenReview to reject 1 token\(s\): 0 s elapsed, timeout 12 s$/) > at(gone), run.stdout);
  assert.match(run.stdout, /\[2\/2\] revoke +done /);
});

test('a failed dry run suggests running the dry run again, never --resume or --debug', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `tl-dry-${Math.random().toString(36).slice(2, 7)}`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  // No such pod: the capture reads nothing and fails.
  const run = await runKustody(['run', PLAYBOOK, '--target', `${ns}/missing`, '--case', created.path, '--dry-run'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /^Plan \(2 steps\):$/m);
  assert.match(run.stdout, /\[1\/2\] capture +FAILED /);
  assert.match(run.stdout, /run the dry run again/);
  assert.doesNotMatch(run.stdout + run.stderr, /--resume|--debug/);
});
