// --json output (TUI-4): valid JSON, same value after parsing, and nothing a terminal would act on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toSafeJson } from '../../../src/core/display/index.js';
import { findForbidden } from './fixtures/escape-oracle.js';

const numRuns = Number(process.env.KUSTODY_FC_RUNS ?? 2000);

test('JSON.stringify itself writes ESC as \\u001b and lone surrogates as \\ud800, but leaves DEL, C1 and bidi raw', () => {
  assert.equal(JSON.stringify('\x1b'), '"\\u001b"');
  assert.equal(JSON.stringify('\ud800'), '"\\ud800"');
  assert.equal(JSON.stringify('\x7f\u009b\u202e'), '"\x7f\u009b\u202e"');
});

test('toSafeJson escapes DEL, C1, bidi, zero-width, U+2028/9 and tag characters as \\uXXXX', () => {
  const value = { comm: 'a\x7f\u0085\u009b\u202e\u2066\u200d\ufeff\u2028\u2029\u{e0041}b', esc: '\x1b]52;c;AA\x07' };
  const json = toSafeJson(value);
  assert.equal(
    json,
    '{"comm":"a\\u007f\\u0085\\u009b\\u202e\\u2066\\u200d\\ufeff\\u2028\\u2029\\udb40\\udc41b","esc":"\\u001b]52;c;AA\\u0007"}',
  );
  assert.deepEqual(JSON.parse(json), value);
});

test('toSafeJson keeps printable non-ASCII readable', () => {
  assert.equal(toSafeJson({ name: 'naïve 漢字 😀' }), '{"name":"naïve 漢字 😀"}');
});

test('toSafeJson throws a TypeError for a value JSON cannot represent', () => {
  assert.throws(() => toSafeJson(undefined), TypeError);
  assert.throws(() => toSafeJson(() => 1), TypeError);
});

test('property: toSafeJson output parses back to the same value and holds no forbidden code point', () => {
  const unit = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  );
  const value = fc.jsonValue({ maxDepth: 3, stringUnit: unit });
  fc.assert(
    fc.property(value, fc.constantFrom(undefined, 2), (v, space) => {
      const json = toSafeJson(v, space);
      assert.equal(findForbidden(json.replaceAll('\n', '')), undefined);
      assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(v)));
    }),
    { numRuns },
  );
});
