import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findSecretInBytes } from '../../src/core/credentials/canary.js';
import { fingerprintSecret } from '../../src/core/credentials/fingerprint.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { startNamespacedWorkload } from '../helpers/namespaced-workload.js';
import { lacks, needsRoot } from '../helpers/prerequisites.js';

const missing = needsRoot('for unshare and to read other processes');

function query(db: string, sql: string): string[][] {
  return execFileSync('sqlite3', ['-separator', '\t', db, sql], { encoding: 'utf8' }).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A ServiceAccount token shaped like the kubelet's projected one, with a unique jti and a random signature. */
function fakeServiceAccountJwt(jti: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', kid: 'kustody-test' };
  const payload = {
    aud: ['https://kubernetes.default.svc.cluster.local'], exp: now + 3600, iat: now, nbf: now, iss: 'https://kubernetes.default.svc.cluster.local', jti,
    'kubernetes.io': { namespace: 'shop', pod: { name: 'suspect', uid: randomUUID() }, serviceaccount: { name: 'web', uid: randomUUID() } },
    sub: 'system:serviceaccount:shop:web',
  };
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${b64url(randomBytes(256))}`;
}

/** Every file below a folder, for scanning all that kustody wrote there. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesBelow(join(dir, e.name)) : [join(dir, e.name)]));
}

test('canaries in env vars, the default token path and a --password= argument reach no file or output of capture local and bundle export', { timeout: 60_000 }, async (t) => {
  if (lacks(t, missing)) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const jti = randomUUID();
  const tokenCanary = fakeServiceAccountJwt(jti);
  const envCanary = `kustody-canary-db-${randomBytes(6).toString('hex')}`;
  // Innocuous name, random value: only the entropy net can catch it.
  const entropyCanary = `Zq8${randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 32);
  const argvCanary = `kustody-canary-argv-${randomBytes(6).toString('hex')}`;
  const canaries = { tokenCanary, envCanary, entropyCanary, argvCanary };

  const workload = await startNamespacedWorkload(dir, tokenCanary, {
    env: { DB_PASSWORD: envCanary, APP_BUILD_REF: entropyCanary },
    extraArgv: ['python3', '-c', 'import time; time.sleep(100000)', `--password=${argvCanary}`],
    defaultTokenPath: true,
  });
  t.after(workload.stop);
  // The token is really where a pod would have it, as seen from inside the namespace.
  const inside = execFileSync('nsenter', ['-t', String(workload.innerPid), '-m', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'], { encoding: 'utf8' });
  assert.equal(inside, tokenCanary);

  const created = await newCase(join(dir, 'cases'));
  const caseKey = readFileSync(join(created.path, 'case.key'));
  const capture = await runKustody(['capture', 'local', '--pid', String(workload.rootPid), '--case', created.path, '--json']);
  assert.equal(capture.exitCode, 0, capture.stdout + capture.stderr);
  const human = await runKustody(['capture', 'local', '--pid', String(workload.rootPid), '--case', created.path]);
  assert.equal(human.exitCode, 0, human.stderr);
  const tar = join(dir, 'bundle.tar');
  const exported = await runKustody(['bundle', 'export', created.path, '-o', tar, '--json']);
  assert.equal(exported.exitCode, 0, exported.stderr);
  const shown = await runKustody(['case', 'show', created.path]);
  assert.equal(shown.exitCode, 0, shown.stderr);
  assert.doesNotMatch(shown.stdout + shown.stderr, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, 'case show printed a raw control byte');
  const db = join(created.path, 'evidence.db');

  // The env var was found, and its fingerprint is the keyed HMAC of the canary.
  const dbRows = query(db, "SELECT fingerprint, kind, pid FROM credentials WHERE location = 'env:DB_PASSWORD'");
  assert.ok(dbRows.length >= 3, `DB_PASSWORD should be found in unshare, bash and python: ${JSON.stringify(dbRows)}`);
  for (const [fingerprint, kind] of dbRows) {
    assert.equal(fingerprint, fingerprintSecret(caseKey, envCanary));
    assert.equal(kind, 'env-credential');
  }
  const entropyRows = query(db, "SELECT fingerprint FROM credentials WHERE location = 'env:APP_BUILD_REF'");
  assert.ok(entropyRows.length > 0, 'the high-entropy value under an innocuous name was not detected');
  assert.equal(entropyRows[0]?.[0], fingerprintSecret(caseKey, entropyCanary));

  // The token at the default path, read inside the namespace: fingerprint and claims, once per capture and root.
  const tokenRows = query(db, "SELECT kind, subject, fingerprint, claims_json, expires_at FROM credentials WHERE location = 'file:/var/run/secrets/kubernetes.io/serviceaccount/token'");
  assert.equal(tokenRows.length, 2, `one row per capture: ${JSON.stringify(tokenRows)}`);
  const [kind, subject, fingerprint, claimsJson, expiresAt] = tokenRows[0] ?? [];
  assert.equal(kind, 'serviceaccount-token');
  assert.equal(subject, 'system:serviceaccount:shop:web');
  assert.equal(fingerprint, fingerprintSecret(caseKey, tokenCanary));
  const claims = (JSON.parse(claimsJson ?? '{}') as { jwt?: Record<string, unknown> }).jwt ?? {};
  assert.equal(claims.jti, jti);
  assert.match(JSON.stringify(claims), /"pod":\{"name":"suspect"/);
  assert.match(expiresAt ?? '', /^\d{4}-\d\d-\d\dT/);

  // Environments are stored, redacted: the name stays, the value is the same fingerprint.
  const envJson = query(db, `SELECT env_json FROM processes WHERE pid = ${workload.innerPid} LIMIT 1`)[0]?.[0] ?? 'null';
  const env = new Map(JSON.parse(envJson) as [string, string | null][]);
  assert.equal(env.get('DB_PASSWORD'), `[redacted ${fingerprintSecret(caseKey, envCanary)}]`);
  assert.match(env.get('APP_BUILD_REF') ?? '', /^\[redacted hmac-sha256:/);
  assert.equal(env.get('SA_BIND'), '1', 'harmless variables are kept as they are');
  const argv = query(db, "SELECT cmdline FROM processes WHERE cmdline LIKE '%--password=%' AND cmdline NOT LIKE '%bash%' LIMIT 1")[0]?.[0] ?? '';
  assert.ok(argv.endsWith(` -c import time; time.sleep(100000) --password=[redacted ${fingerprintSecret(caseKey, argvCanary)}]`), argv);

  // No encoding of any canary in anything kustody wrote or printed.
  const written = [...filesBelow(created.path), tar];
  assert.ok(written.includes(`${db}-wal`) || statSync(db).size > 0);
  const outputs = Buffer.from([capture, human, exported, shown].flatMap((r) => [r.stdout, r.stderr]).join('\n'));
  for (const [name, canary] of Object.entries(canaries)) {
    for (const file of written) assert.deepEqual(findSecretInBytes(readFileSync(file), canary), [], `${name} in ${file}`);
    assert.deepEqual(findSecretInBytes(outputs, canary), [], `${name} in the CLI output`);
  }
});
