import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseNetInet } from '../../src/core/evidence/parsers/index.js';
import { CASE_DB_FILE } from '../../src/adapters/store/case-store.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab, type LabEnv } from '../helpers/lab.js';

// The lab's node image for the cut (test/lab/lib/node.sh builds it from Debian's busybox, ss and conntrack).
const IMAGE = ['--collector-image', 'lab.local/netcut:1', '--collector-pull-policy', 'Never'];

function podYaml(ns: string, name: string, script: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: name } },
    spec: { terminationGracePeriodSeconds: 0, automountServiceAccountToken: false, containers: [{ name: 'main', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never', command: ['sh', '-c', script] }] },
  });
}

async function startPod(lab: LabEnv, ns: string, name: string, script: string): Promise<string> {
  const created = await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: podYaml(ns, name, script) });
  assert.equal(created.exitCode, 0, created.stderr);
  const ready = await kubectl(lab, 'admin', ['wait', '-n', ns, '--for=condition=Ready', `pod/${name}`, '--timeout=90s']);
  assert.equal(ready.exitCode, 0, ready.stderr);
  return (await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, name, '-o', 'jsonpath={.status.podIP}'])).stdout.trim();
}

// Once a guard is in force only the responder may exec into the suspect, so reads after it go as the responder.
type As = 'admin' | 'responder';

async function sh(lab: LabEnv, ns: string, pod: string, script: string, as: As = 'admin'): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const run = await kubectl(lab, as, ['exec', '-n', ns, pod, '--', 'sh', '-c', script], { timeout: 30_000 });
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr };
}

/** The pod's TCP connections (past the handshake) with a non-loopback peer, read from the kernel tables (not by kustody). */
async function openConnections(lab: LabEnv, ns: string, pod: string, as: As = 'admin'): Promise<string[]> {
  const out: string[] = [];
  for (const proto of ['tcp', 'tcp6'] as const) {
    const table = await sh(lab, ns, pod, `cat /proc/net/${proto}`, as);
    assert.equal(table.exitCode, 0, table.stderr);
    for (const s of parseNetInet(Buffer.from(table.stdout), proto).sockets) {
      // SYN_SENT is a new attempt (the redialer's), which the policy drops: not a connection.
      if (['LISTEN', 'TIME_WAIT', 'CLOSE', 'SYN_SENT'].includes(s.state) || /^(127\.|::ffff:127\.|::1$)/.test(s.remoteAddress)) continue;
      out.push(`${s.localAddress}:${s.localPort} ${s.remoteAddress}:${s.remotePort} ${s.state}`);
    }
  }
  return out.sort();
}

/** pid → start time of every process in the pod but the reading shell itself. */
async function processes(lab: LabEnv, ns: string, pod: string, as: As = 'admin'): Promise<Map<string, string>> {
  const run = await sh(lab, ns, pod, 'for f in /proc/[0-9]*/stat; do read l < "$f" && echo "$l"; done; echo "self $$"', as);
  const self = /^self (\d+)$/m.exec(run.stdout)?.[1];
  const map = new Map<string, string>();
  for (const line of run.stdout.split('\n')) {
    const m = /^(\d+) \(.*\) (.*)$/.exec(line);
    if (m === null || m[1] === self) continue;
    const comm = /^\d+ \((.*)\) /.exec(line)?.[1] ?? '';
    map.set(m[1] ?? '', `${comm} ${(m[2] ?? '').split(' ')[19] ?? ''}`);
  }
  return map;
}

/** kustody's node pods placed for this namespace's suspect (other tests' collectors may run in kustody-system at the same time). */
async function nodePodsFor(lab: LabEnv, ns: string): Promise<string[]> {
  const run = await kubectl(lab, 'admin', ['get', 'pods', '-n', 'kustody-system', '-o', 'json']);
  if (run.exitCode !== 0) return [];
  const items = (JSON.parse(run.stdout) as { items: Array<{ metadata: { name: string; annotations?: Record<string, string> } }> }).items;
  return items.filter((p) => p.metadata.annotations?.['kustody.io/target'] === `pod:${ns}/suspect`).map((p) => p.metadata.name);
}

async function setup(t: TestContext, lab: LabEnv) {
  const ns = `netcut-${Math.random().toString(36).slice(2, 7)}`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(async () => { await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']); });
  // server: a listener the suspect holds a connection to, and a web server to try reconnecting to.
  const serverIp = await startPod(lab, ns, 'server', 'httpd -f -p 8080 & nc -l -p 9000 -e sleep 100000 & nc -ll -p 9001 -e sleep 100000 & wait');
  // suspect: holds an outbound connection (nc execs sleep, which never reads: the process survives a cut),
  // accepts one inbound connection the same way, and serves 8080 for the reconnect check.
  // The attacker's redialer: a channel held by `cat`, which exits when its socket dies, redialled every second.
  const redial = `while true; do nc ${serverIp} 9001 -e cat; sleep 1; done &`;
  const suspectIp = await startPod(lab, ns, 'suspect', `httpd -f -p 8080 & nc -l -p 9000 -e sleep 100000 & ${redial} until nc ${serverIp} 9000 -e sleep 100000; do sleep 1; done`);
  await startPod(lab, ns, 'client', `until nc ${suspectIp} 9000 -e sleep 100000; do sleep 1; done`);
  return { ns, serverIp, suspectIp };
}

test('isolate --cut-connections cuts the suspect\'s outbound and a client\'s inbound connection, keeps its processes, the policy blocks the reconnect and an attacker\'s redialer gets nothing back; the dry run creates nothing', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { ns, serverIp, suspectIp } = await setup(t, lab);
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };

  let before: string[] = [];
  for (let i = 0; i < 30 && before.length < 3; i += 1) {
    before = await openConnections(lab, ns, 'suspect');
    if (before.length < 3) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.equal(before.length, 3, `expected the two outbound and the inbound connection: ${before.join('; ')}`);
  assert.ok(before.some((c) => c.includes(`${serverIp}:9000 ESTABLISHED`)), before.join('; '));
  assert.ok(before.some((c) => (c.startsWith(`::ffff:${suspectIp}:9000 `) || c.startsWith(`${suspectIp}:9000 `))), before.join('; '));
  // Read before the reachability probes below, whose own short-lived processes are not the suspect's.
  const processesBefore = await processes(lab, ns, 'suspect');
  assert.equal((await sh(lab, ns, 'suspect', `timeout 5 nc -w 3 ${serverIp} 8080 </dev/null`)).exitCode, 0, 'before isolation the suspect can reach the server');
  assert.equal((await sh(lab, ns, 'client', `timeout 5 nc -w 3 ${suspectIp} 8080 </dev/null`)).exitCode, 0, 'before isolation the client can reach the suspect');

  const capture = await runKustody(['capture', 'pod', `${ns}/suspect`, '--case', created.path, '--via', 'exec', '--json'], { env });
  assert.equal(capture.exitCode, 0, capture.stdout + capture.stderr);
  const dry = await runKustody(['isolate', `${ns}/suspect`, '--case', created.path, '--cut-connections', ...IMAGE, '--dry-run', '--json'], { env });
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  const dryResult = JSON.parse(dry.stdout) as { status: string; cut: { status: string; plan: { pod: { spec: { nodeName: string } }; known: { connections: Array<{ remote_port: number; local_port: number }> } } } };
  assert.equal(dryResult.status, 'dry-run');
  assert.equal(dryResult.cut.status, 'dry-run');
  assert.equal(dryResult.cut.plan.pod.spec.nodeName, lab.nodeName, 'the preview shows the exact node pod');
  assert.equal(dryResult.cut.plan.known.connections.length, 3, 'the preview lists every connection the case saw');
  assert.deepEqual(await nodePodsFor(lab, ns), [], 'the dry run created a node pod');
  assert.equal(((await kubectl(lab, 'admin', ['get', 'networkpolicies', '-n', ns, '-o', 'name'])).stdout.trim()), '', 'the dry run created a policy');
  assert.deepEqual(await openConnections(lab, ns, 'suspect'), before, 'the dry run cut something');

  // Without a node image the cut is refused: isolation applies, and every connection still open is listed with its pid.
  const refused = await runKustody(['isolate', `${ns}/suspect`, '--case', created.path, '--cut-connections', '--yes', '--json'], { env });
  assert.equal(refused.exitCode, 1, refused.stdout + refused.stderr);
  const refusedResult = JSON.parse(refused.stdout) as { status: string; cut: { status: string; plan: { refused: string } }; surviving_connections: { established: Array<{ pid: number | null; local_addr: string; local_port: number; remote_addr: string; remote_port: number }> } };
  assert.equal(refusedResult.status, 'applied');
  assert.equal(refusedResult.cut.status, 'refused');
  assert.match(refusedResult.cut.plan.refused, /--collector-image/);
  const stillOpen = new Set(refusedResult.surviving_connections.established.map((c) => JSON.stringify([c.local_addr, c.local_port, c.remote_addr, c.remote_port])));
  assert.equal(stillOpen.size, 3, 'the refusal must say what remains open (one row per holding descriptor)');
  assert.ok(refusedResult.surviving_connections.established.every((c) => typeof c.pid === 'number'));
  assert.equal((await openConnections(lab, ns, 'suspect')).length, 3, 'the deny-all policy alone left every connection open (kube-router)');

  const applied = await runKustody(['isolate', `${ns}/suspect`, '--case', created.path, '--cut-connections', ...IMAGE, '--yes', '--json'], { env });
  assert.equal(applied.exitCode, 0, applied.stdout + applied.stderr);
  const result = JSON.parse(applied.stdout) as { status: string; cut: { status: string; verdict: { cut: Array<{ remote_addr: string; remote_port: number; local_port: number }>; remaining: unknown[] } }; surviving_connections: { established: unknown[] } };
  assert.equal(result.status, 'nothing-to-do', 'the isolation itself was already in effect');
  assert.equal(result.cut.status, 'cut', applied.stdout);
  assert.equal(result.cut.verdict.cut.length, 3);
  assert.deepEqual(result.cut.verdict.remaining, []);
  assert.deepEqual(result.surviving_connections.established, [], 'kustody\'s own exec re-read still sees a connection');

  assert.deepEqual(await openConnections(lab, ns, 'suspect'), [], 'a connection survived the cut (read from the kernel tables)');
  // Give the redialer time to try again (it redials every second): the policy refuses it.
  await new Promise((resolve) => setTimeout(resolve, 4000));
  assert.deepEqual(await openConnections(lab, ns, 'suspect'), [], 'the redialer got a connection back');
  const processesAfter = await processes(lab, ns, 'suspect');
  const exited = (result.cut.verdict as unknown as { exited: Array<{ pid: number; comm: string }> }).exited;
  for (const [pid, start] of processesBefore) {
    // Only the redialer's `cat` may be gone: it exits by itself when its socket dies (kustody sends no signal, and says so).
    if (start.startsWith('cat ') && processesAfter.get(pid) === undefined) continue;
    assert.equal(processesAfter.get(pid), start, `process ${pid} was killed or replaced: before ${JSON.stringify([...processesBefore])} after ${JSON.stringify([...processesAfter])}; kustody saw ${JSON.stringify(exited)}`);
  }
  assert.ok(exited.every((p) => p.comm === 'cat'), JSON.stringify(exited));
  assert.notEqual((await sh(lab, ns, 'suspect', `timeout 5 nc -w 3 ${serverIp} 8080 </dev/null`)).exitCode, 0, 'the suspect reconnected out');
  assert.notEqual((await sh(lab, ns, 'client', `timeout 5 nc -w 3 ${suspectIp} 8080 </dev/null`)).exitCode, 0, 'the client reconnected in');
  assert.deepEqual(await nodePodsFor(lab, ns), [], 'the node pod was left behind');

  const db = new Database(join(created.path, CASE_DB_FILE), { readonly: true });
  t.after(() => db.close());
  const rows = (db.prepare("SELECT kind, outcome, detail FROM actions WHERE detail LIKE '%cut-connections%' ORDER BY seq").all() as Array<{ kind: string; outcome: string; detail: string }>);
  assert.deepEqual(rows.map((r) => `${r.kind}:${r.outcome}`), ['plan:dry-run', 'plan:refused', 'plan:planned', 'contain:intent', 'contain:cut']);
  const recorded = JSON.parse(rows.at(-1)?.detail ?? '{}') as { cut: Array<{ remote_addr: string; remote_port: number }>; remaining: unknown[]; running: unknown[]; conntrack_deleted: number; actions: Array<{ what: string; count: number }>; footprint: Array<{ kind: string; status?: string }> };
  assert.equal(recorded.cut.length, 3);
  assert.ok(recorded.cut.some((c) => c.remote_addr.endsWith(serverIp) && c.remote_port === 9000));
  assert.deepEqual(recorded.remaining, []);
  // Bridged pod traffic is tracked in the node's namespace (where kube-router's ESTABLISHED rule reads it): each flow's entry is gone.
  assert.deepEqual(recorded.actions.filter((a) => a.what === 'ss').map((a) => a.count), [1, 1, 1], JSON.stringify(recorded.actions));
  assert.ok(recorded.actions.filter((a) => a.what.startsWith('conntrack-node-')).reduce((n, a) => n + a.count, 0) >= 3, JSON.stringify(recorded.actions));
  const removed = recorded.footprint.filter((f) => f.status === 'deleted and gone (read back)').map((f) => f.kind).sort();
  assert.deepEqual(removed, ['Pod', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'], JSON.stringify(recorded.footprint));
});

// The shipped data-exfiltration playbook's first two steps, as written there (its later steps delete the pod).
const CUT_PLAYBOOK = `id: cut-by-playbook
title: Snapshot, then isolate and cut
description: The data-exfiltration playbook's snapshot and isolate steps.
steps:
  - id: snapshot
    title: Quick volatile snapshot
    why: The open connections name where the data is going.
    action: capture
    params: {via: auto, scope: volatile, timeout_seconds: 60}
    danger: observe
  - id: isolate
    title: Cut egress
    why: A deny-all policy stops new connections; the cut ends those that survive it.
    action: isolate
    params: {detach: true, cordon: false, guard: true, cut_connections: true}
    danger: contain
    confirm: true
    verify: Reads every change back and cuts what survived the policy.
    undo: {action: release}
    needs: [snapshot]
`;

test('a playbook isolate step with cut_connections (as in data-exfiltration) run headless with a collector image leaves no connection open, keeps the processes, and records the cut as a step of the run', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { ns, serverIp } = await setup(t, lab);
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const playbook = join(dir, 'cut-by-playbook.yaml');
  writeFileSync(playbook, CUT_PLAYBOOK);
  const shipped = readFileSync(new URL('../../playbooks/data-exfiltration.yaml', import.meta.url), 'utf8');
  assert.ok(shipped.includes('params: {detach: true, cordon: false, guard: true, cut_connections: true}'), 'the shipped playbook\'s isolate step changed: update this test\'s copy of it');

  let before: string[] = [];
  for (let i = 0; i < 30 && before.length < 3; i += 1) {
    before = await openConnections(lab, ns, 'suspect');
    if (before.length < 3) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.equal(before.length, 3, before.join('; '));
  const processesBefore = await processes(lab, ns, 'suspect');

  const run = await runKustody(['run', playbook, '--target', `${ns}/suspect`, '--case', created.path, '--yes', ...IMAGE, '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const refused = await sh(lab, ns, 'suspect', 'true');
  assert.notEqual(refused.exitCode, 0, 'the playbook\'s guard let the cluster admin exec into the quarantined pod');
  assert.match(refused.stderr, /kustody/i, refused.stderr);
  assert.deepEqual(await openConnections(lab, ns, 'suspect', 'responder'), [], 'a connection survived the playbook\'s cut (read from the kernel tables)');
  const processesAfter = await processes(lab, ns, 'suspect', 'responder');
  for (const [pid, start] of processesBefore) {
    if (start.startsWith('cat ') && processesAfter.get(pid) === undefined) continue;
    assert.equal(processesAfter.get(pid), start, `process ${pid} was killed or replaced`);
  }
  assert.notEqual((await sh(lab, ns, 'suspect', `timeout 5 nc -w 3 ${serverIp} 8080 </dev/null`, 'responder')).exitCode, 0, 'the suspect reconnected out');
  assert.deepEqual(await nodePodsFor(lab, ns), [], 'the node pod was left behind');

  const db = new Database(join(created.path, CASE_DB_FILE), { readonly: true });
  t.after(() => db.close());
  const cut = db.prepare("SELECT detail FROM actions WHERE kind = 'contain' AND outcome = 'cut'").all() as Array<{ detail: string }>;
  assert.equal(cut.length, 1, 'one cut recorded');
  const recorded = JSON.parse(cut[0]?.detail ?? '{}') as { cut: unknown[]; remaining: unknown[] };
  assert.equal(recorded.cut.length, 3);
  assert.deepEqual(recorded.remaining, []);
  const ended = db.prepare("SELECT outcome FROM actions WHERE kind = 'playbook' AND detail LIKE '%\"step_id\":\"isolate\"%' ORDER BY seq DESC LIMIT 1").get() as { outcome: string } | undefined;
  assert.equal(ended?.outcome, 'done', 'the isolate step ended done');

  const released = await runKustody(['release', `${ns}/suspect`, '--case', created.path, '--yes', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(released.exitCode, 0, released.stdout + released.stderr);
  // The API server drops a deleted admission policy from its cache shortly after the delete: poll, bounded.
  let exec = await sh(lab, ns, 'suspect', 'true');
  for (let i = 0; i < 30 && exec.exitCode !== 0; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    exec = await sh(lab, ns, 'suspect', 'true');
  }
  const policies = await kubectl(lab, 'admin', ['get', 'validatingadmissionpolicy', '-o', 'name']);
  assert.equal(exec.exitCode, 0, `after release the cluster admin still cannot exec: ${exec.stderr}; ${released.stdout}; ${policies.stdout}`);
});
