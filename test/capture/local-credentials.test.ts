import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawProcess } from '../../src/core/capture/raw-capture.js';
import { fingerprintSecret } from '../../src/core/credentials/fingerprint.js';
import { memoizeEnvRedactor, readLocalCredentials } from '../../src/adapters/collect/local-credentials.js';
import { makeTempDir } from '../helpers/cli.js';

const statLine = (pid: number, start: number) => Buffer.from(`${pid} (app) S 1 ${pid} ${pid} 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 ${start} 3133440 365 0\n`);
const environ = (vars: Record<string, string>) => Buffer.from(Object.entries(vars).map(([k, v]) => `${k}=${v}\0`).join(''));
const jwt = () => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: 'system:serviceaccount:shop:web', exp: 4102444800, jti: 'j-1' })).toString('base64url')}.${randomBytes(64).toString('base64url')}`;

/** A fake /proc entry: a root folder, the stat the capture read, and the stat the process shows now. */
function fakeProcess(proc: string, pid: number, opts: { mntNs: string; env: Record<string, string>; start?: number; startNow?: number }): { raw: RawProcess; root: string } {
  const root = join(proc, String(pid), 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(proc, String(pid), 'stat'), statLine(pid, opts.startNow ?? opts.start ?? 1000));
  const raw: RawProcess = {
    pid,
    files: { stat: { bytes: statLine(pid, opts.start ?? 1000), truncated: false }, environ: { bytes: environ(opts.env), truncated: false } },
    links: { root: { target: Buffer.from('/') } },
    fds: [],
    namespaces: { mnt: { target: Buffer.from(opts.mntNs) } },
    exeSha256: null,
  };
  return { raw, root };
}

test('credential files are read per process root: env-named files by kind, links out of place and unreadable files as warnings, reused PIDs skipped', (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const key = randomBytes(32);
  const token = jwt();
  // Two processes in one root: the file named by one's environment is read once, through the first.
  const a = fakeProcess(dir, 100, { mntNs: 'mnt:[1]', env: { AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/aws/token', DB_PASSWORD: 'hunter2-canary' } });
  const b = fakeProcess(dir, 101, { mntNs: 'mnt:[1]', env: { DB_PASSWORD: 'hunter2-canary' } });
  mkdirSync(join(a.root, 'var/run/aws'), { recursive: true });
  writeFileSync(join(a.root, 'var/run/aws/token'), token);
  // Another root: the default token is a link to /etc/shadow, the GCP file a FIFO named by a hostile path.
  const c = fakeProcess(dir, 200, { mntNs: 'mnt:[2]', env: { GOOGLE_APPLICATION_CREDENTIALS: '/tmp/\x1b]0;x\x07creds.json' } });
  mkdirSync(join(c.root, 'var/run/secrets/kubernetes.io/serviceaccount'), { recursive: true });
  mkdirSync(join(c.root, 'tmp'));
  writeFileSync(join(c.root, 'etc', 'shadow'), 'root:*:1::::::\n');
  symlinkSync('/etc/shadow', join(c.root, 'var/run/secrets/kubernetes.io/serviceaccount/token'));
  execFileSync('mkfifo', [join(c.root, 'tmp', '\x1b]0;x\x07creds.json')]);
  // A third root whose process was replaced (same PID, new start time): its files must not be read.
  const d = fakeProcess(dir, 300, { mntNs: 'mnt:[3]', env: {}, start: 1000, startNow: 2000 });
  mkdirSync(join(d.root, 'var/run/secrets/kubernetes.io/serviceaccount'), { recursive: true });
  writeFileSync(join(d.root, 'var/run/secrets/kubernetes.io/serviceaccount/token'), jwt());

  const { rows, warnings } = readLocalCredentials({ vantage: 'local', target: 'pid:100', processes: [a.raw, b.raw, c.raw, d.raw], netNamespaces: [], notes: [] }, { caseKey: key, now: new Date(), procRoot: dir });

  const env = rows.filter((r) => r.location === 'env:DB_PASSWORD');
  assert.deepEqual(env.map((r) => r.pid), [100, 101]);
  assert.ok(env.every((r) => r.fingerprint === fingerprintSecret(key, 'hunter2-canary')));
  const aws = rows.filter((r) => r.location === 'file:/var/run/aws/token');
  assert.equal(aws.length, 1);
  assert.equal(aws[0]?.kind, 'aws-web-identity-token');
  assert.equal(aws[0]?.pid, 100);
  assert.equal(aws[0]?.fingerprint, fingerprintSecret(key, token));
  assert.equal(aws[0]?.subject, 'system:serviceaccount:shop:web');

  const shadow = rows.filter((r) => r.location === 'file:/var/run/secrets/kubernetes.io/serviceaccount/token');
  assert.deepEqual(shadow.map((r) => [r.pid, r.fingerprint]), [[200, fingerprintSecret(key, 'root:*:1::::::\n')]], 'only the root of pid 200 had a default token it could read');
  const byCode = (code: string) => warnings.filter((w) => w.code === code);
  assert.deepEqual(byCode('CREDENTIAL_SYMLINK').map((w) => [w.pid, w.message]), [[200, '/var/run/secrets/kubernetes.io/serviceaccount/token is a symlink; it resolved to /etc/shadow inside the process root']]);
  assert.deepEqual(byCode('CREDENTIAL_UNREAD').map((w) => [w.pid, w.message]), [[200, 'the file named by env:GOOGLE_APPLICATION_CREDENTIALS: not a regular file (fifo)']]);
  assert.deepEqual(byCode('ROOT_UNREAD').map((w) => [w.pid, w.message]), [[300, 'credential files not read: process 300 exited or its PID was reused']]);
  assert.equal(rows.some((r) => r.pid === 300), false);
  assert.equal(warnings.length, 3, JSON.stringify(warnings));
});

test('the memoized environment redactor runs once per distinct environment and returns its result for every process sharing it', () => {
  let calls = 0;
  const redact = memoizeEnvRedactor((_pid, entries) => {
    calls += 1;
    return entries.map((e) => ({ name: e.name, value: `${calls}` }));
  });
  const one = [{ name: 'A', value: Buffer.from('x') }, { name: 'B', value: null }];
  const same = [{ name: 'A', value: Buffer.from('x') }, { name: 'B', value: null }];
  const other = [{ name: 'A', value: Buffer.from('x') }, { name: 'B', value: Buffer.from('') }];
  assert.deepEqual(redact(1, one), [{ name: 'A', value: '1' }, { name: 'B', value: '1' }]);
  assert.deepEqual(redact(2, same), [{ name: 'A', value: '1' }, { name: 'B', value: '1' }]);
  assert.equal(calls, 1);
  assert.deepEqual(redact(3, other)[1], { name: 'B', value: '2' }, 'an empty value is not the same as no "="');
  assert.equal(calls, 2);
});
