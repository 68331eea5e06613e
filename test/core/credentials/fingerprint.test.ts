// SEC-2: fingerprints match within a case and cannot be reversed by anyone holding only the bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { fingerprintCredential, fingerprintSecret, isFingerprint } from '../../../src/core/credentials/index.js';
import { CASE_KEY, FC_RUNS, makeJwt, OTHER_KEY, projectedTokenPayload } from './helpers.js';

test('a fingerprint is hmac-sha256 of the value keyed with the case key, as hex', () => {
  const expected = createHmac('sha256', CASE_KEY).update('hunter2').digest('hex');
  assert.equal(fingerprintSecret(CASE_KEY, 'hunter2'), `hmac-sha256:${expected}`);
  assert.ok(isFingerprint(fingerprintSecret(CASE_KEY, 'hunter2')));
});

test('the same value and key give the same fingerprint, as a string or as its UTF-8 bytes', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), (value) => {
      const once = fingerprintSecret(CASE_KEY, value);
      assert.equal(fingerprintSecret(CASE_KEY, value), once);
      assert.equal(fingerprintSecret(CASE_KEY, new TextEncoder().encode(value)), once);
    }),
    { numRuns: Math.min(FC_RUNS, 500) },
  );
});

test('a different case key gives a different fingerprint for the same value', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 64 }), (value) => {
      assert.notEqual(fingerprintSecret(CASE_KEY, value), fingerprintSecret(OTHER_KEY, value));
    }),
    { numRuns: Math.min(FC_RUNS, 500) },
  );
});

test('a 4-digit PIN is found in a dictionary of plain SHA-256s but not by its keyed fingerprint', () => {
  const pins = Array.from({ length: 10_000 }, (_, n) => String(n).padStart(4, '0'));
  const sha256 = (pin: string): string => createHash('sha256').update(pin).digest('hex');
  const dictionary = new Map(pins.map((pin) => [sha256(pin), pin]));
  const pin = '4821';
  // Why a plain hash is not enough: anyone with the bundle recovers the PIN in 10,000 tries.
  assert.equal(dictionary.get(sha256(pin)), pin);
  // Keyed, the same dictionary finds nothing; the stored hex is not the hash of any PIN.
  const hex = fingerprintSecret(CASE_KEY, pin).slice('hmac-sha256:'.length);
  assert.equal(dictionary.get(hex), undefined);
  // Only someone holding the case key (kept beside the case, never in the bundle) can run the search.
  const keyed = new Map(pins.map((candidate) => [fingerprintSecret(CASE_KEY, candidate), candidate]));
  assert.equal(keyed.get(fingerprintSecret(CASE_KEY, pin)), pin);
  const wrongKey = new Map(pins.map((candidate) => [fingerprintSecret(OTHER_KEY, candidate), candidate]));
  assert.equal(wrongKey.get(fingerprintSecret(CASE_KEY, pin)), undefined);
});

test('a case key that is not 32 bytes is refused without echoing the value', () => {
  for (const length of [0, 16, 31, 33, 64]) {
    assert.throws(
      () => fingerprintSecret(new Uint8Array(length), 'canary-value-xyz'),
      (error: unknown) => error instanceof TypeError && !error.message.includes('canary-value-xyz'),
    );
  }
  // Arguments swapped by mistake: the "key" is the secret's bytes; the message must not show them.
  assert.throws(
    () => fingerprintSecret(new TextEncoder().encode('canary-value-xyz'), 'x'),
    (error: unknown) => error instanceof TypeError && !error.message.includes('canary'),
  );
});

test('a JWT gets one fingerprint with or without the newline around it in a file; other values keep every byte', () => {
  const token = makeJwt(projectedTokenPayload());
  assert.equal(fingerprintCredential(CASE_KEY, `${token}\n`), fingerprintSecret(CASE_KEY, token));
  assert.equal(fingerprintCredential(CASE_KEY, new TextEncoder().encode(` ${token}\r\n`)), fingerprintSecret(CASE_KEY, token));
  assert.equal(fingerprintCredential(CASE_KEY, 'hunter2\n'), fingerprintSecret(CASE_KEY, 'hunter2\n'));
  assert.notEqual(fingerprintCredential(CASE_KEY, 'hunter2\n'), fingerprintSecret(CASE_KEY, 'hunter2'));
});
