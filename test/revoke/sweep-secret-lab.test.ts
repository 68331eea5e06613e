// The sweep never reads Secrets, yet deletes only the Secret an attacker's identity created: on the lab, a stolen
// namespace token creates two Secrets; a team member then deletes one and recreates it under the same name. The
// sweep learns the uid of each by a server-side dry-run delete: it removes the attacker's own with its uid as a
// precondition, and keeps (and reports) the team's, whose name the ingested log shows deleted after the attacker's
// create. A dry run deletes neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab } from '../helpers/lab.js';
import { namespaceRoleIdentity } from '../helpers/lab-identity.js';
import { namespaceAuditLines } from '../helpers/audit.js';

type SweepJson = { status: string; items: Array<{ kind: string; name: string; uid: string | null; removable: boolean; keptBecause: string | null; reasons: string[] }> };

test('the sweep deletes the Secret the stolen identity created, pinned to its uid, and keeps the one a team member recreated under another of its names since; a dry run deletes neither', { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `sweep-sec-${randomBytes(3).toString('hex')}`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(async () => void (await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false'])));
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const startedMs = Date.now() - 5_000;
  const stolen = await namespaceRoleIdentity(lab, dir, ns, 'intruder', 'edit');
  for (let i = 0; i < 120 && (await kubectl(lab, 'admin', ['--kubeconfig', stolen, '-n', ns, 'auth', 'can-i', 'create', 'secrets'])).stdout.trim() !== 'yes'; i += 1) await new Promise((r) => setTimeout(r, 250));
  for (const name of ['keep-a', 'keep-b']) {
    const made = await kubectl(lab, 'admin', ['--kubeconfig', stolen, '-n', ns, 'create', 'secret', 'generic', name, '--from-literal=k=attacker']);
    assert.equal(made.exitCode, 0, made.stderr);
  }
  const uid = async (name: string) => (await kubectl(lab, 'admin', ['get', 'secret', name, '-n', ns, '--ignore-not-found', '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();
  const attackers = await uid('keep-a');
  assert.equal((await kubectl(lab, 'admin', ['delete', 'secret', 'keep-b', '-n', ns])).exitCode, 0);
  assert.equal((await kubectl(lab, 'admin', ['create', 'secret', 'generic', 'keep-b', '-n', ns, '--from-literal=k=team'])).exitCode, 0);
  const teams = await uid('keep-b');

  const created = await newCase(dir);
  const log = join(dir, 'audit.log');
  writeFileSync(log, `${(await namespaceAuditLines(lab, startedMs, ns, ['secrets/keep-a', 'secrets/keep-b'])).join('\n')}\n`);
  const ingested = await runKustody(['audit', 'ingest', '--case', created.path, '--log', log, '--json']);
  assert.equal(ingested.exitCode, 0, ingested.stderr);
  const sweep = (extra: string[]) => runKustody(['audit', 'sweep', created.path, '-n', ns, '--since', new Date(startedMs).toISOString(), '--identity', `system:serviceaccount:${ns}:intruder`, ...extra], { env: { KUBECONFIG: lab.responderKubeconfig } });

  const dry = await sweep(['--dry-run']);
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  assert.deepEqual([await uid('keep-a'), await uid('keep-b')], [attackers, teams], 'the dry run (or its uid probe) deleted a Secret');

  const run = await sweep(['--yes', '--json']);
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const found = JSON.parse(run.stdout) as SweepJson;
  const item = (name: string) => found.items.find((i) => i.kind === 'Secret' && i.name === name) ?? assert.fail(`no item for ${name}: ${run.stdout.slice(0, 600)}`);
  assert.deepEqual([item('keep-a').uid, item('keep-a').removable], [attackers, true], item('keep-a').reasons.join('; '));
  assert.deepEqual([item('keep-b').uid, item('keep-b').removable], [teams, false]);
  assert.match(item('keep-b').keptBecause ?? '', /recreated under the same name/);
  assert.equal(await uid('keep-a'), '', `the attacker's Secret is still there: ${JSON.stringify({ status: found.status, changes: (found as unknown as { changes: unknown }).changes }).slice(0, 3000)}`);
  assert.equal(await uid('keep-b'), teams, 'the team\'s recreated Secret was deleted');
  // The secret data never reached the case, its WAL or the output.
  for (const text of [run.stdout, run.stderr, dry.stdout]) assert.ok(!text.includes('YXR0YWNrZXI=') && !text.includes('dGVhbQ=='), 'Secret data was printed');
});
