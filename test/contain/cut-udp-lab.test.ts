import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CASE_DB_FILE } from '../../src/adapters/store/case-store.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { lacks, needsRoot } from '../helpers/prerequisites.js';

// A C2 channel over UDP: a peer that answers every datagram, and a client on a connected UDP socket that
// redials (a new socket) whenever its socket fails. The lab's BusyBox has no UDP nc, so both ends are Node
// processes placed by nsenter into the two pods' network namespaces (the traffic is the pods', on the lab's
// bridge). With kube-router the answered flow is ASSURED in conntrack, and the deny-all policy leaves it
// flowing: this test shows that first, then that --cut-connections ends it.
const IMAGE = ['--collector-image', 'lab.local/netcut:1', '--collector-pull-policy', 'Never'];

const PEER = `const s = require('dgram').createSocket('udp4'); let n = 0;
s.on('message', (m, r) => { n += 1; require('fs').writeFileSync(process.env.COUNT + '.tmp', String(n)); require('fs').renameSync(process.env.COUNT + '.tmp', process.env.COUNT); s.send('ok', r.port, r.address); });
s.bind(9002);`;
const CLIENT = `const dgram = require('dgram');
function dial() {
  const s = dgram.createSocket('udp4');
  let timer;
  s.on('error', () => { clearInterval(timer); s.close(); setTimeout(dial, 300); });
  s.connect(9002, process.env.PEER, () => { timer = setInterval(() => s.send('x'), 100); });
}
dial();`;

function podYaml(ns: string, name: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: name } },
    spec: { terminationGracePeriodSeconds: 0, automountServiceAccountToken: false, containers: [{ name: 'main', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never', command: ['sleep', '100000'] }] },
  });
}

/** Starts the pod and returns its IP and the host PID of its container's first process (found by the container id in its cgroup). */
async function startPod(lab: LabEnv, ns: string, name: string): Promise<{ ip: string; pid: number }> {
  assert.equal((await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: podYaml(ns, name) })).exitCode, 0);
  const ready = await kubectl(lab, 'admin', ['wait', '-n', ns, '--for=condition=Ready', `pod/${name}`, '--timeout=90s']);
  assert.equal(ready.exitCode, 0, ready.stderr);
  const pod = JSON.parse((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, name, '-o', 'json'])).stdout) as { status: { podIP: string; containerStatuses: Array<{ containerID: string }> } };
  const cid = (pod.status.containerStatuses[0]?.containerID ?? '').replace(/^[a-z]+:\/\//, '');
  assert.match(cid, /^[0-9a-f]{64}$/);
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      if (readFileSync(join('/proc', entry, 'cgroup'), 'utf8').includes(cid)) return { ip: pod.status.podIP, pid: Number(entry) };
    } catch { /* the process ended */ }
  }
  throw new Error(`no process of ${ns}/${name} on this host`);
}

/** Runs a Node script in the network namespace of `pid`, stopped by its own PID when the test ends. */
function inNetns(t: TestContext, pid: number, script: string, env: Record<string, string>): number {
  const child = spawn('nsenter', ['-t', String(pid), '-n', process.execPath, '-e', script], { env: { ...process.env, ...env }, stdio: 'ignore' });
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  assert.ok(child.pid !== undefined);
  return child.pid;
}

function count(file: string): number {
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
}

async function growsWithin(file: string, seconds: number): Promise<boolean> {
  const start = count(file);
  for (let i = 0; i < seconds * 4; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (count(file) > start) return true;
  }
  return false;
}

test('an answered UDP flow survives the deny-all policy; isolate --cut-connections destroys the connected socket and the pod\'s flows, the redials get nothing through, and the processes keep running', { timeout: 300_000 }, async (t) => {
  if (lacks(t, needsRoot('to place the UDP ends in the pods\' network namespaces with nsenter'))) return;
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `netcut-udp-${Math.random().toString(36).slice(2, 7)}`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(async () => { await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']); });
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const server = await startPod(lab, ns, 'server');
  const suspect = await startPod(lab, ns, 'suspect');
  const received = join(dir, 'received');
  inNetns(t, server.pid, PEER, { COUNT: received });
  const client = inNetns(t, suspect.pid, CLIENT, { PEER: server.ip });
  assert.ok(await growsWithin(received, 60), 'the UDP exchange never started');

  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const capture = await runKustody(['capture', 'pod', `${ns}/suspect`, '--case', created.path, '--via', 'exec', '--json'], { env });
  assert.equal(capture.exitCode, 0, capture.stdout + capture.stderr);

  // The policy alone: kustody reports the connected UDP socket as surviving, and datagrams keep flowing.
  const isolated = await runKustody(['isolate', `${ns}/suspect`, '--case', created.path, '--yes', '--json'], { env });
  const isolatedResult = JSON.parse(isolated.stdout) as { status: string; surviving_connections: { established: Array<{ proto: string; remote_addr: string; remote_port: number }> } };
  assert.equal(isolatedResult.status, 'applied', isolated.stdout + isolated.stderr);
  assert.ok(isolatedResult.surviving_connections.established.some((c) => c.proto === 'udp' && c.remote_addr === server.ip && c.remote_port === 9002), isolated.stdout);
  assert.ok(await growsWithin(received, 10), 'the answered UDP flow stopped under the policy alone: this test no longer shows the gap it closes');

  const cut = await runKustody(['isolate', `${ns}/suspect`, '--case', created.path, '--cut-connections', ...IMAGE, '--yes', '--json'], { env });
  assert.equal(cut.exitCode, 0, cut.stdout + cut.stderr);
  const result = JSON.parse(cut.stdout) as { cut: { status: string; verdict: { cut: Array<{ proto: string; remote_port: number }>; remaining: unknown[]; conntrack_deleted: number } } };
  assert.equal(result.cut.status, 'cut', cut.stdout);
  assert.ok(result.cut.verdict.cut.some((c) => c.proto === 'udp' && c.remote_port === 9002), cut.stdout);
  assert.deepEqual(result.cut.verdict.remaining, []);
  assert.ok(result.cut.verdict.conntrack_deleted >= 1, cut.stdout);

  assert.equal(await growsWithin(received, 5), false, 'a datagram got through after the cut (the client redials every 300 ms)');
  assert.doesNotThrow(() => process.kill(client, 0), 'the client process was killed: the cut must only destroy sockets');

  const db = new Database(join(created.path, CASE_DB_FILE), { readonly: true });
  t.after(() => db.close());
  const recorded = db.prepare("SELECT outcome, detail FROM actions WHERE kind = 'contain' AND detail LIKE '%cut-connections%' ORDER BY seq DESC LIMIT 1").get() as { outcome: string; detail: string };
  assert.equal(recorded.outcome, 'cut');
  const actions = (JSON.parse(recorded.detail) as { actions: Array<{ index: number; what: string }> }).actions;
  assert.ok(actions.some((a) => a.index === -1 && a.what === 'conntrack-ip-src'), 'the sweep of the pod\'s own flows is recorded');
});
