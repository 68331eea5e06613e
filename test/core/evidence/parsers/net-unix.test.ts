import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseNetUnix } from '../../../../src/core/evidence/parsers/index.js';
import { assertPrintableWarnings, codes, concat, fixture, fixtureText, FC_RUNS, utf8 } from './helpers.js';

const HEADER = 'Num       RefCount Protocol Flags    Type St Inode Path\n';

test('real /proc/net/unix matches ss -xanp: inodes, states, a path with spaces and an abstract name', () => {
  const { sockets, warnings } = parseNetUnix(fixture('netns/net-unix'));
  assert.deepEqual(warnings, []);
  const workload = JSON.parse(fixtureText('netns/workload.json')) as { unixPath: string };
  const rows = fixtureText('netns/ss-xanp.txt').split('\n').slice(1).filter(Boolean).map((line) => {
    // Netid State Recv-Q Send-Q <local name> <inode> <peer> <peer inode> users:(…); the name may hold spaces.
    const match = /^(\S+)\s+(\S+)\s+\d+\s+\d+\s+(.*?)\s+(\d+)\s+\S+\s+\d+\s+users:/.exec(line);
    assert.ok(match, line);
    const [, netid, state, name, inode] = match;
    return { netid, state: state === 'ESTAB' ? 'ESTABLISHED' : state, name, inode: BigInt(inode ?? '') };
  });
  assert.equal(sockets.length, rows.length);
  for (const row of rows) {
    const socket = sockets.find((s) => s.inode === row.inode);
    assert.ok(socket, `inode ${row.inode}`);
    assert.equal(socket.state, row.state);
    assert.equal(socket.type, row.netid === 'u_str' ? 'STREAM' : 'DGRAM');
    assert.equal(socket.path?.text ?? '*', row.name);
  }
  const named = sockets.filter((s) => s.path?.text === workload.unixPath);
  assert.deepEqual(named.map((s) => s.state).sort(), ['ESTABLISHED', 'LISTEN']);
  const abstract = sockets.find((s) => s.abstract);
  assert.match(abstract?.path?.text ?? '', /^@kustody@abstract@+$/);
});

const line = (inode: number, path = '', flags = '00000000', st = '03'): string =>
  `0000000000000000: 00000002 00000000 ${flags} 0001 ${st} ${String(inode).padStart(5)}${path === '' ? '' : ` ${path}`}\n`;

test('a path keeps leading, inner and trailing spaces; an unbound socket has no path', () => {
  const { sockets } = parseNetUnix(utf8(HEADER + line(12, '  /run/a b  ') + line(13)));
  assert.equal(sockets[0]?.path?.text, '  /run/a b  ');
  assert.equal(sockets[1]?.path, null);
  assert.equal(sockets[1]?.inode, 13n);
});

test('a bound name holding a newline breaks framing: the head keeps its socket and the tail is a warning', () => {
  const { sockets, warnings } = parseNetUnix(utf8(HEADER + line(20, '/tmp/evil\nnot a socket line') + line(21, '/ok', '00010000', '01')));
  assert.deepEqual(sockets.map((s) => [s.inode, s.path?.text, s.state]), [[20n, '/tmp/evil', 'ESTABLISHED'], [21n, '/ok', 'LISTEN']]);
  assert.deepEqual(codes(warnings), ['MALFORMED_LINE']);
  assert.equal(warnings[0]?.line, 3);
});

test('a forged line injected through a newline in a name is caught when it reuses an inode', () => {
  const forged = `/tmp/x\n${line(30, '/run/docker.sock', '00010000', '01').trimEnd()}`;
  const { warnings } = parseNetUnix(utf8(HEADER + line(30, forged)));
  assert.deepEqual(codes(warnings), ['DUPLICATE_INODE']);
});

test('unknown types and states are named UNKNOWN with a warning, and the line cap holds', () => {
  const odd = `0000000000000000: 00000002 00000000 00000000 0009 07 40\n`;
  const { sockets, warnings } = parseNetUnix(utf8(HEADER + odd));
  assert.deepEqual(sockets.map((s) => [s.type, s.state]), [['UNKNOWN', 'UNKNOWN']]);
  assert.deepEqual(codes(warnings), ['UNKNOWN_STATE']);
  const capped = parseNetUnix(utf8(HEADER + line(1).repeat(300)), { maxLines: 100 });
  assert.equal(capped.sockets.length, 100);
  assert.equal(capped.truncated, true);
  assert.equal(capped.warnings[0]?.code, 'LINE_LIMIT');
});

test('property: any path bytes without a newline round-trip exactly, with abstract set by a leading "@"', () => {
  const pathBytes = fc.uint8Array({ minLength: 1, maxLength: 60 }).map((b) => b.map((x) => (x === 0x0a ? 0x40 : x)));
  fc.assert(fc.property(pathBytes, fc.integer({ min: 1, max: 2 ** 31 }), (path, inode) => {
    const bytes = concat(utf8(HEADER), utf8(`0000000000000000: 00000002 00000000 00000000 0002 01 ${inode} `), path, utf8('\n'));
    const { sockets, warnings } = parseNetUnix(bytes);
    assert.deepEqual(warnings, []);
    assert.deepEqual(sockets[0]?.path?.bytes, path);
    assert.equal(sockets[0]?.abstract, path[0] === 0x40);
    assert.equal(sockets[0]?.type, 'DGRAM');
  }), { numRuns: FC_RUNS });
});

test('property: any bytes parse as a unix table without throwing', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    assertPrintableWarnings(parseNetUnix(bytes).warnings);
  }), { numRuns: FC_RUNS });
});
