import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { findSecretInBytes } from '../../src/core/credentials/canary.js';
import { canary, makeJwt } from '../core/credentials/helpers.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyAsAdmin, kubectl, requireLab } from '../helpers/lab.js';

function query(db: string, sql: string): string[][] {
  return execFileSync('sqlite3', ['-separator', '\t', db, sql], { encoding: 'utf8' }).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

const INVALID = Buffer.from([0xff, 0xfe, 0x80, 0xc0, 0xaf]);

test('a pod log with invalid UTF-8 and canary secrets is hashed as kubectl logs returns it, and stored redacted with the invalid bytes kept', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const password = canary('logpw');
  const jwt = makeJwt({ sub: canary('logjwt') });
  const aws = `AKIA${randomBytes(16).toString('hex').toUpperCase().slice(0, 16)}`;
  // The log's bytes come from a ConfigMap's binaryData, so no canary sits in the pod spec (which is captured too).
  const printed = Buffer.concat([
    Buffer.from('bytes '), INVALID, Buffer.from(' end\n'),
    Buffer.from(`login password=${password} user=alice\n`),
    Buffer.from(`token ${jwt}\n`),
    Buffer.from(`{"aws_access_key_id":"${aws}"}\n`),
    Buffer.from('done\n'),
  ]);
  const ns = `lcase-logs-${Math.random().toString(36).slice(2, 7)}`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  const manifest = {
    apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'log-lines', namespace: ns }, binaryData: { 'log.bin': printed.toString('base64') } },
      {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'logger', namespace: ns },
        spec: {
          terminationGracePeriodSeconds: 1, automountServiceAccountToken: false,
          containers: [{
            name: 'logger', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never',
            command: ['sh', '-c', 'cat /cfg/log.bin; touch /tmp/ready; exec sleep 100000'],
            volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }],
            readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 },
          }],
          volumes: [{ name: 'cfg', configMap: { name: 'log-lines' } }],
        },
      },
    ],
  };
  // The namespace's default ServiceAccount appears shortly after the namespace: retry until the pod is admitted.
  const applied = await applyAsAdmin(lab, manifest);
  assert.equal(applied.exitCode, 0, applied.stderr);
  const ready = await kubectl(lab, 'admin', ['wait', '-n', ns, '--for=condition=Ready', 'pod/logger', '--timeout=120s'], { timeout: 130_000 });
  assert.equal(ready.exitCode, 0, ready.stderr);

  // The outside judge: the log's bytes as kubectl prints them (with the timestamps kustody asks for).
  const judged = (await execa(lab.kubectl, ['--kubeconfig', lab.adminKubeconfig, 'logs', '--timestamps', '-n', ns, 'logger', '-c', 'logger'], { encoding: 'buffer', stripFinalNewline: false })).stdout as unknown as Uint8Array;
  const judgedBytes = Buffer.from(judged);
  assert.ok(judgedBytes.includes(INVALID), 'kubectl logs lost the invalid bytes: the judge cannot judge');
  assert.ok(judgedBytes.includes(Buffer.from(password)));

  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const run = await runKustody(['capture', 'pod', `${ns}/logger`, '--case', created.path, '--via', 'exec', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const db = join(created.path, 'evidence.db');
  const source = `pods/${ns}/logger/log?container=logger`;
  const [row] = query(db, `SELECT sha256, size, hex(content), action_seq FROM artifacts WHERE source = '${source}' AND content IS NOT NULL`);
  assert.ok(row !== undefined, 'no stored log');
  const [storedSha, storedSize, storedHex, seq] = row;
  const stored = Buffer.from(storedHex ?? '', 'hex');
  assert.equal(createHash('sha256').update(stored).digest('hex'), storedSha);
  assert.equal(Number(storedSize), stored.length);
  // The custody row lists the artifact with the hash of the bytes received, which is what kubectl returns.
  const detail = JSON.parse(query(db, `SELECT detail FROM actions WHERE seq = ${seq}`)[0]?.[0] ?? '{}') as { artifacts: Array<{ sha256: string; source: string; received_sha256?: string; received_size?: number; redactions?: number }> };
  const listed = detail.artifacts.find((a) => a.source === source);
  assert.equal(listed?.sha256, storedSha);
  assert.equal(listed?.received_sha256, createHash('sha256').update(judgedBytes).digest('hex'));
  assert.equal(listed?.received_size, judgedBytes.length);
  assert.ok((listed?.redactions ?? 0) >= 3, JSON.stringify(listed));
  // Stored: the invalid bytes as they were, no canary in any encoding, here or anywhere in the case files.
  assert.ok(stored.includes(Buffer.concat([Buffer.from('bytes '), INVALID, Buffer.from(' end\n')])), stored.toString('latin1'));
  assert.ok(stored.includes(Buffer.from('login password=[redacted hmac-sha256:')));
  for (const secret of [password, jwt, aws]) {
    assert.deepEqual(findSecretInBytes(stored, secret), [], `${secret.slice(0, 12)}… in the stored log`);
    for (const file of [db, `${db}-wal`]) {
      if (existsSync(file)) assert.deepEqual(findSecretInBytes(readFileSync(file), secret), [], `${secret.slice(0, 12)}… in ${file}`);
    }
  }
});
