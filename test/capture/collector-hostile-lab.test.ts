import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { kubectl, labCollectorImage, requireLab } from '../helpers/lab.js';

function query(db: string, sql: string): string[][] {
  return execFileSync('sqlite3', ['-separator', '\t', db, sql], { encoding: 'utf8' }).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

// Its credential paths are traps: the token path links to /etc/shadow (absent in the pod), the AWS token
// file is a FIFO, the pod-identity token is /dev/zero, the GCP file is 1 GiB (sparse), and the Azure
// file links to /etc/passwd, which the pod replaced with its own: read inside the pod's root, it is
// the pod's file, never the collector's. A projected token is the real credential left to find.
const SETUP = [
  'set -e', 'rm -f /etc/shadow', 'printf suspect-passwd > /etc/passwd', 'mkdir -p /var/run/secrets/kubernetes.io/serviceaccount /hostile',
  'ln -s /etc/shadow /var/run/secrets/kubernetes.io/serviceaccount/token', 'mkfifo /hostile/fifo', 'truncate -s 1G /hostile/big',
  'ln -s /etc/passwd /hostile/passwd', 'touch /tmp/ready', 'exec sleep 3600',
].join('; ');

test('capture via exec, debug and node of a pod whose credential paths are a link to /etc/shadow, a FIFO, /dev/zero and a 1 GiB file completes quickly, reads none of them, and records each refusal', { timeout: 400_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `colh-${Math.random().toString(36).slice(2, 7)}`;
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hostile', namespace: ns },
    spec: {
      automountServiceAccountToken: false, terminationGracePeriodSeconds: 0,
      containers: [{
        name: 'app', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never', command: ['sh', '-c', SETUP],
        env: [{ name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/hostile/fifo' }, { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: '/dev/zero' }, { name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/hostile/big' }, { name: 'AZURE_FEDERATED_TOKEN_FILE', value: '/hostile/passwd' }],
        readinessProbe: { exec: { command: ['test', '-e', '/tmp/ready'] }, periodSeconds: 1 },
        volumeMounts: [{ name: 'tokens', mountPath: '/var/run/secrets/tokens', readOnly: true }],
      }],
      volumes: [{ name: 'tokens', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } }],
    },
  };
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  // The namespace's default ServiceAccount appears a moment after the namespace.
  for (let i = 0; i < 60 && (await kubectl(lab, 'admin', ['get', 'serviceaccount', 'default', '-n', ns])).exitCode !== 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 500));
  const created = await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: JSON.stringify(pod) });
  assert.equal(created.exitCode, 0, created.stderr);
  const ready = await kubectl(lab, 'admin', ['wait', '-n', ns, 'pod/hostile', '--for=condition=Ready', '--timeout=90s']);
  assert.equal(ready.exitCode, 0, ready.stderr);

  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const caseDir = (await newCase(dir)).path;
  const db = join(caseDir, 'evidence.db');
  // kustody's shipped collector image, pinned by digest.
  const pinned = await labCollectorImage();
  const passwd: string[] = [];
  for (const via of ['exec', 'debug', 'node']) {
    const extra = via === 'exec' ? [] : ['--collector-image', pinned, '--collector-pull-policy', 'Never', '--yes'];
    const started = Date.now();
    const run = await runKustody(['capture', 'pod', `${ns}/hostile`, '--case', caseDir, '--via', via, '--timeout-seconds', '60', '--json', ...extra], { env: { KUBECONFIG: lab.responderKubeconfig } });
    const elapsed = Date.now() - started;
    assert.equal(run.exitCode, 0, `${via}: ${run.stdout} ${run.stderr}`);
    const summary = JSON.parse(run.stdout) as { captureId: string; notes: string[]; footprint: Array<Record<string, string>> };
    const id = summary.captureId;
    assert.ok(!summary.notes.some((n) => n.startsWith('UNPINNED')), `${via}: ${summary.notes.join('; ')}`);
    if (via === 'node') assert.equal(summary.footprint.find((f) => f.kind === 'Pod' && f.image !== undefined)?.image_pinned, 'true', JSON.stringify(summary.footprint));
    // Bounded: a FIFO or /dev/zero read would hang until the 60 s limit and fail the capture (asserted above).
    t.diagnostic(`${via}: ${elapsed} ms`);
    const warnings = query(db, `SELECT message FROM capture_warnings WHERE capture_id = '${id}' AND code = 'CREDENTIAL_UNREAD' ORDER BY message`).map((r) => r[0]);
    assert.deepEqual(warnings, [
      '/dev/zero: not a regular file (device)',
      '/hostile/big: larger than 1048576 bytes, not read',
      '/hostile/fifo: not a regular file (fifo)',
      '/var/run/secrets/kubernetes.io/serviceaccount/token: no such file in the process root',
    ], via);
    const creds = query(db, `SELECT kind, location, subject, fingerprint FROM credentials WHERE capture_id = '${id}' ORDER BY location`);
    // Still useful: the projected token was read (as claims and a fingerprint) and the processes are there.
    assert.ok(creds.some(([kind, location, subject]) => kind === 'projected-token' && location === 'file:/var/run/secrets/tokens/token' && subject === `system:serviceaccount:${ns}:default`), `${via}: ${JSON.stringify(creds)}`);
    assert.ok(!creds.some(([, location]) => location === 'file:/var/run/secrets/kubernetes.io/serviceaccount/token'), via);
    passwd.push(creds.find(([, location]) => location === 'file:/hostile/passwd')?.[3] ?? `${via}: none`);
    assert.ok(Number(query(db, `SELECT count(*) FROM processes WHERE capture_id = '${id}'`)[0]?.[0]) >= 1, via);
  }
  // The Azure link resolved inside the pod's root in every vantage: the same file exec read with the pod's own kernel view.
  assert.equal(new Set(passwd).size, 1, passwd.join(' '));
  assert.match(passwd[0] ?? '', /^hmac-sha256:/);
});
