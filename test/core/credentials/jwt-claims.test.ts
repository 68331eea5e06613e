// F1: a token's claims are read without its signature, and no input makes the decoder throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from '../../../src/core/custody/canonical-json.js';
import { decodeJwtClaims, jwtClaimsObject, JWT_LIMITS, looksLikeJwt } from '../../../src/core/credentials/index.js';
import { FC_RUNS, ISSUED_AT, makeJwt, projectedTokenPayload } from './helpers.js';

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

test('an RS256 projected ServiceAccount token gives its claims, Kubernetes binding and expiry', () => {
  const token = makeJwt(projectedTokenPayload());
  const result = decodeJwtClaims(token);
  assert.deepEqual(result.warnings, []);
  assert.equal(result.expiresAt, '2025-11-27T05:11:46.000Z');
  assert.deepEqual(result.claims, {
    alg: 'RS256',
    kid: 'Zb5mM8tYq0sCq1pXj3N2kD4fG6hJ8lQ0wE2rT4yU6iO',
    iss: 'https://oidc.eks.eu-west-1.amazonaws.com/id/5C3F8A0E1B2D4C6E8F0A2B4C6D8E0F1A',
    sub: 'system:serviceaccount:shop:web',
    aud: ['https://kubernetes.default.svc.cluster.local'],
    exp: ISSUED_AT + 3607,
    iat: ISSUED_AT,
    nbf: ISSUED_AT,
    jti: '0f9e8d7c-6b5a-4948-8372-6150e4d3c2b1',
    kubernetes: {
      namespace: 'shop',
      pod: { name: 'web-7d9f8b6c5-x2x7k', uid: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b' },
      serviceAccount: { name: 'web', uid: '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d' },
      node: { name: 'ip-10-0-12-34.eu-west-1.compute.internal', uid: '2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a' },
      secretName: null,
      warnAfter: ISSUED_AT + 3600,
    },
  });
});

test('the stored claims JSON keeps the token\'s own field names and neither its signature nor the raw token', () => {
  const token = makeJwt(projectedTokenPayload());
  const claims = decodeJwtClaims(`${token}\n`).claims;
  assert.ok(claims !== null);
  const json = canonicalJson(jwtClaimsObject(claims));
  assert.match(json, /"kubernetes\.io":\{"namespace":"shop","node":\{"name":"ip-10-0-12-34/);
  assert.match(json, /"jti":"0f9e8d7c-6b5a-4948-8372-6150e4d3c2b1"/);
  const [head = '', body = '', signature = ''] = token.split('.');
  assert.ok(signature.length > 300);
  for (const part of [token, head, body, signature, signature.slice(0, 24), Buffer.from(signature, 'base64url').toString('hex').slice(0, 24)]) {
    assert.ok(!json.includes(part), 'claims JSON holds a piece of the token');
  }
});

test('a legacy Secret-based token gives its ServiceAccount and Secret name from the flat claims', () => {
  const token = makeJwt({
    iss: 'kubernetes/serviceaccount',
    'kubernetes.io/serviceaccount/namespace': 'shop',
    'kubernetes.io/serviceaccount/secret.name': 'web-token-7x9kq',
    'kubernetes.io/serviceaccount/service-account.name': 'web',
    'kubernetes.io/serviceaccount/service-account.uid': '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d',
    sub: 'system:serviceaccount:shop:web',
  });
  const { claims, expiresAt, warnings } = decodeJwtClaims(token);
  assert.deepEqual(warnings, []);
  assert.equal(expiresAt, null, 'legacy tokens never expire');
  assert.deepEqual(claims?.kubernetes, {
    namespace: 'shop', pod: null, node: null, secretName: 'web-token-7x9kq', warnAfter: null,
    serviceAccount: { name: 'web', uid: '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d' },
  });
});

test('every truncation of a real token gives a result, and cuts before the signature give warnings and no claims', () => {
  const token = makeJwt(projectedTokenPayload());
  const signatureStart = token.lastIndexOf('.') + 1;
  for (let length = 0; length <= token.length; length += 1) {
    const result = decodeJwtClaims(token.slice(0, length));
    if (length < signatureStart) {
      assert.equal(result.claims, null, `cut at ${length}`);
      assert.ok(result.warnings.length > 0, `cut at ${length}`);
    } else {
      // The signature is never checked, so a cut inside it still shows the claims.
      assert.equal(result.claims?.sub, 'system:serviceaccount:shop:web');
    }
  }
});

test('garbage, JWE, non-JSON, non-object, too large and too deep tokens each give their own warning', () => {
  const cases: Array<[string, string]> = [
    ['', 'JWT_MALFORMED'],
    ['not a token at all', 'JWT_MALFORMED'],
    ['a.b.c.d.e', 'JWT_MALFORMED'],
    [`${b64({ alg: 'RS256' })}.${b64('not json')}.sig`, 'JWT_NOT_JSON'],
    [`${b64({ alg: 'RS256' })}.${b64([1, 2, 3])}.sig`, 'JWT_NOT_JSON'],
    [`${b64({ alg: 'RS256' })}.${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.sig`, 'JWT_NOT_JSON'],
    [`${b64({ alg: 'RS256' })}.e30!.sig`, 'JWT_NOT_JSON'],
    [`${b64({ alg: 'RS256' })}.${b64(`${'['.repeat(JWT_LIMITS.maxDepth + 1)}${']'.repeat(JWT_LIMITS.maxDepth + 1)}`)}.sig`, 'JWT_TOO_DEEP'],
    [`${b64({ alg: 'RS256' })}.${b64({ pad: 'x'.repeat(JWT_LIMITS.maxJsonChars) })}.sig`, 'JWT_TOO_LARGE'],
    [`eyJ${'A'.repeat(1 << 20)}.eyJ.x`, 'JWT_TOO_LARGE'],
  ];
  for (const [token, code] of cases) {
    const result = decodeJwtClaims(token);
    assert.equal(result.claims, null, code);
    assert.deepEqual(result.warnings.map((warning) => warning.code), [code], token.slice(0, 40));
  }
});

test('claims of the wrong type are dropped with a warning naming the claim while the rest is kept', () => {
  const token = makeJwt(projectedTokenPayload({ exp: '2030-01-01', sub: 42, aud: [1, 'x'], iat: 1e300, jti: 'x'.repeat(5000) }));
  const { claims, expiresAt, warnings } = decodeJwtClaims(token);
  assert.equal(claims?.sub, null);
  assert.equal(claims?.exp, null);
  assert.deepEqual(claims?.aud, []);
  assert.equal(claims?.jti?.length, JWT_LIMITS.maxClaimChars);
  assert.equal(claims?.iss, 'https://oidc.eks.eu-west-1.amazonaws.com/id/5C3F8A0E1B2D4C6E8F0A2B4C6D8E0F1A');
  assert.equal(expiresAt, null);
  assert.deepEqual(warnings.map((warning) => warning.code), ['JWT_BAD_CLAIM', 'JWT_BAD_CLAIM', 'JWT_BAD_CLAIM', 'JWT_BAD_CLAIM']);
  const huge = decodeJwtClaims(makeJwt({ exp: 1e20 }));
  assert.equal(huge.claims?.exp, 1e20);
  assert.equal(huge.expiresAt, null);
  assert.deepEqual(huge.warnings.map((warning) => warning.code), ['JWT_BAD_CLAIM']);
});

test('a __proto__ claim is read as data and pollutes nothing', () => {
  const token = `${b64({ alg: 'none' })}.${b64('{"__proto__":{"polluted":1},"kubernetes.io":{"__proto__":{"namespace":"x"}},"sub":"s"}')}.`;
  const { claims } = decodeJwtClaims(token);
  assert.equal(claims?.sub, 's');
  assert.equal(claims?.kubernetes?.namespace, null);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('the decoder never throws on arbitrary strings and its warnings quote none of the input', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
      const result = decodeJwtClaims(text);
      assert.ok(result.claims !== null || result.warnings.length > 0);
      for (const warning of result.warnings) assert.match(warning.message, /^[\x20-\x7e]*$/);
    }),
    { numRuns: FC_RUNS },
  );
});

test('the decoder never throws on JWT-shaped input with arbitrary JSON, and keeps no member it does not know', () => {
  const secretKey = fc.constantFrom('password', 'private_key', 'x-secret', '__proto__', 'constructor');
  const payload = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.oneof(secretKey, fc.string()), fc.jsonValue({ maxDepth: 3 })));
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 2 }), payload, fc.string({ maxLength: 20 }), (header, body, signature) => {
      const planted = 'PLANTED-7f3a9c1e5b';
      const bodyWithSecret = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, extra: planted } : body;
      const result = decodeJwtClaims(`${b64(header)}.${b64(bodyWithSecret)}.${b64(signature)}`);
      if (result.claims !== null) {
        assert.ok(!canonicalJson(jwtClaimsObject(result.claims)).includes(planted));
        assert.equal(typeof result.claims.sub === 'string' || result.claims.sub === null, true);
      }
      for (const warning of result.warnings) assert.ok(!warning.message.includes(planted));
    }),
    { numRuns: FC_RUNS },
  );
});

test('looksLikeJwt accepts compact JWS shapes only', () => {
  assert.equal(looksLikeJwt(makeJwt({ sub: 'x' })), true);
  assert.equal(looksLikeJwt(`  ${makeJwt({ sub: 'x' })}\n`), true);
  assert.equal(looksLikeJwt('eyJ.eyJ'), false);
  assert.equal(looksLikeJwt('hunter2'), false);
  assert.equal(looksLikeJwt(`eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig and more`), false);
});
