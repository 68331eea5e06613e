import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSecretInBytes } from '../../src/core/credentials/canary.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyScenario, kubectl, labCollectorImage, requireLab, type LabEnv } from '../helpers/lab.js';

function query(db: string, sql: string): string[][] {
  return execFileSync('sqlite3', ['-separator', '\t', db, sql], { encoding: 'utf8' }).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

async function scenarioNamespace(t: import('node:test').TestContext, lab: LabEnv, prefix: string): Promise<string> {
  const ns = `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
  await applyScenario('shop', ns);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  return ns;
}

test('capture pod finds the suspect\'s outbound connection, token claims and deleted executable through exec, debug and node', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await scenarioNamespace(t, lab, 'cap');
  const webIp = (await kubectl(lab, 'admin', ['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={.items[0].status.podIP}'])).stdout.trim();
  const token = (await kubectl(lab, 'admin', ['exec', '-n', ns, 'suspect', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'])).stdout.trim();
  assert.match(token, /^eyJ/);
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const db = join(created.path, 'evidence.db');
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const outputs: string[] = [];
  const shipped = await labCollectorImage();
  for (const via of ['exec', 'debug', 'node']) {
    const extra = via === 'exec' ? [] : ['--collector-image', shipped, '--collector-pull-policy', 'Never', '--yes'];
    const run = await runKustody(['capture', 'pod', `${ns}/suspect`, '--case', created.path, '--via', via, '--json', ...extra], { env });
    outputs.push(run.stdout, run.stderr);
    assert.equal(run.exitCode, 0, `${via}: ${run.stdout} ${run.stderr}`);
    const summary = JSON.parse(run.stdout) as { captureId: string; vantage: string; footprint: unknown[] };
    assert.equal(summary.vantage, via);
    const id = summary.captureId;
    const outbound = query(db, `SELECT remote_addr, remote_port, state FROM connections WHERE capture_id = '${id}' AND proto = 'tcp' AND state = 'ESTABLISHED'`);
    assert.deepEqual(outbound, [[webIp, '8080', 'ESTABLISHED']], via);
    const deleted = query(db, `SELECT exe FROM processes WHERE capture_id = '${id}' AND exe_deleted = 1`);
    assert.deepEqual(deleted, [['/tmp/busybox.x (deleted)']], via);
    const creds = query(db, `SELECT kind, subject, claims_json FROM credentials WHERE capture_id = '${id}' AND kind = 'serviceaccount-token'`);
    assert.equal(creds.length, 1, via);
    assert.equal(creds[0]?.[1], `system:serviceaccount:${ns}:web`);
    const claims = (JSON.parse(creds[0]?.[2] ?? '{}') as { jwt?: Record<string, unknown> }).jwt ?? {};
    assert.match(String(claims.jti), /^[0-9a-f-]{36}$/, JSON.stringify(claims));
    assert.match(JSON.stringify(claims), new RegExp(`"pod":\\{"name":"suspect"`));
    const kinds = query(db, `SELECT DISTINCT kind FROM k8s_objects WHERE capture_id = '${id}' ORDER BY kind`).map((r) => r[0]);
    for (const kind of ['Pod', 'Node', 'ServiceAccount', 'RoleBinding', 'Role']) assert.ok(kinds.includes(kind), `${via}: ${kind} missing from ${kinds.join(',')}`);
    const end = query(db, `SELECT detail FROM actions WHERE json_extract(detail, '$.capture_id') = '${id}' AND json_extract(detail, '$.step') = 'capture-end'`)[0]?.[0] ?? '';
    assert.match(end, new RegExp(`vantage ${via}: used`));
    if (via !== 'exec') assert.match(end, /footprint: /, `${via} footprint not in the custody log`);
  }
  // The node collector pod is gone again.
  const leftovers = await kubectl(lab, 'admin', ['get', 'pods', '-n', ns, '-l', 'kustody.io/role=collector', '-o', 'name']);
  assert.equal(leftovers.stdout.trim(), '');
  // The live token is in none of the files kustody wrote nor its output, in any encoding.
  for (const file of [db, `${db}-wal`]) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      continue;
    }
    assert.deepEqual(findSecretInBytes(bytes, token), [], `${file} holds the token`);
  }
  assert.deepEqual(findSecretInBytes(Buffer.from(outputs.join('\n')), token), []);
});

test('capture pod names a missing pod and a malformed target clearly', async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const missing = await runKustody(['capture', 'pod', 'shop/does-not-exist', '--case', created.path], { env });
  assert.equal(missing.exitCode, 1);
  assert.match(missing.stdout, /Not found while trying to read pod shop\/does-not-exist/);
  assert.match(missing.stdout, /: failed/);
  const bad = await runKustody(['capture', 'pod', '../etc', '--case', created.path], { env });
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /is not NAMESPACE\/POD/);
});
