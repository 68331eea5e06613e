import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab } from '../helpers/lab.js';
import { watchDryRun } from '../helpers/dry-run-oracle.js';
import { appliedCounts, custodyRows, intentTrail, shopNamespace } from './playbook-helpers.js';

test('compromised-pod --yes against the lab suspect finishes, and its bundle verifies and holds the suspect\'s processes, connections and token claims', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  let caseId: string | null = null;
  const ns = await shopNamespace(t, lab, 'pb-run', () => caseId);
  const created = await newCase(dir);
  caseId = created.id;
  const bundle = join(dir, 'evidence.tar');
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const run = await runKustody(['run', 'compromised-pod', '--target', `${ns}/suspect`, '--case', created.path, '--yes', '--bundle', bundle, '--json'], { env });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; stepId?: string; outcome?: string; status?: string });
  assert.deepEqual(events.filter((e) => e.type === 'step-done').map((e) => e.stepId), ['snapshot', 'isolate', 'capture', 'identities', 'audit-log', 'revoke', 'sweep', 'export']);
  assert.equal(events.at(-1)?.status, 'completed');
  assert.equal((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'suspect', '-o', 'name'])).exitCode, 1, 'the suspect pod was not deleted');
  for (const count of appliedCounts(custodyRows(created.path)).values()) assert.equal(count, 1);

  const verify = await runKustody(['bundle', 'verify', bundle]);
  assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
  await execa('tar', ['-xf', bundle, '-C', dir]);
  const db = new Database(join(dir, 'evidence.db'), { readonly: true });
  t.after(() => db.close());
  const target = `pod:${ns}/suspect`;
  const comms = db.prepare('SELECT comm, exe_deleted FROM processes WHERE target = ?').all(target) as Array<{ comm: string; exe_deleted: number | bigint }>;
  assert.ok(comms.some((p) => p.comm === 'nc'), 'the outbound nc process is missing');
  assert.ok(comms.some((p) => p.comm === 'busybox.x' && Number(p.exe_deleted) === 1), 'the process with a deleted executable is missing');
  const webIp = (await kubectl(lab, 'admin', ['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={.items[0].status.podIP}'])).stdout.trim();
  const open = db.prepare("SELECT remote_addr, remote_port FROM connections WHERE target = ? AND state = 'ESTABLISHED'").all(target) as Array<{ remote_addr: string; remote_port: number | bigint }>;
  assert.ok(open.some((c) => c.remote_addr === webIp && Number(c.remote_port) === 8080), `no connection to ${webIp}:8080 in ${JSON.stringify(open)}`);
  const claims = db.prepare("SELECT claims_json FROM credentials WHERE target = ? AND kind = 'serviceaccount-token'").pluck().all(target) as string[];
  assert.ok(claims.some((c) => c.includes('"jti"') && c.includes(`"namespace":"${ns}"`) && c.includes('"name":"suspect"')), 'the token claims (jti, bound pod) are missing');
  const captures = db.prepare('SELECT json_extract(detail, \'$.scope\') FROM captures WHERE target = ? ORDER BY rowid').pluck().all(target);
  assert.deepEqual(captures, ['volatile', 'full'], 'the volatile snapshot must come before the full capture');
  const trail = (db.prepare("SELECT detail FROM actions WHERE kind = 'playbook'").pluck().all() as string[]).map((d) => JSON.parse(d) as { step_id: string | null; state: string });
  assert.deepEqual(trail.filter((r) => r.state === 'done').map((r) => r.step_id), ['snapshot', 'isolate', 'capture', 'identities', 'audit-log', 'revoke', 'sweep'], 'the bundle (written by the export step) lacks the earlier steps\' done rows');
});

test('compromised-pod --dry-run sends no write without dryRun=All (audit log), changes no kustody-owned object and applies nothing', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  let caseId: string | null = null;
  const ns = await shopNamespace(t, lab, 'pb-dry', () => caseId);
  const created = await newCase(dir);
  caseId = created.id;
  const watch = await watchDryRun(lab, { namespace: ns, pod: 'suspect', mentions: [created.id, ns] });
  const run = await runKustody(['run', 'compromised-pod', '--target', `${ns}/suspect`, '--case', created.path, '--dry-run', '--yes'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /\[2\/8\] isolate +dry-run/);
  assert.match(run.stdout, /\[6\/8\] revoke +dry-run/);
  assert.match(run.stdout, /Run run-\S+: dry-run/);
  const writes = await watch.verify();
  // The oracle must be able to see this run at all: the isolate step's server-side dry runs are in the log.
  assert.ok(writes.dryRun.some((e) => e.objectRef?.resource === 'networkpolicies'), 'the audit log shows none of the dry run\'s requests');
  const rows = custodyRows(created.path);
  assert.equal(appliedCounts(rows).size, 0, 'a dry run recorded an applied change');
  assert.equal(rows.some((r) => r.outcome === 'intent' && (r.kind === 'contain' || r.kind === 'revoke')), false, 'a dry run recorded a mutation intent');
  assert.deepEqual(intentTrail(rows).filter((s) => s.endsWith(':done')), ['snapshot:done', 'isolate:done', 'capture:done', 'identities:done', 'audit-log:done', 'revoke:done', 'sweep:done', 'export:done']);
  const resume = await runKustody(['run', 'compromised-pod', '--target', `${ns}/suspect`, '--case', created.path, '--resume'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(resume.exitCode, 2, 'a dry run must not be resumable as if its contain and revoke steps were done');
});

test('leaked-token finds the pod from the token\'s claims, captures and deletes it, and the API server then rejects the leaked token', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const ns = await shopNamespace(t, lab, 'pb-leak', () => null);
  const created = await newCase(dir);
  // The suspect copied its token to /tmp/.t, as an attacker would before sending it out.
  const token = (await kubectl(lab, 'admin', ['exec', '-n', ns, 'suspect', '--', 'cat', '/tmp/.t'])).stdout.trim();
  const tokenFile = join(dir, 'leaked.jwt');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  const run = await runKustody(['run', 'leaked-token', '--token-file', tokenFile, '--case', created.path, '--yes', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; target?: string; stepId?: string; summary?: string[]; status?: string });
  assert.equal(events[0]?.target, `${ns}/suspect`, 'the target was not taken from the token claims');
  assert.match(events.find((e) => e.type === 'step-done' && e.stepId === 'revoke')?.summary?.join('\n') ?? '', /rejected by TokenReview/);
  assert.equal(events.at(-1)?.status, 'completed');
  const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } };
  const judged = await kubectl(lab, 'admin', ['create', '-f', '-', '-o', 'jsonpath={.status.authenticated}'], { input: JSON.stringify(review) });
  assert.notEqual(judged.stdout.trim(), 'true', 'the outside judge still accepts the leaked token');
  for (const file of ['evidence.db', 'evidence.db-wal']) {
    if (existsSync(join(created.path, file))) assert.equal(readFileSync(join(created.path, file)).includes(token), false, `the raw token was stored in ${file}`);
  }
});
