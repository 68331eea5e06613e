import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMountInfo, type MountInfoEntry } from '../../../../src/core/evidence/parsers/index.js';
import { assertPrintableWarnings, codes, concat, fixture, fixtureText, FC_RUNS, latin1Bytes, utf8 } from './helpers.js';

/** Undoes findmnt --raw's `\xNN` escapes. */
const unFindmnt = (text: string): Uint8Array => latin1Bytes(text.replace(/\\x([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))));
const propagation = (mount: MountInfoEntry): string => {
  const tags = mount.optionalFields.map((field) => field.split(':')[0]);
  const named = [tags.includes('shared') ? 'shared' : '', tags.includes('master') ? 'slave' : '', tags.includes('unbindable') ? 'unbindable' : ''];
  return named.filter(Boolean).join(',') || 'private';
};

test('real mountinfo with escaped names matches findmnt reading the same mount namespace', () => {
  const { mounts, warnings } = parseMountInfo(fixture('mountns/mountinfo'));
  assert.deepEqual(warnings, []);
  const judged = fixtureText('mountns/findmnt.txt').split('\n').filter(Boolean);
  assert.equal(mounts.length, judged.length);
  judged.forEach((line, index) => {
    const [id, parent, device, fsRoot, target, fsType, source, vfsOptions, fsOptions, prop] = line.split(' ');
    const mount = mounts[index];
    assert.ok(mount);
    assert.equal(mount.mountId, Number(id));
    assert.equal(mount.parentId, Number(parent));
    assert.equal(`${mount.major}:${mount.minor}`, device);
    assert.deepEqual(mount.root.bytes, unFindmnt(fsRoot ?? ''));
    assert.deepEqual(mount.mountPoint.bytes, unFindmnt(target ?? ''));
    assert.deepEqual(mount.fsType.bytes, unFindmnt(fsType ?? ''));
    assert.deepEqual(mount.source.bytes, unFindmnt(source ?? ''));
    assert.equal(mount.mountOptions.join(','), vfsOptions);
    assert.deepEqual(mount.superOptions.bytes, unFindmnt(fsOptions ?? ''));
    assert.equal(propagation(mount), prop);
  });
});

test('\\040, \\011, \\012 and \\134 decode to space, tab, newline and backslash', () => {
  const { mounts } = parseMountInfo(fixture('mountns/mountinfo'));
  const tmpfs = mounts.find((mount) => mount.source.text === 'tmpfs source with space');
  assert.ok(tmpfs, 'the tmpfs capture.mjs mounted');
  assert.match(tmpfs.mountPoint.text, /\/mnt\/a b\tc\nd\\\\e$/);
  assert.deepEqual(tmpfs.superOptions.text, 'rw,size=1024k,mode=700');
  const bind = mounts.find((mount) => mount.mountPoint.text.endsWith('/bind target'));
  assert.ok(bind, 'the bind mount capture.mjs made');
  assert.match(bind.root.text, /\/bind source\/sub dir$/);
  assert.equal(bind.readOnly, true);
});

test('optional propagation fields are collected up to the "-" separator', () => {
  const { mounts } = parseMountInfo(utf8('36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue\n'));
  assert.deepEqual(mounts[0]?.optionalFields, ['master:1', 'shared:7']);
  assert.equal(mounts[0]?.fsType.text, 'ext3');
  assert.equal(mounts[0]?.readOnly, false);
});

test('a backslash not followed by three octal digits up to \\377 is kept as is, with a warning', () => {
  const { mounts, warnings } = parseMountInfo(utf8('1 0 0:1 / /a\\9b\\400\\ rw - tmpfs x\\12 rw\n'));
  assert.equal(mounts[0]?.mountPoint.text, '/a\\\\9b\\\\400\\\\');
  assert.equal(mounts[0]?.source.text, 'x\\\\12');
  assert.deepEqual(codes(warnings), ['BAD_ESCAPE', 'BAD_ESCAPE']);
});

test('malformed lines are skipped with a warning each while good lines around them are kept', () => {
  const junk = 'x'.repeat(1024 * 1024);
  const input = [
    '1 0 0:1 / / rw - ext4 /dev/vda rw',
    '2 1 0:2 / /no-separator rw tmpfs tmpfs rw',
    `${junk}`,
    '3 1 zz / /bad-device rw - tmpfs tmpfs rw',
    '4 1 0:4 / /ok rw - tmpfs tmpfs rw',
  ].join('\n');
  const { mounts, warnings } = parseMountInfo(utf8(input));
  assert.deepEqual(mounts.map((mount) => mount.mountId), [1, 4]);
  assert.deepEqual(codes(warnings), ['MALFORMED_LINE', 'MALFORMED_LINE', 'MALFORMED_LINE']);
  assert.deepEqual(warnings.map((w) => w.line), [2, 3, 4]);
  assert.ok((warnings[1]?.message.length ?? 0) < 200, 'a 1 MiB line is quoted in short');
});

test('the line cap stops a mount flood with a LINE_LIMIT warning', () => {
  const { mounts, warnings } = parseMountInfo(utf8('1 0 0:1 / / rw - tmpfs t rw\n'.repeat(5000)), { maxLines: 1000 });
  assert.equal(mounts.length, 1000);
  assert.deepEqual(codes(warnings), ['LINE_LIMIT']);
});

/** Escapes a name the way the kernel's mangle() does for mountinfo. */
const mangle = (bytes: Uint8Array): Uint8Array =>
  Uint8Array.from([...bytes].flatMap((b) => ([0x20, 0x09, 0x0a, 0x5c].includes(b) ? [...utf8(`\\${b.toString(8).padStart(3, '0')}`)] : [b])));

test('property: any mount point, root and source bytes survive the kernel escaping and our decoding', () => {
  const name = fc.uint8Array({ minLength: 1, maxLength: 30 }).map((b) => b.map((x) => (x === 0 ? 0x2f : x)));
  fc.assert(fc.property(name, name, name, (mountPoint, root, source) => {
    const line = concat(utf8('10 1 8:1 '), mangle(root), utf8(' '), mangle(mountPoint), utf8(' rw,nosuid shared:3 - ext4 '), mangle(source), utf8(' rw\n'));
    const { mounts, warnings } = parseMountInfo(line);
    assert.deepEqual(warnings, []);
    assert.deepEqual(mounts[0]?.mountPoint.bytes, mountPoint);
    assert.deepEqual(mounts[0]?.root.bytes, root);
    assert.deepEqual(mounts[0]?.source.bytes, source);
    assert.deepEqual(mounts[0]?.optionalFields, ['shared:3']);
  }), { numRuns: FC_RUNS });
});

test('property: any bytes parse as mountinfo without throwing', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    assertPrintableWarnings(parseMountInfo(bytes).warnings);
  }), { numRuns: FC_RUNS });
});
