/**
 * A "leaked" token is attacker-made as often as not: its claims are the attacker's words until the API
 * server accepts it. A forged legacy-style token that names an ordinary Secret of the namespace must
 * not make `revoke --legacy-tokens` delete that Secret.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyAsAdmin, kubectl, requireLab } from '../helpers/lab.js';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

test('revoke --legacy-tokens with a forged token naming an ordinary Secret leaves that Secret alone and says the API server does not accept the token', { timeout: 180_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `rv-forge-${Math.random().toString(36).slice(2, 7)}`;
  t.after(async () => { await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']); });
  for (const object of [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'metrics', namespace: ns } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-db', namespace: ns }, type: 'Opaque', stringData: { password: 'rv-test-not-a-real-password' } },
  ]) assert.equal((await applyAsAdmin(lab, object)).exitCode, 0);
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  // Shaped like a legacy ServiceAccount token, signed by nobody.
  const forged = [b64url({ alg: 'RS256', kid: 'forged' }), b64url({
    iss: 'kubernetes/serviceaccount', sub: `system:serviceaccount:${ns}:metrics`,
    'kubernetes.io/serviceaccount/namespace': ns, 'kubernetes.io/serviceaccount/secret.name': 'app-db',
    'kubernetes.io/serviceaccount/service-account.name': 'metrics', 'kubernetes.io/serviceaccount/service-account.uid': '00000000-0000-0000-0000-000000000000',
  }), Buffer.from('not a signature').toString('base64url')].join('.');
  const file = join(dir, 'leaked.jwt');
  writeFileSync(file, forged, { mode: 0o600 });

  const run = await runKustody(['revoke', '--service-account', `${ns}/metrics`, '--case', created.path, '--legacy-tokens', '--token-file', file, '--yes', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  const secret = await kubectl(lab, 'admin', ['get', 'secret', 'app-db', '-n', ns, '-o', 'name']);
  assert.equal(secret.exitCode, 0, `the Secret a forged token named was deleted:\n${run.stdout}${run.stderr}`);
  const result = JSON.parse(run.stdout) as { changes: Array<{ id: string }>; report: string[] };
  assert.deepEqual(result.changes.map((c) => c.id), []);
  assert.ok(result.report.some((line) => line.includes('app-db') && line.includes('does not accept')), result.report.join('\n'));
});
