// F7, SEC-3: planted canaries appear, in no encoding, in anything the credential code returns;
// and the scanner that says so finds every encoding when a canary is there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import {
  detectCredentials, findSecretInBytes, LiveTokenHandle, redactEnviron, secretEncodings, textContainsSecret,
  type CredentialFile, type EnvPair,
} from '../../../src/core/credentials/index.js';
import { CASE_KEY, canary, FC_RUNS, fixturePod, makeJwt, projectedTokenPayload, utf8 } from './helpers.js';

const encoder = new TextEncoder();

test('secretEncodings lists plain, base64 (std, url, padded or not, shifted), hex, percent and JSON forms', () => {
  // 17 bytes (not a multiple of 3) whose "?" and "~" put "/" and "+" in every base64 form, so no two forms coincide.
  const names = secretEncodings('s3cr3t???~~~é"xy').map((encoding) => encoding.encoding);
  for (const name of [
    'plain', 'utf16le', 'base64', 'base64-unpadded', 'base64-shift0', 'base64-shift1', 'base64-shift2', 'base64url', 'base64url-unpadded',
    'base64url-shift1', 'base64url-shift2', 'hex', 'hex-upper', 'hex-spaced', 'decimal-list', 'json-typed-array', 'percent', 'percent-every-byte',
    'json', 'json-ascii',
  ]) assert.ok(names.includes(name), name);
  const forms = new Map(secretEncodings('ab"é').map((encoding) => [encoding.encoding, encoding.text]));
  assert.equal(forms.get('base64'), Buffer.from('ab"é').toString('base64'));
  assert.equal(forms.get('hex'), '616222c3a9');
  assert.equal(forms.get('hex-spaced'), '61 62 22 c3 a9');
  assert.equal(forms.get('decimal-list'), '97,98,34,195,169');
  assert.equal(forms.get('percent'), 'ab%22%C3%A9');
  assert.equal(forms.get('json'), 'ab\\"é');
  assert.equal(forms.get('json-ascii'), 'ab\\"\\u00e9');
  assert.deepEqual(secretEncodings(''), []);
});

test('findSecretInBytes finds the canary in every one of its encodings inside surrounding bytes', () => {
  const secret = canary('scan');
  for (const { encoding, bytes } of secretEncodings(secret)) {
    const hay = Buffer.concat([randomBytes(97), bytes, randomBytes(31)]);
    const hits = findSecretInBytes(hay, secret);
    assert.ok(hits.some((hit) => hit.encoding === encoding && hit.offset === 97), `${encoding} not found`);
  }
});

test('findSecretInBytes finds a canary base64-encoded inside a larger blob at any alignment, std or url', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), fc.constantFrom('base64', 'base64url'), (before, after, alphabet) => {
      const secret = utf8(canary('blob'));
      const blob = Buffer.concat([before, secret, after]).toString(alphabet);
      const hits = findSecretInBytes(utf8(`{"data":"${blob}"}`), secret);
      // Without "+" or "/" in the blob the two alphabets coincide and the form is listed once, as base64.
      assert.ok(hits.some((hit) => hit.encoding.startsWith('base64')), `missed at offset ${before.length}`);
    }),
    { numRuns: Math.min(FC_RUNS, 1000) },
  );
});

test('findSecretInBytes finds base64 and hex wrapped at 76 and 64 columns, reporting the unwrapped hit', () => {
  const secret = canary('wrap');
  const wrap = (text: string, width: number, eol: string): string => (text.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(eol);
  const blob = Buffer.concat([randomBytes(50), Buffer.from(secret), randomBytes(50)]);
  for (const [text, width, eol] of [[blob.toString('base64'), 76, '\r\n'], [blob.toString('hex'), 64, '\n']] as const) {
    const hay = utf8(wrap(text, width, eol));
    const hits = findSecretInBytes(hay, secret);
    assert.ok(hits.some((hit) => hit.unwrapped), `wrapped at ${width}`);
  }
});

test('findSecretInBytes finds nothing in bytes that do not hold the canary', () => {
  const secret = canary('absent');
  assert.deepEqual(findSecretInBytes(randomBytes(1 << 16), secret), []);
  assert.deepEqual(findSecretInBytes(utf8(`kustody-canary-absent-${'0'.repeat(24)}`), secret), []);
  assert.deepEqual(findSecretInBytes(randomBytes(64), ''), []);
});

test('the text scanner catches a naive leak of a planted canary, so a clean result means something', () => {
  const secret = canary('naive');
  assert.equal(textContainsSecret(JSON.stringify([{ name: 'DB_PASSWORD', value: Buffer.from(secret) }]), secret), 'decimal-list');
  assert.equal(textContainsSecret(JSON.stringify([{ name: 'DB_PASSWORD', value: utf8(secret) }]), secret), 'json-typed-array');
  assert.equal(textContainsSecret(inspect(Buffer.from(secret)), secret), 'hex-spaced');
  assert.equal(textContainsSecret(JSON.stringify({ value: Buffer.from(secret).toString('base64') }), secret), 'base64');
  assert.equal(textContainsSecret(`Authorization: Bearer ${secret}`, secret), 'plain');
});

/** A capture of the fixture pod's app container with a unique canary in every place a secret can hide. */
function plantedCapture(): { canaries: string[]; environ: EnvPair[]; files: CredentialFile[] } {
  const c = {
    secretRef: canary('secret-key-ref'),
    envFrom: canary('env-from'),
    named: canary('named'),
    url: canary('url'),
    jvm: canary('jvm'),
    neutral: randomBytes(32).toString('base64url'),
    bytes: canary('bytes'),
    nameIsSecret: `ghp_${randomBytes(24).toString('hex')}`,
    file: canary('file'),
    gcpKey: canary('gcp-private-key'),
    signature: canary('jwt-signature'),
    garbageToken: canary('garbage-token'),
  };
  const signed = makeJwt(projectedTokenPayload()).split('.');
  const tokenWithCanarySignature = `${signed[0]}.${signed[1]}.${Buffer.from(c.signature).toString('base64url')}`;
  const realToken = makeJwt(projectedTokenPayload({ aud: ['sts.amazonaws.com'] }));
  const environ: EnvPair[] = [
    { name: 'DB_PASSWORD', value: c.secretRef },
    { name: 'API_TOKEN_PAYMENTS', value: c.envFrom },
    { name: 'SMTP_PASSWORD', value: c.named },
    { name: 'DATABASE_URL', value: `postgres://shop:${c.url}@db.shop.svc:5432/shop` },
    { name: 'JAVA_TOOL_OPTIONS', value: `-Xmx512m -Dspring.datasource.password=${c.jvm}` },
    { name: 'FEATURE_BLOB', value: c.neutral },
    { name: 'PAYMENTS_SIGNING', value: utf8(c.bytes) },
    { name: c.nameIsSecret, value: '1' },
    { name: 'VAULT_JWT', value: realToken },
    { name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::123456789012:role/shop-web' },
  ];
  const gcp = JSON.stringify({ type: 'service_account', client_email: 'shop-web@shop-prod.iam.gserviceaccount.com', private_key: c.gcpKey });
  const files: CredentialFile[] = [
    { path: '/var/run/secrets/kubernetes.io/serviceaccount/token', content: utf8(tokenWithCanarySignature) },
    { path: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', content: utf8(realToken) },
    { path: '/var/run/secrets/vault/token', content: utf8(c.garbageToken) },
    { path: '/etc/shop/db/password', content: utf8(`${c.file}\n`) },
    { path: '/etc/shop/tls/..data/tls.key', content: utf8(`-----BEGIN EC PRIVATE KEY-----\n${c.file}\n-----END EC PRIVATE KEY-----\n`) },
    { path: '/var/secrets/google/key.json', content: utf8(gcp) },
  ];
  return { canaries: [...Object.values(c), tokenWithCanarySignature, realToken], environ, files };
}

test('no planted canary, in any encoding, is in the records, live handles or redacted environ that are returned', () => {
  const { spec, metadata } = fixturePod();
  const { canaries, environ, files } = plantedCapture();
  const detected = detectCredentials({ pid: 7, namespace: metadata.namespace, podSpec: spec, containerName: 'app', environ, files }, { caseKey: CASE_KEY, now: new Date(0) });
  const redacted = redactEnviron(environ, { caseKey: CASE_KEY, podSpec: spec, containerName: 'app' });
  // Something was found for every planted secret, so the checks below are not vacuous.
  assert.equal(detected.records.length, 15);
  assert.equal(redacted.filter((pair) => pair.redacted).length, 9);
  assert.equal(detected.liveTokens.length, 2);
  const outputs: Array<[string, string]> = [
    ['JSON.stringify(detected)', JSON.stringify(detected)],
    ['JSON.stringify(redactEnviron)', JSON.stringify(redacted, (_key, value: unknown) => (value instanceof Uint8Array ? [...value] : value))],
    ['inspect(detected)', inspect(detected, { depth: null, showHidden: true, maxArrayLength: null, maxStringLength: null })],
    ['inspect(handles, customInspect off)', inspect(detected.liveTokens, { depth: null, showHidden: true, customInspect: false })],
    ['String(handles)', detected.liveTokens.map((handle) => `${handle} ${String(handle)} ${handle.toString()}`).join()],
    ['structuredClone(handles)', JSON.stringify(detected.liveTokens.map((handle) => ({ ...structuredClone(handle), ...handle })))],
  ];
  for (const secret of canaries) {
    for (const [where, text] of outputs) {
      assert.equal(textContainsSecret(text, secret), null, `${where} holds canary ${secret.slice(0, 28)}`);
      assert.deepEqual(findSecretInBytes(encoder.encode(text), secret), [], `${where} holds canary ${secret.slice(0, 28)}`);
    }
  }
});

test('a live token handle prints as its fingerprint in inspect, JSON, template strings and errors', () => {
  const token = makeJwt(projectedTokenPayload());
  const handle = new LiveTokenHandle(token, CASE_KEY, { kind: 'projected-token', location: 'file:/t', subject: null, audiences: [], expiresAt: null });
  const shown = `[token ${handle.fingerprint}]`;
  assert.equal(inspect(handle), shown);
  assert.equal(JSON.stringify({ handle }), JSON.stringify({ handle: shown }));
  assert.equal(`${handle}`, shown);
  assert.equal(String(handle), shown);
  assert.ok(!inspect(new Error('failed', { cause: handle })).includes(token.slice(0, 40)));
  assert.ok(!Object.values(handle).some((value) => value === token));
  assert.equal(handle.reveal(), token);
});
