// SEC-3: container logs are stored with every secret-looking value replaced by a keyed fingerprint,
// and every other byte (invalid UTF-8 included) exactly as received.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { findSecretInBytes } from '../../../src/core/credentials/canary.js';
import { fingerprintCredential } from '../../../src/core/credentials/fingerprint.js';
import { redactLogBytes } from '../../../src/core/credentials/redact-log.js';
import { CASE_KEY, canary, makeJwt } from './helpers.js';

const INVALID = Buffer.from([0xff, 0xfe, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80]);

function logOf(...lines: Array<string | Buffer>): Buffer {
  return Buffer.concat(lines.map((line) => Buffer.concat([typeof line === 'string' ? Buffer.from(line, 'utf8') : line, Buffer.from('\n')])));
}

test('password=, a JWT, an AWS key id, a Bearer value, URL userinfo and a random token leave no encoding in the stored log', () => {
  const password = canary('pw');
  const jwt = makeJwt({ sub: canary('jwt') });
  const aws = `AKIA${canary('aws').replace(/[^A-Z0-9]/gi, '').toUpperCase().slice(0, 16).padEnd(16, 'Q')}`;
  const bearer = canary('bearer');
  const userinfo = canary('dbpass');
  const random = 'q8Zr2LmX0vTb7Yc4Nw1Kp6Hd9Fs3Gj5A';
  const received = logOf(
    '2026-12-07T03:41:32.123456789Z starting web on :8080',
    `2026-12-07T03:41:33.000000001Z login ok password=${password} user=alice`,
    Buffer.concat([Buffer.from('bytes: '), INVALID, Buffer.from(` token ${jwt} end`)]),
    `{"level":"info","aws_key":"${aws}","msg":"uploaded"}`,
    `GET /api Authorization: Bearer ${bearer}`,
    `connecting to postgres://app:${userinfo}@db:5432/shop`,
    `session ${random}`,
    'GET /healthz 200 12ms request 3f2b6c1e-8a4d-4f7b-9c2e-1d5a6b7c8d9e',
  );
  const stored = redactLogBytes(received, CASE_KEY);
  for (const secret of [password, jwt, aws, bearer, userinfo, random]) {
    assert.deepEqual(findSecretInBytes(stored.bytes, secret), [], `${secret.slice(0, 12)}… is still in the stored log`);
  }
  assert.ok(stored.redactions >= 6, String(stored.redactions));
  const text = stored.bytes.toString('latin1');
  // The context around each value stays readable, and the fingerprint is the case's keyed one.
  assert.ok(text.includes(`password=[redacted ${fingerprintCredential(CASE_KEY, password)}] user=alice`), text);
  assert.ok(text.includes('Authorization: Bearer [redacted hmac-sha256:'), text);
  assert.ok(text.includes('postgres://[redacted hmac-sha256:'), text);
  // Lines without secrets, the invalid bytes among them, are byte for byte what was received.
  assert.ok(stored.bytes.includes(Buffer.concat([Buffer.from('bytes: '), INVALID, Buffer.from(' token [redacted ')])));
  assert.ok(stored.bytes.includes(Buffer.from('2026-12-07T03:41:32.123456789Z starting web on :8080\n')));
  assert.ok(stored.bytes.includes(Buffer.from('GET /healthz 200 12ms request 3f2b6c1e-8a4d-4f7b-9c2e-1d5a6b7c8d9e\n')));
});

test('a log without secrets is stored unchanged, invalid UTF-8 and all', () => {
  const received = logOf('plain line', INVALID, Buffer.from([0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d]), 'pod web-7d9f8b6c5d-x2kqp ready in 1.2s');
  const stored = redactLogBytes(received, CASE_KEY);
  assert.equal(stored.redactions, 0);
  assert.deepEqual(stored.bytes, received);
});

test('the same secret on two lines gets one fingerprint; a different case key gives another', () => {
  const secret = canary('twice');
  const received = logOf(`a password=${secret}`, `b password=${secret}`);
  const one = redactLogBytes(received, CASE_KEY).bytes.toString('latin1');
  const marks = one.match(/hmac-sha256:[0-9a-f]{64}/g) ?? [];
  assert.equal(marks.length, 2);
  assert.equal(marks[0], marks[1]);
  const other = redactLogBytes(received, Uint8Array.from({ length: 32 }, () => 9)).bytes.toString('latin1');
  assert.notEqual(other.match(/hmac-sha256:[0-9a-f]{64}/)?.[0], marks[0]);
});

test('a log cut by the size limit in the middle of a JWT keeps no piece of it', () => {
  const jwt = makeJwt({ sub: canary('cut') });
  const whole = logOf(`token ${jwt}`);
  const cut = whole.subarray(0, 6 + 30);
  const stored = redactLogBytes(cut, CASE_KEY, { truncated: true });
  assert.deepEqual(findSecretInBytes(stored.bytes, jwt.slice(0, 30)), []);
  assert.ok(stored.bytes.toString('latin1').startsWith('token [redacted hmac-sha256:'));
});

test('a line longer than the scanned limit is stored as one fingerprint', () => {
  const long = `x=${'a'.repeat(70_000)}`;
  const stored = redactLogBytes(logOf('short line', long), CASE_KEY);
  assert.equal(stored.bytes.toString('latin1'), `short line\n[redacted ${fingerprintCredential(CASE_KEY, Buffer.from(long))}]\n`);
});
