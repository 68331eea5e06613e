import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bytesFromText, capabilityNames, describeBytes, escapeBytes, latin1, toByteText, WarningList } from '../../../../src/core/evidence/parsers/index.js';
import { concat, FC_RUNS, latin1Bytes, utf8 } from './helpers.js';

test('valid UTF-8 decodes as is, with only backslashes doubled', () => {
  assert.deepEqual(escapeBytes(utf8('héllo ☃ 𝄞')), { text: 'héllo ☃ 𝄞', validUtf8: true });
  assert.deepEqual(escapeBytes(utf8('C:\\x41')), { text: 'C:\\\\x41', validUtf8: true });
});

test('each byte of an invalid sequence is written \\xNN and the valid text around it is kept', () => {
  assert.deepEqual(escapeBytes(latin1Bytes('ok\xff\xfeok')), { text: 'ok\\xff\\xfeok', validUtf8: false });
  // A truncated 3-byte sequence, a UTF-16 surrogate (ED A0 80) and an overlong slash (C0 AF) are all invalid.
  assert.equal(escapeBytes(latin1Bytes('\xe2\x98')).text, '\\xe2\\x98');
  assert.equal(escapeBytes(latin1Bytes('\xed\xa0\x80')).text, '\\xed\\xa0\\x80');
  assert.equal(escapeBytes(latin1Bytes('\xc0\xaf')).text, '\\xc0\\xaf');
});

test('a leading byte-order mark is kept, not swallowed by the decoder', () => {
  const { text } = escapeBytes(latin1Bytes('\xef\xbb\xbfname'));
  assert.equal(text, '\ufeffname');
  assert.deepEqual(bytesFromText(text), latin1Bytes('\xef\xbb\xbfname'));
});

test('a literal "\\xff" in valid text stays distinguishable from the byte 0xff', () => {
  const literal = toByteText(utf8('\\xff'));
  const byte = toByteText(latin1Bytes('\xff'));
  assert.notEqual(literal.text, byte.text);
  assert.deepEqual(bytesFromText(literal.text), utf8('\\xff'));
  assert.deepEqual(bytesFromText(byte.text), latin1Bytes('\xff'));
});

test('toByteText copies its range, so later changes to the input do not reach the record', () => {
  const input = utf8('abcdef');
  const record = toByteText(input, 1, 4);
  input[1] = 0x58;
  assert.deepEqual(record.bytes, utf8('bcd'));
});

test('property: bytesFromText inverts escapeBytes for any bytes', () => {
  const anyBytes = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.tuple(fc.string({ unit: 'binary', maxLength: 16 }), fc.uint8Array({ maxLength: 4 }), fc.string({ maxLength: 16 }))
      .map(([a, junk, b]) => concat(utf8(a), junk, utf8(`\\${b}`))),
  );
  fc.assert(fc.property(anyBytes, (bytes) => {
    assert.deepEqual(bytesFromText(escapeBytes(bytes).text), bytes);
  }), { numRuns: FC_RUNS });
});

test('property: the hand-written decoder agrees with TextDecoder on the valid text around an invalid byte', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 32 }), fc.string({ unit: 'binary', maxLength: 32 }), (a, b) => {
    // The 0xff forces the slow path for the whole buffer, including the valid text before and after it.
    const { text, validUtf8 } = escapeBytes(concat(utf8(a), Uint8Array.of(0xff), utf8(b)));
    assert.equal(validUtf8, false);
    assert.equal(text, `${a.replaceAll('\\', '\\\\')}\\xff${b.replaceAll('\\', '\\\\')}`);
  }), { numRuns: FC_RUNS });
});

test('property: describeBytes shows any bytes as printable ASCII', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
    assert.match(describeBytes(bytes), /^[\x20-\x7e]*$/);
  }), { numRuns: FC_RUNS });
});

test('a WarningList keeps its limit and closes with a count of the dropped warnings', () => {
  const list = new WarningList(3);
  for (let i = 0; i < 10; i += 1) list.add('MALFORMED_LINE', `line ${i}`, i + 1);
  const warnings = list.toArray();
  assert.equal(warnings.length, 4);
  assert.equal(warnings[3]?.code, 'WARNING_LIMIT');
  assert.match(warnings[3]?.message ?? '', /^7 further warnings/);
});

test('latin1 maps each byte to one character and clamps ranges that run past the input', () => {
  assert.equal(latin1(latin1Bytes('a\xff\x00z')), 'a\xff\x00z');
  assert.equal(latin1(utf8('/x'), 0, 7), '/x');
  assert.equal(latin1(utf8('abc'), 5, 9), '');
  assert.equal(latin1(utf8('abcdef').subarray(2), 1, 3), 'de');
});

test('capability names cover the known bits and name unknown ones by number', () => {
  assert.deepEqual(capabilityNames(0n), []);
  assert.deepEqual(capabilityNames((1n << 21n) | (1n << 40n)), ['CAP_SYS_ADMIN', 'CAP_CHECKPOINT_RESTORE']);
  assert.deepEqual(capabilityNames(1n << 63n), ['CAP_63']);
  assert.equal(capabilityNames(0x000001ffffffffffn).length, 41);
});
