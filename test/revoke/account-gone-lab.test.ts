/**
 * `kustody revoke --service-account NS/NAME --token-file F` when the account is already gone (a rerun
 * after it was deleted): the plan says the tokens given are still verified, so each token of that
 * account is sent to TokenReview and reported rejected, not listed as "bound to something still in place".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyAsAdmin, kubectl, requireLab } from '../helpers/lab.js';

test('revoke --service-account of an account already deleted sends the token given for it to TokenReview and reports it rejected', { timeout: 180_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `rv-gone-${Math.random().toString(36).slice(2, 7)}`;
  t.after(async () => { await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']); });
  for (const object of [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'metrics', namespace: ns } },
  ]) assert.equal((await applyAsAdmin(lab, object)).exitCode, 0);
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const token = (await kubectl(lab, 'admin', ['create', 'token', 'metrics', '-n', ns, '--duration', '10m'])).stdout.trim();
  const file = join(dir, 'metrics.jwt');
  writeFileSync(file, token, { mode: 0o600 });
  assert.equal((await kubectl(lab, 'admin', ['delete', 'serviceaccount', 'metrics', '-n', ns, '--wait=true'])).exitCode, 0);

  const run = await runKustody(['revoke', '--service-account', `${ns}/metrics`, '--case', created.path, '--delete-sa', '--token-file', file, '--yes', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const result = JSON.parse(run.stdout) as { changes: unknown[]; report: string[]; tokens: Array<{ subject: string; outcome: string }> };
  assert.deepEqual(result.changes, []);
  assert.deepEqual(result.tokens.map((c) => [c.subject, c.outcome]), [[`system:serviceaccount:${ns}:metrics`, 'revoked']], run.stdout);
  assert.equal(result.report.some((line) => line.includes('not revoked by these changes')), false, result.report.join('\n'));
});
