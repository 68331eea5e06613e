import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { confirmLinkKind, parseNamespaceLink, parseProcLink } from '../../../../src/core/evidence/parsers/index.js';
import { assertPrintableWarnings, codes, fixtureText, FC_RUNS, utf8 } from './helpers.js';

interface CapturedLink { name: string; link: string; mode: number; ino: string }
const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFIFO = 0o010000;
const S_IFREG = 0o100000;
const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

test('real fd links parse to the kind st_mode shows, and socket and pipe inodes equal the stat inode', () => {
  const { links } = JSON.parse(fixtureText('netns/fds.json')) as { links: CapturedLink[] };
  const kinds = new Set<string>();
  for (const captured of links) {
    const link = parseProcLink(fromBase64(captured.link));
    kinds.add(link.kind);
    assert.deepEqual(link.warnings, [], captured.name);
    const type = captured.mode & S_IFMT;
    assert.equal(link.kind === 'socket', type === S_IFSOCK, `${captured.name} socket kind vs st_mode`);
    assert.equal(link.kind === 'pipe', type === S_IFIFO, `${captured.name} pipe kind vs st_mode`);
    if (link.kind === 'socket' || link.kind === 'pipe') assert.equal(link.inode, BigInt(captured.ino), captured.name);
    assert.equal(confirmLinkKind(link, captured.mode), link, `${captured.name} is confirmed unchanged`);
  }
  assert.deepEqual([...kinds].sort(), ['anon_inode', 'path', 'pipe', 'socket']);
});

test('a real deleted executable is flagged deleted, with the suffix removed from its path', () => {
  const { scratch, links } = JSON.parse(fixtureText('deleted-exe/links.json')) as { scratch: string; links: CapturedLink[] };
  const byName = new Map(links.map((captured) => [captured.name, parseProcLink(fromBase64(captured.link))]));
  const exe = byName.get('exe');
  assert.equal(exe?.kind, 'path');
  assert.equal(exe?.kind === 'path' && exe.path.text, `${scratch}/sleep copy`);
  assert.equal(exe?.kind === 'path' && exe.deleted, true);
  const cwd = byName.get('cwd');
  assert.equal(cwd?.kind === 'path' && cwd.path.text, scratch);
  assert.equal(cwd?.kind === 'path' && cwd.deleted, false);
  const root = byName.get('root');
  assert.equal(root?.kind === 'path' && root.path.text, '/');
});

test('a file literally named "socket:[1234]" reads as a socket until st_mode demotes it with a warning', () => {
  const link = parseProcLink(utf8('socket:[1234]'));
  assert.equal(link.kind, 'socket');
  const regular = confirmLinkKind(link, S_IFREG | 0o644);
  assert.equal(regular.kind, 'other');
  assert.equal(regular.raw.text, 'socket:[1234]');
  assert.deepEqual(codes(regular.warnings), ['LINK_KIND_MISMATCH']);
  assert.equal(confirmLinkKind(link, S_IFSOCK | 0o777).kind, 'socket');
  assert.equal(confirmLinkKind(parseProcLink(utf8('pipe:[9]')), S_IFSOCK).kind, 'other');
  assert.equal(parseProcLink(utf8('/tmp/socket:[1234]')).kind, 'path');
});

test('memfd executables and doubly suffixed names are read as hints, stripping one " (deleted)"', () => {
  const memfd = parseProcLink(utf8('/memfd:payload (deleted)'));
  assert.deepEqual(memfd.kind === 'path' && [memfd.path.text, memfd.deleted, memfd.memfd], ['/memfd:payload', true, true]);
  const twice = parseProcLink(utf8('/x (deleted) (deleted)'));
  assert.deepEqual(twice.kind === 'path' && [twice.path.text, twice.deleted], ['/x (deleted)', true]);
  const live = parseProcLink(utf8('/x (deleted)x'));
  assert.deepEqual(live.kind === 'path' && [live.path.text, live.deleted], ['/x (deleted)x', false]);
});

test('anon inodes, namespace fds and unknown links are typed, and empty or overflowing links warn', () => {
  assert.deepEqual(pick(parseProcLink(utf8('anon_inode:inotify'))), { kind: 'anon_inode', name: 'inotify' });
  assert.deepEqual(pick(parseProcLink(utf8('anon_inode:[eventfd]'))), { kind: 'anon_inode', name: '[eventfd]' });
  assert.deepEqual(pick(parseProcLink(utf8('net:[4026531840]'))), { kind: 'namespace', namespaceType: 'net', inode: 4026531840n });
  assert.deepEqual(codes(parseProcLink(utf8('mystery:thing')).warnings), ['UNKNOWN_TYPE']);
  assert.deepEqual(codes(parseProcLink(new Uint8Array()).warnings), ['EMPTY_INPUT']);
  assert.deepEqual(codes(parseProcLink(utf8('socket:[99999999999999999999]')).warnings), ['BAD_NUMBER']);
});

function pick(link: ReturnType<typeof parseProcLink>): Record<string, unknown> {
  const { raw: _raw, warnings: _warnings, ...rest } = link;
  return rest;
}

test('property: socket and pipe inodes are exact across the whole 64-bit range', () => {
  fc.assert(fc.property(fc.constantFrom('socket', 'pipe'), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (kind, inode) => {
    const link = parseProcLink(utf8(`${kind}:[${inode}]`));
    assert.equal(link.kind, kind);
    assert.equal((link.kind === 'socket' || link.kind === 'pipe') && link.inode, inode);
  }), { numRuns: FC_RUNS });
});

test('property: any absolute path keeps its bytes and reads deleted exactly when it ends in " (deleted)"', () => {
  const suffix = utf8(' (deleted)');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (tail, addSuffix) => {
    const full = addSuffix ? Uint8Array.of(0x2f, ...tail, ...suffix) : Uint8Array.of(0x2f, ...tail);
    const endsDeleted = Buffer.from(full).toString('latin1').endsWith(' (deleted)');
    const link = parseProcLink(full);
    assert.equal(link.kind, 'path');
    assert.deepEqual(link.raw.bytes, full);
    assert.equal(link.kind === 'path' && link.deleted, endsDeleted);
    assert.deepEqual(link.kind === 'path' && link.path.bytes, endsDeleted ? full.subarray(0, -suffix.length) : full);
  }), { numRuns: FC_RUNS });
});

test('real ns links give the namespace type of their file and the inode stat reports', () => {
  const links = JSON.parse(fixtureText('netns/ns.json')) as CapturedLink[];
  assert.ok(links.length >= 8);
  for (const captured of links) {
    const parsed = parseNamespaceLink(fromBase64(captured.link));
    const expectedType = captured.name.replace(/^ns\//, '').replace(/_for_children$/, '');
    assert.deepEqual(parsed, { namespace: { type: expectedType, inode: BigInt(captured.ino) }, warnings: [] }, captured.name);
  }
});

test('a namespace link that is malformed or of an unknown type is a warning, not a guess', () => {
  assert.deepEqual(codes(parseNamespaceLink(utf8('net:4026531840')).warnings), ['MALFORMED_LINE']);
  assert.deepEqual(codes(parseNamespaceLink(utf8('net:[4026531840] ')).warnings), ['MALFORMED_LINE']);
  assert.deepEqual(codes(parseNamespaceLink(utf8('vault:[4026531840]')).warnings), ['UNKNOWN_TYPE']);
  assert.equal(parseNamespaceLink(utf8('vault:[4026531840]')).namespace, null);
});

test('property: any bytes parse as a proc link and a namespace link without throwing', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 0, max: 0o177777 }), (bytes, mode) => {
    const link = parseProcLink(bytes);
    assert.deepEqual(link.raw.bytes, bytes);
    assertPrintableWarnings(confirmLinkKind(link, mode).warnings);
    assertPrintableWarnings(parseNamespaceLink(bytes).warnings);
  }), { numRuns: FC_RUNS });
});
