import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  confirmLinkKind, joinSocketsToProcesses, parseNetInet, parseNetUnix, parseProcLink, type InetSocket, type ProcessFds,
} from '../../../../src/core/evidence/parsers/index.js';
import { codes, fixture, fixtureText, FC_RUNS } from './helpers.js';

interface CapturedLink { name: string; link: string; mode: number }

function capturedProcess(): ProcessFds {
  const { pid, links } = JSON.parse(fixtureText('netns/fds.json')) as { pid: number; links: CapturedLink[] };
  const fds = links.map((captured) => ({
    fd: Number(captured.name.replace('fd/', '')),
    link: confirmLinkKind(parseProcLink(new Uint8Array(Buffer.from(captured.link, 'base64'))), captured.mode),
  }));
  return { pid, startTimeTicks: 1n, fds };
}

/** `(inode, "pid/fd")` pairs from the users:(…) column of ss -p output. */
function ssHolders(path: string): Map<bigint, string[]> {
  const holders = new Map<bigint, string[]>();
  for (const line of fixtureText(path).split('\n')) {
    const inode = /\bino:(\d+)/.exec(line)?.[1] ?? /\s(\d+)\s+\*\s+\d+\s+users:/.exec(line)?.[1];
    if (inode === undefined || inode === '0') continue;
    const found = [...line.matchAll(/pid=(\d+),fd=(\d+)/g)].map((m) => `${m[1]}/${m[2]}`);
    holders.set(BigInt(inode), found);
  }
  return holders;
}

test('real sockets join to the same pid and fd that ss -p reports for every socket', () => {
  const process = capturedProcess();
  const inet = ['tcp', 'tcp6', 'udp', 'udp6'].flatMap((proto) =>
    parseNetInet(fixture(`netns/net-${proto}`), proto as InetSocket['proto']).sockets);
  const unix = parseNetUnix(fixture('netns/net-unix')).sockets;
  const joined = joinSocketsToProcesses({ processes: [process], inet, unix });
  assert.deepEqual(joined.warnings, []);
  const judged = new Map([...ssHolders('netns/ss-tanpe.txt'), ...ssHolders('netns/ss-uanpe.txt'), ...ssHolders('netns/ss-xanp.txt')]);
  const ours = [...joined.inet, ...joined.unix].filter((j) => j.socket.inode !== 0n);
  assert.equal(ours.length, judged.size);
  for (const { socket, holders } of ours) {
    assert.deepEqual(holders.map((h) => `${h.pid}/${h.fd}`), judged.get(socket.inode), `inode ${socket.inode}`);
  }
  const timeWait = joined.inet.find((j) => j.socket.state === 'TIME_WAIT');
  assert.deepEqual(timeWait?.holders, []);
  // stdout and stderr are socketpairs created outside the namespace, so no table there lists them.
  assert.deepEqual(joined.unmatchedFds.map((fd) => fd.fd).sort(), [1, 2]);
});

const socketAt = (inode: bigint, line = 1): InetSocket => ({
  proto: 'tcp', line, localAddress: '10.0.0.1', localPort: 443, remoteAddress: '10.0.0.2', remotePort: 5555,
  state: 'ESTABLISHED', stateCode: 1, transmitQueue: 0, receiveQueue: 0, uid: 0, inode,
});
const holding = (pid: number, start: bigint, ...inodes: bigint[]): ProcessFds => ({
  pid, startTimeTicks: start, fds: inodes.map((inode, fd) => ({ fd: fd + 3, link: { kind: 'socket', inode } })),
});

test('a socket shared by a parent and its forked child lists both holders', () => {
  const joined = joinSocketsToProcesses({ processes: [holding(10, 5n, 77n), holding(11, 6n, 77n)], inet: [socketAt(77n)], unix: [] });
  assert.deepEqual(joined.inet[0]?.holders, [{ pid: 10, startTimeTicks: 5n, fd: 3 }, { pid: 11, startTimeTicks: 6n, fd: 3 }]);
});

test('two processes that reused one PID stay apart by start time', () => {
  const joined = joinSocketsToProcesses({ processes: [holding(10, 5n, 77n), holding(10, 900n, 78n)], inet: [socketAt(77n), socketAt(78n, 2)], unix: [] });
  assert.deepEqual(joined.inet.map((j) => j.holders.map((h) => h.startTimeTicks)), [[5n], [900n]]);
});

test('inode 0 never joins, even to a descriptor that claims socket:[0]', () => {
  const joined = joinSocketsToProcesses({ processes: [holding(10, 5n, 0n)], inet: [socketAt(0n)], unix: [] });
  assert.deepEqual(joined.inet[0]?.holders, []);
  assert.deepEqual(joined.unmatchedFds, [{ pid: 10, startTimeTicks: 5n, fd: 3, inode: 0n }]);
});

test('an inode listed twice across the tables is a warning and both rows get the holders', () => {
  const joined = joinSocketsToProcesses({ processes: [holding(10, 5n, 77n)], inet: [socketAt(77n), socketAt(77n, 9)], unix: [] });
  assert.deepEqual(codes(joined.warnings), ['DUPLICATE_INODE']);
  assert.deepEqual(joined.inet.map((j) => j.holders.length), [1, 1]);
});

test('property: every socket descriptor lands either on a table row with that inode or in unmatchedFds, never both', () => {
  const inode = fc.bigInt({ min: 1n, max: 40n });
  fc.assert(fc.property(fc.array(fc.array(inode, { maxLength: 5 }), { maxLength: 5 }), fc.uniqueArray(inode, { maxLength: 20 }), (fdInodes, tableInodes) => {
    const processes = fdInodes.map((inodes, i) => holding(100 + i, BigInt(i), ...inodes));
    const joined = joinSocketsToProcesses({ processes, inet: tableInodes.map((n) => socketAt(n)), unix: [] });
    const placed = joined.inet.flatMap((j) => j.holders.map((h) => `${h.pid}/${h.fd}/${j.socket.inode}`));
    const unmatched = joined.unmatchedFds.map((h) => `${h.pid}/${h.fd}/${h.inode}`);
    const all = processes.flatMap((p) => p.fds.map(({ fd, link }) => `${p.pid}/${fd}/${link.kind === 'socket' ? link.inode : -1n}`));
    assert.deepEqual([...placed, ...unmatched].sort(), [...all].sort());
    for (const entry of unmatched) assert.ok(!tableInodes.includes(BigInt(entry.split('/')[2] ?? '')));
  }), { numRuns: FC_RUNS });
});
