import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseStat } from '../../../../src/core/evidence/parsers/index.js';
import { assertPrintableWarnings, codes, concat, fixture, fixtureText, FC_RUNS, latin1Bytes, utf8 } from './helpers.js';

/** The fields `ps -o pid=,ppid=,stat=,nlwp=,ni=,ruid=,…,fsgid=,comm=` printed for the fixture's process. */
function psLine(dir: string): { pid: number; ppid: number; state: string; threads: number; nice: number; ids: number[]; comm: string } {
  const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(-?\d+)((?:\s+\d+){8}) (.*)\n$/s.exec(fixtureText(`${dir}/ps.txt`));
  assert.ok(match, `unexpected ps output in ${dir}`);
  const [, pid, ppid, state, threads, nice, ids, comm] = match;
  return {
    pid: Number(pid), ppid: Number(ppid), state: (state ?? '').charAt(0), threads: Number(threads), nice: Number(nice),
    ids: (ids ?? '').trim().split(/\s+/).map(Number), comm: comm ?? '',
  };
}

/** How ps prints a name: printable ASCII as is, every other byte as `?`. */
function asPsShowsIt(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '?')).join('');
}

for (const dir of ['comm-plain', 'comm-paren', 'comm-newline', 'comm-escape', 'comm-backslash']) {
  test(`real stat of a process named by ${dir} matches ps and /proc/<pid>/comm`, () => {
    const stat = parseStat(fixture(`${dir}/stat`));
    const ps = psLine(dir);
    assert.deepEqual(stat.warnings, []);
    assert.equal(stat.pid, ps.pid);
    assert.equal(stat.ppid, ps.ppid);
    assert.equal(stat.state, ps.state);
    assert.equal(stat.threadCount, ps.threads);
    assert.equal(stat.nice, ps.nice);
    assert.equal(asPsShowsIt(stat.comm?.bytes ?? new Uint8Array()), ps.comm);
    if (dir !== 'comm-plain') {
      // /proc/<pid>/comm is the same name through another kernel interface, ending in one newline.
      assert.deepEqual(stat.comm?.bytes, fixture(`${dir}/comm`).subarray(0, -1));
    }
    assert.equal(typeof stat.startTimeTicks, 'bigint');
    assert.ok(stat.fields.length >= 50, 'a 6.x kernel prints 52 fields');
  });
}

test('a name "a) b (c" runs to the last ")" and the fields after it stay in place', () => {
  const stat = parseStat(fixture('comm-paren/stat'));
  assert.equal(stat.comm?.text, 'a) b (c');
  assert.deepEqual(stat.fields.slice(1, 2), [String(stat.ppid)]);
});

test('a name holding a newline, ESC and an invalid byte is kept exactly and shown escaped', () => {
  assert.equal(parseStat(fixture('comm-newline/stat')).comm?.text, 'x\ny');
  const escaped = parseStat(fixture('comm-escape/stat')).comm;
  assert.deepEqual(escaped?.bytes, latin1Bytes('\x1b[2J\xff)'));
  assert.equal(escaped?.text, '\x1b[2J\\xff)');
  assert.equal(escaped?.validUtf8, false);
});

test('a name of 1 MiB of text with ")" and newlines inside is read whole', () => {
  const name = utf8('x) y\n'.repeat(1024 * 1024 / 5));
  const stat = parseStat(concat(utf8('42 ('), name, utf8(') S 1 42 42 0 -1 4194304 0 0 0 0 5 6 0 0 20 0 1 0 999 1000 10\n')));
  assert.equal(stat.pid, 42);
  assert.deepEqual(stat.comm?.bytes, name);
  assert.equal(stat.startTimeTicks, 999n);
  assert.deepEqual(stat.warnings, []);
});

test('64-bit counters are exact at 2^64-1 and out-of-range values become warnings, not wrong numbers', () => {
  const max = '18446744073709551615';
  const stat = parseStat(utf8(`7 (n) R 1 7 7 0 -1 0 0 0 0 0 ${max} 0 0 0 20 0 1 0 ${max} ${max} 9223372036854775807\n`));
  assert.equal(stat.userTimeTicks, 2n ** 64n - 1n);
  assert.equal(stat.startTimeTicks, 2n ** 64n - 1n);
  assert.equal(stat.residentPages, 2n ** 63n - 1n);
  const over = parseStat(utf8(`7 (n) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551616 0 0\n`));
  assert.equal(over.startTimeTicks, null);
  assert.deepEqual(codes(over.warnings), ['BAD_NUMBER']);
  assert.match(over.warnings[0]?.message ?? '', /starttime \(field 22\)/);
});

test('a stat without "(name)" gives a NO_COMM warning and null fields', () => {
  const stat = parseStat(utf8('1234 S 1 2 3'));
  assert.equal(stat.pid, null);
  assert.equal(stat.comm, null);
  assert.deepEqual(codes(stat.warnings), ['NO_COMM']);
});

test('a stat cut short keeps pid and name and warns about the missing fields', () => {
  const stat = parseStat(utf8('99 (short) S 1'));
  assert.equal(stat.pid, 99);
  assert.equal(stat.comm?.text, 'short');
  assert.equal(stat.ppid, 1);
  assert.equal(stat.startTimeTicks, null);
  assert.deepEqual(codes(stat.warnings), ['TOO_FEW_FIELDS']);
});

test('a non-numeric PID or a state of more than one letter is a warning', () => {
  const stat = parseStat(utf8('x1 (n) RR 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n'));
  assert.equal(stat.pid, null);
  assert.equal(stat.state, null);
  assert.deepEqual(codes(stat.warnings), ['BAD_NUMBER', 'UNKNOWN_STATE']);
});

test('property: any name bytes, ")" and newlines included, round-trip with the PID, PPID and start time', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 4_194_304 }),
    fc.uint8Array({ maxLength: 64 }),
    fc.integer({ min: 0, max: 4_194_304 }),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    (pid, comm, ppid, start) => {
      const stat = parseStat(concat(utf8(`${pid} (`), comm, utf8(`) S ${ppid} 1 1 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 ${start} 100 10\n`)));
      assert.equal(stat.pid, pid);
      assert.deepEqual(stat.comm?.bytes, comm);
      assert.equal(stat.ppid, ppid);
      assert.equal(stat.startTimeTicks, start);
      assert.deepEqual(stat.warnings, []);
    },
  ), { numRuns: FC_RUNS });
});

test('property: any bytes parse without throwing and warn only in printable ASCII', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    assertPrintableWarnings(parseStat(bytes).warnings);
  }), { numRuns: FC_RUNS });
});
