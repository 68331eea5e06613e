// SEC-1, SEC-3: which variables count as credentials, and redactEnviron storing none of their values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  classifyEnv, envSources, fingerprintSecret, kindFromName, looksRandom, matchValuePattern, redactEnviron, type EnvPair,
} from '../../../src/core/credentials/index.js';
import { CASE_KEY, FC_RUNS, fixturePod, makeJwt } from './helpers.js';

const none = envSources(undefined, undefined);

test('credential names are recognised and names that only describe a credential are not', () => {
  const expected: Array<[string, string | null]> = [
    ['AWS_SECRET_ACCESS_KEY', 'cloud-credential-env'],
    ['AWS_SESSION_TOKEN', 'cloud-credential-env'],
    ['AWS_ACCESS_KEY_ID', 'cloud-credential-env'],
    ['AZURE_CLIENT_SECRET', 'cloud-credential-env'],
    ['GITHUB_TOKEN', 'env-credential'],
    ['DB_PASSWORD', 'env-credential'],
    ['REDIS_PASS', 'env-credential'],
    ['JWT_SECRET', 'env-credential'],
    ['STRIPE_API_KEY', 'env-credential'],
    ['SIGNING_KEY', 'env-credential'],
    ['SENTRY_DSN', 'env-credential'],
    ['vault-token', 'env-credential'],
    ['spring.datasource.password', 'env-credential'],
    ['AWS_WEB_IDENTITY_TOKEN_FILE', null],
    ['GOOGLE_APPLICATION_CREDENTIALS', null],
    ['AZURE_FEDERATED_TOKEN_FILE', null],
    ['PASSWORD_FILE', null],
    ['TOKEN_TTL', null],
    ['AZURE_CLIENT_ID', null],
    ['AWS_ROLE_ARN', null],
    ['PWD', null],
    ['OLDPWD', null],
    ['LOG_LEVEL', null],
    ['KEYBOARD', null],
  ];
  for (const [name, kind] of expected) assert.equal(kindFromName(name), kind, name);
});

test('credential-shaped values are recognised under any name by the pattern net', () => {
  const expected: Array<[string, string]> = [
    ['postgres://shop:s3cr3t-pw@db.shop.svc:5432/shop?sslmode=require', 'url-userinfo'],
    ['https://x-access-token:abc@github.com/org/repo.git', 'url-userinfo'],
    ['-Xmx512m -Dspring.datasource.password=hunter2 -Dfile.encoding=UTF-8', 'secret-assignment'],
    ['DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=bG9uZ2tleQ==;EndpointSuffix=core.windows.net', 'secret-assignment'],
    ['--user=root -phunter2', 'mysql-password-flag'],
    ['AKIAIOSFODNN7EXAMPLE', 'aws-access-key-id'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----', 'private-key'],
    ['Bearer abcdefgh12345678', 'auth-scheme'],
    [`ghp_${'a1B2c3D4e5'.repeat(4)}`, 'github-token'],
    ['glpat-xY12abCD34efGH56ijKL', 'gitlab-token'],
    ['xoxb-123456789012-abcdefghij', 'slack-token'],
    [`AIza${'Sy0123456789abcdefghijABCDEFGHIJ_-x'}`, 'google-api-key'],
    ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'stripe-key'],
    [makeJwt({ sub: 'x' }), 'jwt'],
  ];
  for (const [value, id] of expected) {
    assert.equal(matchValuePattern(value), id, value.slice(0, 30));
    assert.deepEqual(classifyEnv('SOME_SETTING', value, none)?.rule, 'value-pattern', value.slice(0, 30));
  }
});

test('ordinary configuration values are not flagged by the pattern or entropy nets', () => {
  const benign = [
    'info', 'eu-west-1', 'regional', 'arn:aws:iam::123456789012:role/shop-web', 'https://login.microsoftonline.com/',
    '/usr/local/openjdk-17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'en_US.UTF-8', 'xterm-256color',
    'tcp://10.96.0.1:443', 'kube-system-coredns-5d78c9869d', 'web-7d9f8b6c5-x2x7k', 'SpringBootApplicationMain',
    'org.springframework.boot.loader.JarLauncher', '-XX:+UseContainerSupport -XX:MaxRAMPercentage=75.0', 'ConfigurationPropertiesBinder2020',
    '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b', 'registry.example.com/shop/web:1.42.0', '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
    'production-eu-west-1-cluster', 'https://kubernetes.default.svc.cluster.local',
  ];
  for (const value of benign) assert.equal(classifyEnv('SOME_SETTING', value, none), null, value);
});

test('the entropy net flags random tokens under neutral names at least 95% of the time', () => {
  const seeds = fc.sample(fc.tuple(fc.integer({ min: 20, max: 64 }), fc.constantFrom('base64', 'base64url', 'hex')), { numRuns: 400, seed: 42 });
  let flagged = 0;
  for (const [length, encoding] of seeds) {
    const token = randomBytes(64).toString(encoding).replace(/=+$/, '').slice(0, encoding === 'hex' ? Math.max(length, 32) : length);
    if (looksRandom(token)) flagged += 1;
  }
  assert.ok(flagged / seeds.length >= 0.95, `only ${flagged} of ${seeds.length} random tokens were flagged`);
});

test('the entropy net skips benign runtime names such as HOSTNAME and Kubernetes service links', () => {
  const random = randomBytes(24).toString('base64url');
  assert.equal(classifyEnv('CONFIG_BLOB', random, none)?.rule, 'entropy');
  for (const name of ['HOSTNAME', 'SHOP_API_SERVICE_HOST', 'SHOP_API_PORT_8080_TCP_ADDR', 'NODE_VERSION']) {
    assert.equal(classifyEnv(name, random, none), null, name);
  }
  // The pattern net still applies to them.
  assert.equal(classifyEnv('HOSTNAME', 'postgres://u:p@db/x', none)?.rule, 'value-pattern');
});

test('secretKeyRef variables are secret-env with the Secret and key, and envFrom candidates follow the prefix', () => {
  const { spec } = fixturePod();
  const sources = envSources(spec, 'app');
  assert.deepEqual(classifyEnv('DB_PASSWORD', 'x', sources), { kind: 'secret-env', rule: 'secret-key-ref', facts: { secret: 'shop-db', key: 'password' } });
  assert.deepEqual(classifyEnv('PAYMENTS_SIGNING', 'x', sources), { kind: 'secret-env', rule: 'secret-key-ref', facts: { secret: 'shop-payments', key: 'signing' } });
  assert.deepEqual(classifyEnv('API_STRIPE', 'x', sources), { kind: 'secret-env', rule: 'env-from', facts: { secrets: ['shop-api-keys'], certain: false } });
  assert.equal(classifyEnv('LOG_FORMAT', 'json', sources), null, 'no API_ prefix, so not from the envFrom Secret');
  assert.equal(classifyEnv('API_', 'x', envSources(spec, 'token-refresher')), null, 'the sidecar has no envFrom');
  assert.equal(classifyEnv('LOG_LEVEL', 'info', sources), null);
});

test('values over 64 KiB count as credentials without being scanned', () => {
  assert.equal(classifyEnv('BLOB', 'a'.repeat(70_000), none)?.rule, 'oversize');
});

test('redactEnviron replaces credential values by their fingerprint and keeps everything else byte for byte', () => {
  const { spec } = fixturePod();
  const jwt = makeJwt({ sub: 'system:serviceaccount:shop:web' });
  const raw = new Uint8Array([0x61, 0xff, 0x62]);
  const pairs: EnvPair[] = [
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'DB_PASSWORD', value: 'pw-from-secret' },
    { name: 'DATABASE_URL', value: 'postgres://shop:pw2@db:5432/shop' },
    { name: 'VAULT_JWT', value: jwt },
    { name: 'API_STRIPE', value: new TextEncoder().encode('sk-from-envfrom') },
    { name: 'ODD_BYTES', value: raw },
    { name: 'NO_EQUALS', value: null },
    { name: `ghp_${'Q'.repeat(36)}`, value: '1' },
  ];
  const out = redactEnviron(pairs, { caseKey: CASE_KEY, podSpec: spec, containerName: 'app' });
  const marker = (value: string): string => `[redacted ${fingerprintSecret(CASE_KEY, value)}]`;
  assert.deepEqual(out, [
    { name: 'LOG_LEVEL', value: 'info', redacted: false },
    { name: 'DB_PASSWORD', value: marker('pw-from-secret'), redacted: true },
    { name: 'DATABASE_URL', value: marker('postgres://shop:pw2@db:5432/shop'), redacted: true },
    { name: 'VAULT_JWT', value: marker(jwt), redacted: true },
    { name: 'API_STRIPE', value: marker('sk-from-envfrom'), redacted: true },
    { name: 'ODD_BYTES', value: raw, redacted: false },
    { name: 'NO_EQUALS', value: null, redacted: false },
    { name: '[redacted entry 7]', value: marker(`ghp_${'Q'.repeat(36)}=1`), redacted: true },
  ]);
});

test('redactEnviron never throws and never passes a flagged value through, for arbitrary environments', () => {
  const pair = fc.record({
    name: fc.oneof(fc.constantFrom('DB_PASSWORD', 'API_KEY', 'PATH', 'HOSTNAME', 'X'), fc.string({ maxLength: 24 })),
    value: fc.oneof(fc.constant(null), fc.string({ maxLength: 80 }), fc.uint8Array({ maxLength: 40 })),
  });
  fc.assert(
    fc.property(fc.array(pair, { maxLength: 12 }), (pairs) => {
      const out = redactEnviron(pairs, { caseKey: CASE_KEY });
      assert.equal(out.length, pairs.length);
      out.forEach((entry, index) => {
        const input = pairs[index];
        assert.ok(input !== undefined);
        const flagged = classifyEnv(input.name, input.value, none) !== null && input.value !== null;
        if (flagged) assert.match(String(entry.value), /^\[redacted hmac-sha256:[0-9a-f]{64}\]$/);
        if (!entry.redacted) assert.equal(entry.value, input.value);
      });
    }),
    { numRuns: FC_RUNS },
  );
});

// About 40 ms here; a quadratic pattern would take minutes: the test's timeout is the guard.
test('hostile 64 KiB values built to make the patterns backtrack are classified without backtracking', { timeout: 60_000 }, () => {
  const n = 65_000;
  const hostile = [
    'a'.repeat(n), 'eyJ'.repeat(n / 3), 'a://'.repeat(n / 4), 'ab:'.repeat(n / 3), ' -p'.repeat(n / 3), 'password '.repeat(n / 9),
    'Bearer '.repeat(n / 7), 'aB3+'.repeat(n / 4), 'ghp_'.repeat(n / 4), '-----BEGIN '.repeat(n / 11), `a://${'b'.repeat(n)}`,
  ];
  for (const value of hostile) classifyEnv('SOME_SETTING', value, none);
});
