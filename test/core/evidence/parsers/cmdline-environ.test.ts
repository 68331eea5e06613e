import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCmdline, parseEnviron } from '../../../../src/core/evidence/parsers/index.js';
import { assertPrintableWarnings, codes, concat, fixture, FC_RUNS, latin1Bytes, utf8 } from './helpers.js';

const texts = (args: ReadonlyArray<{ text: string }>): string[] => args.map((arg) => arg.text);

test('a real cmdline splits at NULs into its arguments', () => {
  const cmdline = parseCmdline(fixture('comm-plain/cmdline'));
  assert.deepEqual(texts(cmdline.args), ['sleep', '600']);
  assert.equal(cmdline.nulTerminated, true);
  assert.deepEqual(cmdline.warnings, []);
});

test('a real argv[0] holding an OSC title sequence, invalid UTF-8 and ")" is kept byte for byte', () => {
  const cmdline = parseCmdline(fixture('argv-escape/cmdline'));
  assert.deepEqual(cmdline.args[0]?.bytes, latin1Bytes('\x1b]0;pwned\x07\xff\xfe evil)'));
  assert.equal(cmdline.args[0]?.text, '\x1b]0;pwned\x07\\xff\\xfe evil)');
  assert.equal(cmdline.args[0]?.validUtf8, false);
  assert.equal(cmdline.args[1]?.text, '600');
});

test('a real cmdline with no NUL at all (argv overwritten in place) is one argument, flagged as unterminated', () => {
  const bytes = fixture('argv-no-nul/cmdline');
  assert.equal(bytes.includes(0), false);
  const cmdline = parseCmdline(bytes);
  assert.equal(cmdline.args.length, 1);
  assert.deepEqual(cmdline.args[0]?.bytes, bytes);
  assert.equal(cmdline.nulTerminated, false);
  assert.deepEqual(cmdline.warnings, []);
});

test('arguments are split at NUL only: spaces, newlines and empty arguments survive', () => {
  const cmdline = parseCmdline(utf8('sh\0-c\0echo a  b\nc\0\0last\0'));
  assert.deepEqual(texts(cmdline.args), ['sh', '-c', 'echo a  b\nc', '', 'last']);
});

test('an empty cmdline (kernel thread or zombie) has no arguments and no warning', () => {
  const cmdline = parseCmdline(new Uint8Array());
  assert.deepEqual(cmdline.args, []);
  assert.deepEqual(cmdline.warnings, []);
});

test('a 256 KiB argument and 1 MiB of text without a NUL are read whole under the default cap', () => {
  const big = new Uint8Array(256 * 1024).fill(0x41);
  const withBig = parseCmdline(concat(utf8('prog\0'), big, Uint8Array.of(0)));
  assert.equal(withBig.args[1]?.bytes.length, 256 * 1024);
  assert.equal(withBig.truncated, false);
  const mebibyte = utf8('word '.repeat(1024 * 1024 / 5));
  const noNul = parseCmdline(mebibyte);
  assert.equal(noNul.args.length, 1);
  assert.equal(noNul.args[0]?.bytes.length, mebibyte.length);
});

test('input past the byte or argument cap is dropped with a SIZE_LIMIT warning that quotes nothing', () => {
  const secret = 'hunter2-canary-d41d8cd98f';
  const bytes = utf8(`mysql\0-p${secret}\0--host\0db\0`);
  const byBytes = parseCmdline(bytes, { maxBytes: 10 });
  assert.deepEqual(texts(byBytes.args), ['mysql', '-phu']);
  assert.equal(byBytes.truncated, true);
  assert.equal(byBytes.byteLength, bytes.length);
  const byCount = parseCmdline(bytes, { maxItems: 2 });
  assert.deepEqual(texts(byCount.args), ['mysql', `-p${secret}`]);
  for (const warnings of [byBytes.warnings, byCount.warnings]) {
    assert.deepEqual(codes(warnings), ['SIZE_LIMIT']);
    assert.ok(!JSON.stringify(warnings).includes('hunter'), 'a warning must not quote an argument');
  }
});

test('property: NUL-terminated arguments round-trip exactly, and unterminated ones too', () => {
  const arg = fc.uint8Array({ maxLength: 20 }).map((bytes) => bytes.filter((b) => b !== 0));
  fc.assert(fc.property(fc.array(arg, { maxLength: 10 }), fc.boolean(), (args, terminate) => {
    const unterminatedOk = !terminate && args.length > 0 && (args.at(-1)?.length ?? 0) > 0;
    const parts = args.flatMap((a, i) => (i < args.length - 1 || !unterminatedOk ? [a, Uint8Array.of(0)] : [a]));
    const cmdline = parseCmdline(concat(...parts));
    assert.deepEqual(cmdline.args.map((a) => a.bytes), args);
    assert.equal(cmdline.nulTerminated, !unterminatedOk);
  }), { numRuns: FC_RUNS });
});

test('a real synthetic environment splits each entry at its first "=" and keeps odd bytes', () => {
  const environ = parseEnviron(fixture('environ-synthetic/environ'));
  const entries = Object.fromEntries(environ.entries.map((e) => [e.name.text, e.value?.bytes]));
  assert.deepEqual(Object.keys(entries), ['PATH', 'EMPTY', 'SPACED', 'EQUALS', 'NONUTF8', 'NEWLINE']);
  assert.deepEqual(entries.EMPTY, new Uint8Array());
  assert.deepEqual(entries.SPACED, utf8('a b  c'));
  assert.deepEqual(entries.EQUALS, utf8('x=y=z'));
  assert.deepEqual(entries.NONUTF8, latin1Bytes('\xff\xfe'));
  assert.deepEqual(entries.NEWLINE, utf8('1\n2'));
  assert.deepEqual(environ.warnings, []);
});

test('an environ entry without "=" has a null value and a warning naming its index, not its content', () => {
  const canary = 'AKIA-canary-7f3a9c';
  const environ = parseEnviron(utf8(`A=1\0${canary}\0B=2`));
  assert.deepEqual(environ.entries.map((e) => [e.name.text, e.value?.text ?? null]), [['A', '1'], [canary, null], ['B', '2']]);
  assert.equal(environ.nulTerminated, false);
  assert.deepEqual(codes(environ.warnings), ['ENTRY_WITHOUT_EQUALS']);
  assert.equal(environ.warnings[0]?.message, 'environ entry 1 has no "="');
});

test('property: environ name/value pairs round-trip exactly', () => {
  const name = fc.uint8Array({ maxLength: 12 }).map((b) => b.filter((x) => x !== 0 && x !== 0x3d));
  const value = fc.uint8Array({ maxLength: 24 }).map((b) => b.filter((x) => x !== 0));
  fc.assert(fc.property(fc.array(fc.tuple(name, value), { maxLength: 8 }), (pairs) => {
    const environ = parseEnviron(concat(...pairs.flatMap(([n, v]) => [n, Uint8Array.of(0x3d), v, Uint8Array.of(0)])));
    assert.deepEqual(environ.entries.map((e) => [e.name.bytes, e.value?.bytes]), pairs);
  }), { numRuns: FC_RUNS });
});

test('property: any bytes parse as cmdline and environ without throwing', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 64 }), (bytes, cap) => {
    assertPrintableWarnings(parseCmdline(bytes, { maxBytes: cap }).warnings);
    assertPrintableWarnings(parseEnviron(bytes, { maxItems: cap }).warnings);
  }), { numRuns: FC_RUNS });
});
