// `kustody timeline` of a pod captured in the lab: process starts derived from the container's start,
// container start, Kubernetes events, object creation and stamped log lines, each pointing at its row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyAsAdmin, kubectl, requireLab } from '../helpers/lab.js';

type Line = { message: string; datetime: string; timestamp_desc: string; kustody_table: string; kustody_rowid: number; kustody_derived?: string };

test('a captured lab pod\'s timeline joins derived process starts, container start, events, object creation and log lines', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `tl-lab-${Math.random().toString(36).slice(2, 7)}`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tl', namespace: ns },
    spec: {
      terminationGracePeriodSeconds: 1, automountServiceAccountToken: false,
      containers: [{
        name: 'app', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never',
        // The late sleeper starts at least 3 s after the container's init: its derived start must show it.
        command: ['sh', '-c', 'echo "=cmd|calc \u001b]0;x\u0007"; sleep 3; sleep 100001 & touch /tmp/ready; wait'],
        readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 },
      }],
    },
  };
  const applied = await applyAsAdmin(lab, pod);
  assert.equal(applied.exitCode, 0, applied.stderr);
  const ready = await kubectl(lab, 'admin', ['wait', '-n', ns, '--for=condition=Ready', 'pod/tl', '--timeout=120s'], { timeout: 130_000 });
  assert.equal(ready.exitCode, 0, ready.stderr);
  const startedAt = (await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'tl', '-o', 'jsonpath={.status.containerStatuses[0].state.running.startedAt}'])).stdout.trim();

  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const capture = await runKustody(['capture', 'pod', `${ns}/tl`, '--case', created.path, '--via', 'exec', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(capture.exitCode, 0, capture.stdout + capture.stderr);
  const run = await runKustody(['timeline', created.path]);
  assert.equal(run.exitCode, 0, run.stderr);
  const lines = run.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
  for (const line of lines) {
    assert.ok(typeof line.message === 'string' && line.message !== '' && typeof line.timestamp_desc === 'string' && line.timestamp_desc !== '');
    assert.match(line.datetime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
  }
  const ms = (line: Line | undefined) => Date.parse(line?.datetime ?? '');
  const of = (desc: string, text: string) => lines.filter((l) => l.timestamp_desc === desc && l.message.includes(text));

  const container = of('Container start', `container app of pod ${ns}/tl started`);
  assert.equal(container.length, 1, JSON.stringify(container));
  assert.equal(ms(container[0]), Date.parse(startedAt), 'the container start is the Pod status\'s startedAt');
  assert.equal(of('Object created', `Pod ${ns}/tl created`).length, 1);
  assert.ok(of('Kubernetes event', 'Started').length >= 1, 'the kubelet\'s Started event is on the timeline');
  const log = of('Container log line', `app of ${ns}/tl: =cmd|calc`);
  assert.equal(log.length, 1, JSON.stringify(log));
  assert.ok(log[0]?.message.endsWith('=cmd|calc \u001b]0;x\u0007'), 'the JSON line carries the exact text');
  assert.ok(!run.stdout.includes('\u001b'), 'no raw ESC reaches stdout');

  const starts = JSON.stringify(lines.filter((l) => l.timestamp_desc === 'Process start').map((l) => [l.datetime, l.message]));
  const init = of('Process start', 'process 1 sh started');
  const sleeper = of('Process start', 'sleep started (ppid 1');
  assert.equal(init.length, 1, starts);
  assert.equal(sleeper.length, 1, starts);
  assert.match(sleeper[0]?.kustody_derived ?? '', /boot time not captured/);
  // Exact up to the tick: the sleeper started at least 3 s after the init (sleep 3), and before the capture ended.
  assert.ok(ms(sleeper[0]) - ms(init[0]) >= 3000, `${sleeper[0]?.datetime} is not 3 s after ${init[0]?.datetime}`);
  assert.ok(ms(init[0]) >= Date.parse(startedAt) && ms(init[0]) < Date.parse(startedAt) + 1000);
  const captureEnd = lines.find((l) => l.timestamp_desc === 'Custody action' && l.message.includes('step=capture-end'));
  assert.ok(ms(sleeper[0]) <= ms(captureEnd) + 1000, 'a process cannot start after the capture that read it ended');
});
