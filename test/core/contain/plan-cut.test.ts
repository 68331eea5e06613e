import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectionRow } from '../../../src/core/capture/capture-rows.js';
import { connectionsToCut, cutArguments, judgeCut, parseCutOutput, podFlowArguments } from '../../../src/core/contain/plan-cut.js';

const row = (over: Partial<ConnectionRow>): ConnectionRow => ({
  proto: 'tcp', local_addr: '10.244.0.9', local_port: 40000, remote_addr: '10.244.0.7', remote_port: 9000, state: 'ESTABLISHED',
  inode: 100n, pid: 12, fd: 3, net_ns: 'net:[1]', uid: 0, ...over,
});
const CID = 'a'.repeat(64);

test('the cut selects every TCP connection that can still carry data and every connected UDP socket, one per socket with all its holders, and leaves listeners, redial attempts (SYN_SENT), TIME_WAIT, unconnected UDP and loopback alone', () => {
  const picked = connectionsToCut([
    row({}),
    row({ pid: 13, fd: 4 }),
    row({ local_port: 40001, state: 'CLOSE_WAIT', inode: 101n }),
    row({ proto: 'tcp6', local_addr: '::ffff:10.244.0.9', local_port: 9000, remote_addr: '::ffff:10.244.0.5', remote_port: 51000, state: 'FIN_WAIT2', inode: 102n }),
    row({ state: 'LISTEN', remote_addr: '0.0.0.0', remote_port: 0, inode: 103n }),
    row({ state: 'TIME_WAIT', local_port: 40002, inode: 0n, pid: null }),
    row({ proto: 'udp', local_port: 5353, remote_addr: '0.0.0.0', remote_port: 0, state: 'CLOSE', inode: 104n }),
    row({ proto: 'udp', local_port: 5354, remote_addr: '10.244.0.53', remote_port: 53, inode: 109n }),
    row({ proto: 'udp', local_port: 5355, remote_addr: '127.0.0.53', remote_port: 53, inode: 110n }),
    row({ state: 'SYN_SENT', local_port: 40006, inode: 108n }),
    row({ remote_addr: '127.0.0.1', local_port: 40003, inode: 105n }),
    row({ proto: 'tcp6', local_addr: '::ffff:127.0.0.1', remote_addr: '::ffff:127.0.0.1', local_port: 40004, inode: 106n }),
    row({ proto: 'tcp6', local_addr: '::1', remote_addr: '::1', local_port: 40005, inode: 107n }),
  ]);
  assert.deepEqual(picked.map((c) => [c.proto, c.local_port, c.state, c.pids]), [
    ['tcp', 40000, 'ESTABLISHED', [12, 13]],
    ['tcp', 40001, 'CLOSE_WAIT', [12]],
    ['tcp6', 9000, 'FIN_WAIT2', [12]],
    ['udp', 5354, 'ESTABLISHED', [12]],
  ]);
});

test('cut arguments carry each tuple as separate validated values, and refuse a container id, namespace, address or port that is not one', () => {
  const [c] = connectionsToCut([row({})]);
  assert.ok(c);
  assert.deepEqual(cutArguments(CID, 'net:[4026532]', [c]), ['cut', CID, 'net:[4026532]', 'tcp', 'ipv4', '10.244.0.9', '40000', '10.244.0.7', '9000']);
  assert.deepEqual(cutArguments(CID, 'net:[1]', [{ ...c, proto: 'udp6', local_addr: 'fd00::9', remote_addr: 'fd00::7' }]), ['cut', CID, 'net:[1]', 'udp', 'ipv6', 'fd00::9', '40000', 'fd00::7', '9000']);
  assert.deepEqual(podFlowArguments(CID, 'net:[1]', ['10.244.0.9', 'fd00::9']), ['cut', CID, 'net:[1]', 'ip', 'ipv4', '10.244.0.9', 'ip', 'ipv6', 'fd00::9']);
  assert.throws(() => podFlowArguments(CID, 'net:[1]', ['10.244.0.9 -D']), /pod address/);
  assert.throws(() => podFlowArguments(CID, 'net:[1]', ['127.0.0.1']), /pod address/, 'loopback flows are not the pod\'s to delete on the node');
  assert.throws(() => cutArguments(`${CID} x`, 'net:[1]', [c]), /container id/);
  assert.throws(() => cutArguments(CID, 'net:[1] or 1', [c]), /namespace/);
  assert.throws(() => cutArguments(CID, 'net:[1]', [{ ...c, remote_addr: '10.244.0.7 or dport = :22' }]), /address/);
  assert.throws(() => cutArguments(CID, 'net:[1]', [{ ...c, remote_addr: '::1' }]), /address/, 'a v4 socket with a v6 peer is not a real tuple');
  assert.throws(() => cutArguments(CID, 'net:[1]', [{ ...c, local_port: 70000 }]), /port/);
});

test('the cut output parser keeps only well-formed action lines and notices a missing end marker', () => {
  const good = parseCutOutput('R 0 ss 0 1\nR 0 conntrack-node-out 0 1\nR 0 conntrack-node-in 1 0\nR 1 conntrack-ip-reply 0 4\nX something\nR 0 rm -rf 0 0\nE\n');
  assert.equal(good.complete, true);
  assert.deepEqual(good.actions.map((a) => [a.what, a.exit_code, a.count]), [['ss', 0, 1], ['conntrack-node-out', 0, 1], ['conntrack-node-in', 1, 0], ['conntrack-ip-reply', 0, 4]]);
  assert.deepEqual(good.notes, ['X something', 'R 0 rm -rf 0 0']);
  assert.equal(parseCutOutput('R 0 ss 0 1\n').complete, false);
});

test('the verdict is "cut" only when the re-read finds nothing, and a process replaced under the same pid counts as exited', () => {
  const [c] = connectionsToCut([row({})]);
  assert.ok(c);
  const before = { connections: [c], processes: [{ pid: 1, start_time: '100', comm: 'sleep' }, { pid: 12, start_time: '200', comm: 'nc' }, { pid: 13, start_time: '300', comm: 'sh' }] };
  const actions = [{ index: 0, what: 'ss', exit_code: 0, count: 1 }, { index: 0, what: 'conntrack-node-out', exit_code: 0, count: 1 }, { index: 0, what: 'conntrack-pod-in', exit_code: 1, count: 0 }];
  const cut = judgeCut(before, { connections: [], processes: [{ pid: 1, start_time: '100', comm: 'sleep' }, { pid: 12, start_time: '999', comm: 'nc' }] }, actions);
  assert.equal(cut.outcome, 'cut');
  assert.deepEqual(cut.running.map((p) => p.pid), [1]);
  assert.deepEqual(cut.exited.map((p) => p.pid), [12, 13]);
  assert.equal(cut.conntrack_deleted, 1);
  assert.equal(judgeCut(before, { connections: [c], processes: before.processes }, actions).outcome, 'incomplete');
  assert.equal(judgeCut({ connections: [], processes: [] }, { connections: [], processes: [] }, []).outcome, 'nothing-to-cut');
  assert.equal(judgeCut({ connections: [], processes: [] }, { connections: [], processes: [] }, [{ index: -1, what: 'conntrack-ip-src', exit_code: 0, count: 2 }]).outcome, 'cut', 'flows of an unconnected UDP socket deleted are a cut');
});

test('a UDP socket connected after the cut is a redial, not a survivor; a UDP or TCP socket seen before and still there is a survivor', () => {
  const [udp] = connectionsToCut([row({ proto: 'udp', inode: 200n })]);
  const [tcp] = connectionsToCut([row({ inode: 300n, local_port: 41000 })]);
  assert.ok(udp && tcp);
  const redial = { ...udp, inode: '201', local_port: 40999 };
  const verdict = judgeCut({ connections: [udp], processes: [] }, { connections: [redial], processes: [] }, []);
  assert.equal(verdict.outcome, 'cut');
  assert.deepEqual(verdict.redialed_udp.map((c) => c.inode), ['201']);
  assert.equal(judgeCut({ connections: [udp], processes: [] }, { connections: [udp], processes: [] }, []).outcome, 'incomplete');
  assert.equal(judgeCut({ connections: [udp], processes: [] }, { connections: [{ ...tcp, inode: '301' }], processes: [] }, []).outcome, 'incomplete', 'a new TCP connection after the cut got past the policy');
});
