import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { capabilityNames, parseStat, parseStatus } from '../../../../src/core/evidence/parsers/index.js';
import { assertPrintableWarnings, codes, fixture, fixtureText, FC_RUNS, utf8 } from './helpers.js';

const psIds = (dir: string): number[] => {
  const fields = fixtureText(`${dir}/ps.txt`).trim().split(/\s+/);
  return fields.slice(5, 13).map(Number);
};

test('real status of a setpriv-confined process matches ps ids and the capabilities setpriv was asked for', () => {
  const status = parseStatus(fixture('comm-plain/status'));
  const [ruid, euid, suid, fsuid, rgid, egid, sgid, fsgid] = psIds('comm-plain');
  assert.deepEqual(status.warnings, []);
  assert.deepEqual(status.uids, { real: ruid, effective: euid, saved: suid, filesystem: fsuid });
  assert.deepEqual(status.gids, { real: rgid, effective: egid, saved: sgid, filesystem: fsgid });
  // capture.mjs ran: setpriv --no-new-privs --bounding-set=-all,+chown,+net_bind_service --ruid=1001 --euid=1002 --groups=3001,3002
  assert.deepEqual(status.uids, { real: 1001, effective: 1002, saved: 1002, filesystem: 1002 });
  assert.deepEqual(status.supplementaryGroups, [3001, 3002]);
  assert.deepEqual(capabilityNames(status.capBounding?.bits ?? 0n), ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE']);
  assert.equal(status.capBounding?.hex, '0000000000000401');
  assert.equal(status.capEffective?.bits, 0n);
  assert.equal(status.noNewPrivs, true);
  assert.equal(status.seccomp, 'disabled');
  assert.equal(status.name?.text, 'sleep');
  const stat = parseStat(fixture('comm-plain/stat'));
  assert.equal(status.pid, stat.pid);
  assert.equal(status.ppid, stat.ppid);
  assert.deepEqual(status.namespacePids, [stat.pid]);
});

for (const dir of ['comm-paren', 'comm-newline', 'comm-escape', 'comm-backslash']) {
  test(`real status Name of ${dir}, with the kernel's \\n and \\\\ escapes undone, equals the stat name`, () => {
    const status = parseStatus(fixture(`${dir}/status`));
    assert.deepEqual(status.warnings, []);
    assert.deepEqual(status.name?.bytes, parseStat(fixture(`${dir}/stat`)).comm?.bytes);
  });
}

test('the kernel escape is told apart from a literal backslash-n in the name', () => {
  // comm-backslash's name is: a \ n b \ \ c <newline> )
  const name = parseStatus(fixture('comm-backslash/status')).name;
  assert.equal(name?.text, 'a\\\\nb\\\\\\\\c\n)');
});

const status = (body: string): Uint8Array => utf8(`Name:\tx\nUid:\t0\t0\t0\t0\n${body}`);

test('odd keys are kept and warned about; unknown well-formed keys are kept silently', () => {
  const parsed = parseStatus(status('Future_Key_2031:\t42\nWeird Key:\t1\n\x1b]0;t\x07:\tx\n:\tnothing\n'));
  assert.deepEqual(parsed.fields.map((field) => field.key), ['Name', 'Uid', 'Future_Key_2031', 'Weird Key', '\x1b]0;t\x07', '']);
  assert.equal(parsed.fields[2]?.value.text, '42');
  assert.deepEqual(codes(parsed.warnings), ['ODD_KEY', 'ODD_KEY', 'ODD_KEY']);
  assert.deepEqual(parsed.warnings.map((w) => w.line), [4, 5, 6]);
  assertPrintableWarnings(parsed.warnings);
});

test('a repeated key warns and the first value wins, so a planted second Uid line cannot override it', () => {
  const parsed = parseStatus(status('Uid:\t1000\t1000\t1000\t1000\n'));
  assert.deepEqual(parsed.uids, { real: 0, effective: 0, saved: 0, filesystem: 0 });
  assert.deepEqual(codes(parsed.warnings), ['DUPLICATE_KEY']);
});

test('capability masks are exact up to 64 bits and longer or non-hex masks are warnings', () => {
  const parsed = parseStatus(status('CapEff:\tffffffffffffffff\nCapPrm:\t1ffffffffffffffff\nCapInh:\t00000000000000zz\n'));
  assert.equal(parsed.capEffective?.bits, 2n ** 64n - 1n);
  assert.equal(parsed.capPermitted, null);
  assert.equal(parsed.capInheritable, null);
  assert.deepEqual(codes(parsed.warnings), ['BAD_NUMBER', 'BAD_NUMBER']);
});

test('seccomp modes 0, 1 and 2 are named and any other value is a warning', () => {
  assert.equal(parseStatus(status('Seccomp:\t2\nSeccomp_filters:\t3\n')).seccomp, 'filter');
  assert.equal(parseStatus(status('Seccomp:\t2\nSeccomp_filters:\t3\n')).seccompFilters, 3);
  assert.equal(parseStatus(status('Seccomp:\t1\n')).seccomp, 'strict');
  const odd = parseStatus(status('Seccomp:\t7\nNoNewPrivs:\t2\n'));
  assert.equal(odd.seccomp, null);
  assert.equal(odd.noNewPrivs, null);
  assert.deepEqual(codes(odd.warnings), ['BAD_NUMBER', 'BAD_NUMBER']);
});

test('ids must be four numbers within 32 bits; 2^32 or three ids are warnings', () => {
  const parsed = parseStatus(utf8('Uid:\t0\t0\t0\t4294967296\nGid:\t1\t2\t3\n'));
  assert.equal(parsed.uids, null);
  assert.equal(parsed.gids, null);
  assert.deepEqual(codes(parsed.warnings), ['BAD_NUMBER', 'BAD_NUMBER']);
});

test('lines without a colon are warnings and the line cap stops a flood', () => {
  const parsed = parseStatus(utf8(`no colon here\n${'Pad:\t1\n'.repeat(5000)}`), { maxLines: 100 });
  assert.equal(parsed.fields.length, 99);
  assert.deepEqual(codes(parsed.warnings).slice(0, 2), ['LINE_LIMIT', 'MALFORMED_LINE']);
  assert.match(parsed.warnings[0]?.message ?? '', /4901 lines past the limit/);
});

test('property: generated key/value lines come back in order with their exact value bytes', () => {
  const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/);
  const value = fc.uint8Array({ maxLength: 40 }).map((bytes) => bytes.map((b) => (b === 0x0a || b === 0x09 || b === 0x20 ? 0x41 : b)));
  fc.assert(fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 20 }), (pairs) => {
    const lines = pairs.map(([k, v]) => [...utf8(`${k}:\t`), ...v, 0x0a]);
    const parsed = parseStatus(Uint8Array.from(lines.flat()));
    assert.deepEqual(parsed.fields.map((f) => [f.key, f.value.bytes]), pairs.map(([k, v]) => [k, v]));
  }), { numRuns: FC_RUNS });
});

test('property: any bytes parse without throwing and warn only in printable ASCII', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
    assertPrintableWarnings(parseStatus(bytes).warnings);
  }), { numRuns: FC_RUNS });
});
