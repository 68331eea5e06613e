// Errors shown on the terminal: short, escaped (A11) and without credentials (SEC-4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { redactError, redactSecrets } from '../../../src/core/display/index.js';
import { findForbidden } from './fixtures/escape-oracle.js';

const numRuns = Number(process.env.KUSTODY_FC_RUNS ?? 2000);
const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDp4In0.c2lnbmF0dXJlLWJ5dGVz';

// The shape of @kubernetes/client-node 1.x ApiException: the message embeds body and headers.
class ApiException<T> extends Error {
  constructor(
    public code: number,
    message: string,
    public body: T,
    public headers: Record<string, string>,
  ) {
    super(`HTTP-Code: ${code}\nMessage: ${message}\nBody: ${JSON.stringify(body)}\nHeaders: ${JSON.stringify(headers)}`);
  }
}

test('an ApiException becomes HTTP code and Status message, without body dump or headers', () => {
  const body = JSON.stringify({ kind: 'Status', reason: 'NotFound', message: 'pods "suspect" not found', code: 404 });
  const err = new ApiException(404, 'Unknown API Status Code!', body, { authorization: `Bearer ${JWT}`, 'audit-id': 'x' });
  assert.equal(redactError(err), 'HTTP 404: pods "suspect" not found');
});

test('an ApiException with a non-Status body keeps the body but drops the headers and redacts tokens', () => {
  const err = new ApiException(500, 'boom', `upstream said Bearer ${JWT}`, { 'set-cookie': 'session=abc' });
  const out = redactError(err);
  assert.equal(out, 'HTTP 500: Message: boom Body: "upstream said Bearer [REDACTED]"');
});

test('Authorization headers, Bearer and Basic values, JWTs, secret fields and URL userinfo are redacted', () => {
  const text = [
    `Authorization: Bearer ${JWT}`,
    '"authorization":"Basic dXNlcjpwYXNz"',
    `token ${JWT}`,
    'password=hunter2&user=bob',
    'connect https://admin:s3cret@10.0.0.1:6443/api',
    'Cookie: session=abc; theme=dark',
  ].join('\n');
  assert.equal(
    redactSecrets(text),
    [
      'Authorization: [REDACTED]',
      '"authorization":"[REDACTED]"',
      'token [REDACTED-JWT]',
      'password=[REDACTED]&user=bob',
      'connect https://[REDACTED]@10.0.0.1:6443/api',
      'Cookie: [REDACTED]',
    ].join('\n'),
  );
});

test('A11 terminal escapes in exec stderr on an error path come out escaped', () => {
  const stderr = 'tar: \x1b]0;owned\x07\x1b]52;c;Y3VybA==\x07\x1b[2J\u009b1A\rkube-proxy\b\x07 failed';
  const out = redactError(new Error(stderr));
  assert.equal(out, 'Error: tar: \\x1b]0;owned\\x07\\x1b]52;c;Y3VybA==\\x07\\x1b[2J\\u{9b}1A kube-proxy\\x08\\x07 failed');
  assert.equal(findForbidden(out), undefined);
});

test('a long error is capped to the column budget with a visible marker', () => {
  const out = redactError(new Error('x'.repeat(10_000)), { maxColumns: 80 });
  assert.ok(out.length <= 80);
  assert.match(out, /\\…\[\+\d+ bytes\]$/u);
});

test('values that are not Errors are described without calling their methods', () => {
  const hostile = { toString: () => assert.fail('toString was called') };
  assert.equal(redactError(hostile), 'Error');
  assert.equal(redactError(42), 'non-error value thrown (number)');
  assert.equal(redactError('plain \x1b string'), 'plain \\x1b string');
});

test('redaction stays linear on hostile 64 KiB bodies built to make regexes backtrack', () => {
  const bodies = [
    'x'.repeat(65_536),
    'a.'.repeat(32_768),
    'eyJ'.repeat(21_000),
    `${'a'.repeat(20)}.`.repeat(3_000),
    `token${' '.repeat(60_000)}`,
    'a://'.repeat(16_000),
    'authorization '.repeat(4_000),
  ];
  // A backtracking pattern would take minutes on these; the test's timeout is the guard, far above
  // any machine's load (a timed assertion per body would fail on a busy machine).
  for (const body of bodies) redactError(new Error(body));
});

test('property: a JWT or bearer canary anywhere in an error never survives, and nothing forbidden is shown', () => {
  const canary = `${JWT.slice(0, -4)}CNRY`;
  const sep = fc.constantFrom(' ', '\n', '"', ':', '=', ',', '\x1b', '\u202e', '\t');
  const noise = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '.', '-', '"', ':', '\x1b', 'é'), maxLength: 30 });
  const framing = fc.constantFrom('', 'Bearer ', 'Authorization: Bearer ', '"token":"', 'token=', 'Authorization: ');
  fc.assert(
    fc.property(noise, sep, framing, sep, noise, (before, s1, frame, s2, after) => {
      const out = redactError(new Error(before + s1 + frame + canary + s2 + after), { maxColumns: 10_000 });
      assert.ok(!out.includes('CNRY'), out);
      assert.equal(findForbidden(out), undefined);
    }),
    { numRuns },
  );
});
