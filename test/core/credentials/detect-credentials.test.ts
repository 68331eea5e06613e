// SEC-1, F1, F2: the credentials of the fixture pod's containers, found by path and by variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  containerPath, credentialPaths, detectCredentials, fingerprintSecret, type CredentialFile, type EnvPair,
} from '../../../src/core/credentials/index.js';
import { CASE_KEY, FC_RUNS, fixturePod, ISSUED_AT, makeJwt, projectedTokenPayload, utf8 } from './helpers.js';

test('credentialPaths of the app container: default token, projected tokens, Secret volumes and variable-named files', () => {
  const { spec } = fixturePod();
  const paths = credentialPaths(spec, 'app').map((entry) => [entry.path, entry.kind, entry.directory, entry.secretName ?? null, entry.key ?? null]);
  assert.deepEqual(paths, [
    ['/etc/shop/db/password', 'secret-file', false, 'shop-db', 'password'],
    ['/etc/shop/db/user', 'secret-file', false, 'shop-db', 'username'],
    ['/etc/shop/tls', 'secret-file', true, 'shop-tls', null],
    ['/var/run/secrets/eks.amazonaws.com/serviceaccount/token', 'aws-web-identity-token', false, null, null],
    ['/var/run/secrets/kubernetes.io/serviceaccount/token', 'serviceaccount-token', false, null, null],
    ['/var/run/secrets/vault/token', 'projected-token', false, null, null],
    ['/var/secrets/google', 'secret-file', true, 'shop-gcp-sa', null],
    ['/var/secrets/google/key.json', 'gcp-credentials-file', false, 'shop-gcp-sa', 'key.json'],
  ]);
  const aws = credentialPaths(spec, 'app').find((entry) => entry.kind === 'aws-web-identity-token');
  assert.deepEqual(aws?.sources, ['volume:aws-iam-token', 'env:AWS_WEB_IDENTITY_TOKEN_FILE']);
  assert.equal(aws?.audience, 'sts.amazonaws.com');
});

test('credentialPaths of the sidecar: its own Azure token and subPath Secret file, not the app\'s volumes', () => {
  const { spec } = fixturePod();
  const paths = credentialPaths(spec, 'token-refresher').map((entry) => [entry.path, entry.kind, entry.directory]);
  assert.deepEqual(paths, [
    ['/etc/refresher/secret.txt', 'secret-file', false],
    ['/var/run/secrets/azure/tokens/azure-identity-token', 'azure-federated-token', false],
    ['/var/run/secrets/kubernetes.io/serviceaccount/token', 'serviceaccount-token', false],
  ]);
});

test('credentialPaths always lists the default token path and adds files the live environment names', () => {
  assert.deepEqual(credentialPaths(undefined, 'x').map((entry) => entry.path), ['/var/run/secrets/kubernetes.io/serviceaccount/token']);
  const environ: EnvPair[] = [
    { name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/tmp/../home/app/.config/gcloud/adc.json' },
    { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: 'relative/token' },
    { name: 'AZURE_FEDERATED_TOKEN_FILE', value: utf8('/azure/token') },
  ];
  assert.deepEqual(credentialPaths({}, 'x', environ).map((entry) => [entry.path, entry.kind]), [
    ['/azure/token', 'azure-federated-token'],
    ['/home/app/.config/gcloud/adc.json', 'gcp-credentials-file'],
    ['/var/run/secrets/kubernetes.io/serviceaccount/token', 'serviceaccount-token'],
  ]);
  assert.equal(containerPath('/a/\0b'), undefined);
  assert.equal(containerPath('/a//b/../c/'), '/a/c');
});

test('credentialPaths survives a pod spec with wrong types everywhere', () => {
  const hostile = { volumes: [null, 1, { name: 'v', secret: null }, { name: 'p', projected: { sources: 'x' } }], containers: [null, { name: 'c', volumeMounts: [{ name: 'v', mountPath: 7 }, null], env: 'x' }] };
  assert.deepEqual(credentialPaths(hostile as never, 'c').map((entry) => entry.path), ['/var/run/secrets/kubernetes.io/serviceaccount/token']);
});

/** The app container as a capture sees it: its environ and the files at its credential paths. */
function appCapture(): { environ: EnvPair[]; files: CredentialFile[]; tokens: { sa: string; aws: string; vault: string } } {
  const tokens = {
    sa: makeJwt(projectedTokenPayload()),
    aws: makeJwt(projectedTokenPayload({ aud: ['sts.amazonaws.com'], exp: ISSUED_AT + 86_400, jti: 'b1c2d3e4-0000-4000-8000-aaaaaaaaaaaa' })),
    vault: makeJwt(projectedTokenPayload({ aud: ['vault'], exp: ISSUED_AT + 600, jti: 'c1d2e3f4-0000-4000-8000-bbbbbbbbbbbb' })),
  };
  const environ: EnvPair[] = [
    { name: 'PATH', value: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    { name: 'HOSTNAME', value: 'web-7d9f8b6c5-x2x7k' },
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'POD_NAME', value: 'web-7d9f8b6c5-x2x7k' },
    { name: 'DB_HOST', value: 'db.shop.svc' },
    { name: 'DB_PASSWORD', value: 'correct horse battery staple' },
    { name: 'PAYMENTS_SIGNING', value: utf8('whsec_9f8e7d6c5b4a') },
    { name: 'API_STRIPE', value: 'sk_live_51HxYzAbCdEfGhIjKlMnOp' },
    { name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/var/secrets/google/key.json' },
    { name: 'AWS_REGION', value: 'eu-west-1' },
    { name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::123456789012:role/shop-web' },
    { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' },
    { name: 'KUBERNETES_SERVICE_HOST', value: '172.20.0.1' },
    { name: 'KUBERNETES_PORT_443_TCP', value: 'tcp://172.20.0.1:443' },
  ];
  const gcp = JSON.stringify({
    type: 'service_account', project_id: 'shop-prod', private_key_id: '3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a',
    private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n',
    client_email: 'shop-web@shop-prod.iam.gserviceaccount.com', client_id: '104857600000000000001',
    token_uri: 'https://oauth2.googleapis.com/token',
  });
  const files: CredentialFile[] = [
    { path: '/var/run/secrets/kubernetes.io/serviceaccount/token', content: utf8(tokens.sa) },
    { path: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', content: utf8(tokens.aws) },
    { path: '/var/run/secrets/vault/token', content: utf8(`${tokens.vault}\n`) },
    { path: '/etc/shop/db/password', content: utf8('correct horse battery staple') },
    { path: '/etc/shop/db/user', content: utf8('shop') },
    { path: '/etc/shop/tls/..data/tls.key', content: utf8('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----\n') },
    { path: '/var/secrets/google/key.json', content: utf8(gcp) },
    { path: '/etc/passwd', content: utf8('root:x:0:0:root:/root:/bin/sh\n') },
  ];
  return { environ, files, tokens };
}

test('detectCredentials over the app container finds exactly the expected kinds and locations', () => {
  const { spec, metadata } = fixturePod();
  const { environ, files } = appCapture();
  const { records } = detectCredentials(
    { pid: 4242, namespace: metadata.namespace, podSpec: spec, containerName: 'app', environ, files },
    { caseKey: CASE_KEY, now: new Date((ISSUED_AT + 1800) * 1000) },
  );
  assert.deepEqual(records.map((record) => [record.kind, record.location]), [
    ['secret-env', 'env:DB_PASSWORD'],
    ['secret-env', 'env:PAYMENTS_SIGNING'],
    ['secret-env', 'env:API_STRIPE'],
    ['serviceaccount-token', 'file:/var/run/secrets/kubernetes.io/serviceaccount/token'],
    ['aws-web-identity-token', 'file:/var/run/secrets/eks.amazonaws.com/serviceaccount/token'],
    ['projected-token', 'file:/var/run/secrets/vault/token'],
    ['secret-file', 'file:/etc/shop/db/password'],
    ['secret-file', 'file:/etc/shop/db/user'],
    ['secret-file', 'file:/etc/shop/tls/..data/tls.key'],
    ['gcp-credentials-file', 'file:/var/secrets/google/key.json'],
    ['secret-file', 'file:/etc/passwd'],
  ]);
  for (const record of records) assert.equal(record.pid, 4242);
  assert.deepEqual(records.at(-1)?.warnings.map((warning) => warning.code), ['UNLISTED_FILE']);
});

test('token records carry subject, expiry, the expired flag at now, and claims with jti and the pod binding', () => {
  const { spec, metadata } = fixturePod();
  const { environ, files } = appCapture();
  const now = new Date((ISSUED_AT + 1800) * 1000);
  const { records } = detectCredentials({ pid: 1, namespace: metadata.namespace, podSpec: spec, containerName: 'app', environ, files }, { caseKey: CASE_KEY, now });
  const byLocation = new Map(records.map((record) => [record.location, record]));
  const sa = byLocation.get('file:/var/run/secrets/kubernetes.io/serviceaccount/token');
  assert.equal(sa?.subject, 'system:serviceaccount:shop:web');
  assert.equal(sa?.expiresAt, '2025-11-27T05:11:46.000Z');
  assert.equal(sa?.expired, false);
  const claims = JSON.parse(sa?.claimsJson ?? '{}') as { jwt: Record<string, unknown>; sources: string[] };
  assert.equal(claims.jwt.jti, '0f9e8d7c-6b5a-4948-8372-6150e4d3c2b1');
  assert.deepEqual(claims.jwt['kubernetes.io'], {
    namespace: 'shop',
    node: { name: 'ip-10-0-12-34.eu-west-1.compute.internal', uid: '2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a' },
    pod: { name: 'web-7d9f8b6c5-x2x7k', uid: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b' },
    serviceaccount: { name: 'web', uid: '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d' },
    warnafter: ISSUED_AT + 3600,
  });
  assert.deepEqual(claims.sources, ['default', 'volume:kube-api-access-8xk2p']);
  const vault = byLocation.get('file:/var/run/secrets/vault/token');
  assert.equal(vault?.expired, true, 'the vault token lived 600 s and now is 1800 s after issue');
  const aws = JSON.parse(byLocation.get('file:/var/run/secrets/eks.amazonaws.com/serviceaccount/token')?.claimsJson ?? '{}') as Record<string, unknown>;
  assert.equal(aws.AWS_ROLE_ARN, 'arn:aws:iam::123456789012:role/shop-web');
  assert.equal(aws.audience, 'sts.amazonaws.com');
});

test('Secret files and variables carry the Secret and key names; the GCP file its principal but not its key', () => {
  const { spec, metadata } = fixturePod();
  const { environ, files } = appCapture();
  const { records } = detectCredentials({ namespace: metadata.namespace, podSpec: spec, containerName: 'app', environ, files }, { caseKey: CASE_KEY, now: new Date(0) });
  const claims = (location: string): Record<string, unknown> => JSON.parse(records.find((record) => record.location === location)?.claimsJson ?? 'null') as Record<string, unknown>;
  assert.deepEqual(claims('env:DB_PASSWORD'), { key: 'password', rule: 'secret-key-ref', secret: 'shop-db' });
  assert.deepEqual(claims('file:/etc/shop/db/password'), { key: 'password', secret: 'shop-db', sources: ['volume:db-creds'] });
  assert.deepEqual(claims('file:/etc/shop/tls/..data/tls.key'), { key: 'tls.key', secret: 'shop-tls', sources: ['volume:tls'] });
  const gcp = records.find((record) => record.kind === 'gcp-credentials-file');
  assert.equal(gcp?.subject, 'shop-web@shop-prod.iam.gserviceaccount.com');
  assert.deepEqual((claims('file:/var/secrets/google/key.json').gcp as Record<string, unknown>).type, 'service_account');
  assert.ok(!(gcp?.claimsJson ?? '').includes('PRIVATE KEY'));
  assert.ok(!(gcp?.claimsJson ?? '').includes('MIIEvQ'));
  // The same password in a variable and a file gets one fingerprint, so the two sightings join.
  const password = records.filter((record) => record.fingerprint === fingerprintSecret(CASE_KEY, 'correct horse battery staple'));
  assert.deepEqual(password.map((record) => record.location), ['env:DB_PASSWORD', 'file:/etc/shop/db/password']);
});

test('one live token handle per distinct JWT, which reveals the raw token only on request', () => {
  const { spec, metadata } = fixturePod();
  const { environ, files, tokens } = appCapture();
  const twice = [...files, { path: '/var/run/secrets/vault/token', content: utf8(tokens.vault) }];
  const { liveTokens } = detectCredentials({ namespace: metadata.namespace, podSpec: spec, containerName: 'app', environ, files: twice }, { caseKey: CASE_KEY, now: new Date(0) });
  assert.deepEqual(liveTokens.map((handle) => handle.kind), ['serviceaccount-token', 'aws-web-identity-token', 'projected-token']);
  assert.deepEqual(liveTokens.map((handle) => handle.reveal()), [tokens.sa, tokens.aws, tokens.vault]);
  assert.deepEqual(liveTokens[2]?.audiences, ['vault']);
  assert.equal(liveTokens[0]?.fingerprint, fingerprintSecret(CASE_KEY, tokens.sa));
});

test('an unreadable token file still gives a row with its fingerprint, the ServiceAccount from the spec, and a warning', () => {
  const { spec, metadata } = fixturePod();
  const garbage = utf8('\x00\xffnot-a-jwt');
  const { records, liveTokens } = detectCredentials(
    { namespace: metadata.namespace, podSpec: spec, containerName: 'app', files: [{ path: '/var/run/secrets/kubernetes.io/serviceaccount/token', content: garbage }] },
    { caseKey: CASE_KEY, now: new Date(0) },
  );
  assert.equal(records.length, 1);
  assert.equal(records[0]?.subject, 'system:serviceaccount:shop:web');
  assert.equal(records[0]?.fingerprint, fingerprintSecret(CASE_KEY, garbage));
  assert.equal(records[0]?.expiresAt, null);
  assert.deepEqual(records[0]?.warnings.map((warning) => warning.code), ['JWT_MALFORMED']);
  assert.equal(liveTokens.length, 0);
});

test('detectCredentials never throws on arbitrary environments, files and pod specs, and stores no flagged value', () => {
  const { spec } = fixturePod();
  const secretName = fc.constantFrom('DB_PASSWORD', 'API_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'API_STRIPE', 'PAYMENTS_SIGNING');
  // Each secret holds a random 16-hex core, so finding it in the output cannot be a coincidence.
  const secret = fc.tuple(fc.string({ maxLength: 12 }), fc.stringMatching(/^[0-9a-f]{16}$/), fc.string({ maxLength: 12 })).map((parts) => parts.join(''));
  const pair = fc.oneof(
    fc.record({ name: secretName, value: secret }),
    fc.record({ name: fc.string({ maxLength: 16 }), value: fc.oneof(fc.constant(null), fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 24 })) }),
  );
  const file = fc.record({
    path: fc.oneof(fc.constantFrom('/var/run/secrets/kubernetes.io/serviceaccount/token', '/etc/shop/tls/tls.crt', '/var/secrets/google/key.json'), fc.string({ maxLength: 20 })),
    content: fc.uint8Array({ maxLength: 64 }),
  });
  const podSpec = fc.oneof(
    fc.constant(spec),
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 4 }).map((value) => value as never),
    fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 4 }).map((edits) => corrupt(spec, edits)),
  );
  fc.assert(
    fc.property(fc.array(pair, { maxLength: 8 }), fc.array(file, { maxLength: 4 }), podSpec, (environ, files, anySpec) => {
      const { records } = detectCredentials({ podSpec: anySpec, containerName: 'app', environ, files }, { caseKey: CASE_KEY, now: new Date(0) });
      const stored = JSON.stringify(records);
      for (const record of records) assert.match(record.fingerprint, /^hmac-sha256:[0-9a-f]{64}$/);
      for (const entry of environ) {
        if (typeof entry.value === 'string' && /[0-9a-f]{16}/.test(entry.value) && records.some((record) => record.location === `env:${entry.name}`)) {
          assert.ok(!stored.includes(entry.value), `${entry.name} stored in the clear`);
        }
      }
    }),
    { numRuns: Math.min(FC_RUNS, 1000) },
  );
});

/** Replaces subtrees of a real pod spec (chosen by index among all its nodes) with arbitrary JSON. */
function corrupt(spec: unknown, edits: ReadonlyArray<readonly [number, unknown]>): never {
  const copy = structuredClone(spec) as Record<string, unknown>;
  for (const [pick, value] of edits) {
    const slots: Array<[Record<string, unknown>, string]> = [];
    const walk = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      for (const [key, child] of Object.entries(node)) {
        slots.push([node as Record<string, unknown>, key]);
        walk(child);
      }
    };
    walk(copy);
    const slot = slots[pick % slots.length];
    if (slot !== undefined) slot[0][slot[1]] = value;
  }
  return copy as never;
}
