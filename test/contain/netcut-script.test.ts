import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildCapture } from '../../src/core/capture/build-capture.js';
import { parseCollectorOutput } from '../../src/core/capture/parse-collector-output.js';
import { cutArguments, parseCutOutput, processMarks, type LiveConnection } from '../../src/core/contain/plan-cut.js';
import { makeTempDir } from '../helpers/cli.js';
import { firstMissing, lacks, needsBusybox, needsRoot } from '../helpers/prerequisites.js';

// The cut script run on this machine as the node vantage runs it (BusyBox sh, nsenter, ss, conntrack from
// Debian, the same binaries the lab's node image holds), against real processes in their own network
// namespace, placed in a cgroup named by a container id as the kubelet would. Loopback traffic only.
const SCRIPT = new URL('../../collector/kustody-netcut.sh', import.meta.url).pathname;
const CGROUP_ROOT = '/sys/fs/cgroup/pids';

const WORKLOAD = String.raw`
echo $$ > "$CG/cgroup.procs"
ip link set lo up
nc -l -p 9000 -e sleep 100000 &
nc -l -p 9001 -e sleep 100000 &
sleep 0.3
nc 127.0.0.1 9000 -e sleep 100000 &
nc 127.0.0.1 9001 -e sleep 100000 &
sleep 0.5
: > "$DIR/ready"
wait
`;

// A UDP exchange the way a C2 channel over UDP runs it: a peer that answers, and a client on a connected
// socket that keeps sending on it (it never reconnects, so a destroyed socket stays visibly unconnected).
const UDP_WORKLOAD = String.raw`
echo $$ > "$CG/cgroup.procs"
ip link set lo up
"$NODE" -e 'const s = require("dgram").createSocket("udp4"); s.on("message", (m, r) => s.send("ok", r.port, r.address)); s.bind(9100, "127.0.0.1")' &
sleep 0.5
"$NODE" -e 'const s = require("dgram").createSocket("udp4"); s.on("error", () => {}); s.connect(9100, "127.0.0.1", () => setInterval(() => { try { s.send("x"); } catch {} }, 100))' &
sleep 1
: > "$DIR/ready"
wait
`;

async function workload(t: TestContext, netns: boolean | 'udp'): Promise<string> {
  const cid = randomBytes(32).toString('hex');
  const cg = join(CGROUP_ROOT, `kustody-netcut-test-${cid}`);
  mkdirSync(cg);
  const { dir, cleanup } = makeTempDir();
  const script = netns === 'udp' ? UDP_WORKLOAD : netns ? WORKLOAD : `echo $$ > "$CG/cgroup.procs"; : > "$DIR/ready"; exec sleep 100000`;
  const child = spawn('unshare', [...(netns ? ['--net'] : []), '--fork', '--kill-child', 'busybox', 'sh', '-c', script], { env: { ...process.env, CG: cg, DIR: dir, NODE: process.execPath }, stdio: 'ignore' });
  t.after(async () => {
    // Every process this test started is in its cgroup: kill each by pid, then the unshare parent.
    for (const pid of readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* already gone */ }
    }
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    for (let i = 0; i < 50 && existsSync(cg); i += 1) {
      try { rmdirSync(cg); } catch { await new Promise((resolve) => setTimeout(resolve, 100)); }
    }
    cleanup();
  });
  for (let i = 0; i < 100 && !existsSync(join(dir, 'ready')); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(existsSync(join(dir, 'ready')), 'the workload did not start');
  return cid;
}

async function readNs(cid: string) {
  const run = await execa('busybox', ['sh', '-c', readFileSync(SCRIPT, 'utf8'), 'kustody-netcut', 'read', cid], { reject: false, encoding: 'buffer' });
  assert.equal(run.exitCode, 0, Buffer.from(run.stdout).toString());
  const parsed = parseCollectorOutput(Buffer.from(run.stdout), { vantage: 'node', target: 'test', exclusiveNetns: true });
  assert.equal(parsed.complete, true, parsed.raw.notes.join('; '));
  const built = buildCapture(parsed.raw, () => '[redacted]');
  const established = built.connections.rows.filter((r) => r.state === 'ESTABLISHED').map((r) => `${r.proto === 'udp' ? 'udp ' : ''}${r.local_port}->${r.remote_port}`);
  return { netns: parsed.raw.netNamespaces[0]?.netnsInode ?? '', rows: built.connections.rows, established: [...new Set(established)].sort(), processes: processMarks(built.processes.rows) };
}

test('the cut script destroys exactly the connection it is given, both ends, and leaves every process running', { timeout: 60_000 }, async (t) => {
  if (lacks(t, firstMissing(needsRoot('to create network namespaces and cgroups'), needsBusybox(), existsSync(CGROUP_ROOT) ? false : `${CGROUP_ROOT} (the cgroup v1 pids hierarchy) is missing`))) return;
  const cid = await workload(t, true);
  const before = await readNs(cid);
  const client = before.rows.find((r) => r.proto === 'tcp' && r.remote_port === 9000 && r.state === 'ESTABLISHED');
  assert.ok(client, JSON.stringify(before.established));
  assert.equal(before.established.length, 4, `two connections, two ends each: ${before.established.join(' ')}`);
  const tuple: LiveConnection = { proto: 'tcp', local_addr: client.local_addr ?? '', local_port: client.local_port ?? 0, remote_addr: client.remote_addr ?? '', remote_port: 9000, state: 'ESTABLISHED', inode: String(client.inode), pids: [] };

  const cut = await execa('busybox', ['sh', '-c', readFileSync(SCRIPT, 'utf8'), 'kustody-netcut', ...cutArguments(cid, before.netns, [tuple])], { reject: false });
  assert.equal(cut.exitCode, 0, cut.stdout + cut.stderr);
  const parsed = parseCutOutput(cut.stdout);
  assert.equal(parsed.complete, true);
  assert.deepEqual(parsed.actions.filter((a) => a.what === 'ss').map((a) => [a.exit_code, a.count]), [[0, 1]]);

  const after = await readNs(cid);
  assert.deepEqual(after.established, before.established.filter((c) => !c.includes('9000')), 'the other connection must stay, and both ends of the cut one must be gone');
  assert.deepEqual(after.processes, before.processes, 'a process was killed or replaced');
});

test('the cut script refuses a namespace that changed since it was read, and a container in the node\'s own network namespace', { timeout: 60_000 }, async (t) => {
  if (lacks(t, firstMissing(needsRoot('to create network namespaces and cgroups'), needsBusybox(), existsSync(CGROUP_ROOT) ? false : `${CGROUP_ROOT} (the cgroup v1 pids hierarchy) is missing`))) return;
  const script = readFileSync(SCRIPT, 'utf8');
  const isolated = await workload(t, true);
  const stale = await execa('busybox', ['sh', '-c', script, 'kustody-netcut', 'cut', isolated, 'net:[1]', 'ipv4', '127.0.0.1', '1', '127.0.0.1', '9000'], { reject: false });
  assert.equal(stale.exitCode, 4, stale.stdout);
  const onHost = await workload(t, false);
  const hostRead = await execa('busybox', ['sh', '-c', script, 'kustody-netcut', 'read', onHost], { reject: false });
  assert.equal(hostRead.exitCode, 4, 'a hostNetwork container must never be read or cut as a pod');
  assert.match(hostRead.stdout, /host network namespace/);
});

test('the cut script destroys a connected UDP socket (its peer is gone from the socket table), deletes every flow of a pod address, and leaves both processes running', { timeout: 60_000 }, async (t) => {
  if (lacks(t, firstMissing(needsRoot('to create network namespaces and cgroups'), needsBusybox(), existsSync(CGROUP_ROOT) ? false : `${CGROUP_ROOT} (the cgroup v1 pids hierarchy) is missing`))) return;
  const cid = await workload(t, 'udp');
  const before = await readNs(cid);
  const client = before.rows.find((r) => r.proto === 'udp' && r.remote_port === 9100 && r.state === 'ESTABLISHED');
  assert.ok(client, `the client's connected UDP socket: ${JSON.stringify(before.rows.map((r) => [r.proto, r.local_port, r.remote_port, r.state]))}`);
  const tuple: LiveConnection = { proto: 'udp', local_addr: client.local_addr ?? '', local_port: client.local_port ?? 0, remote_addr: client.remote_addr ?? '', remote_port: 9100, state: 'ESTABLISHED', inode: String(client.inode), pids: [] };
  const script = readFileSync(SCRIPT, 'utf8');
  const cut = await execa('busybox', ['sh', '-c', script, 'kustody-netcut', ...cutArguments(cid, before.netns, [tuple]), 'ip', 'ipv4', '10.99.0.9'], { reject: false });
  assert.equal(cut.exitCode, 0, cut.stdout + cut.stderr);
  const parsed = parseCutOutput(cut.stdout);
  assert.equal(parsed.complete, true, cut.stdout);
  assert.deepEqual(parsed.actions.filter((a) => a.what === 'ss').map((a) => [a.exit_code, a.count]), [[0, 1]], cut.stdout);
  assert.deepEqual(parsed.actions.filter((a) => a.index === 1).map((a) => a.what), ['conntrack-ip-src', 'conntrack-ip-reply', 'conntrack-ip-src', 'conntrack-ip-reply'], 'the address sweep runs in the node\'s namespace and the pod\'s');

  const after = await readNs(cid);
  assert.ok(!after.rows.some((r) => r.proto === 'udp' && r.inode === client.inode && r.state === 'ESTABLISHED'), 'the client\'s socket still has its peer');
  assert.deepEqual(after.processes, before.processes, 'a process was killed or replaced');
  const malformed = await execa('busybox', ['sh', '-c', script, 'kustody-netcut', 'cut', cid, before.netns, 'sctp', 'ipv4', '1', '2', '3', '4'], { reject: false });
  assert.equal(malformed.exitCode, 2, 'an unknown record kind is refused, not skipped');
});
