// The persistence sweep on the lab: an attacker's stolen namespace token plants a CronJob and a RoleBinding;
// with the lab's audit log of the namespace ingested, the sweep finds both (and nothing of another namespace)
// and says which audit rows attribute them, a dry run changes nothing, --yes removes only them (the team's
// CronJob of the same minute only with --include-unattributed), restore brings them back, and the attacker
// recreating one after removal is caught by the next sweep.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { namespaceRoleIdentity } from '../helpers/lab-identity.js';
import { watchDryRun } from '../helpers/dry-run-oracle.js';
import { namespaceAuditLines } from '../helpers/audit.js';

type SweepJson = { status: string; items: Array<{ kind: string; namespace: string | null; name: string; uid: string | null; removable: boolean }>; changes: Array<{ id: string; status: string }> };

async function namespace(t: TestContext, lab: LabEnv, prefix: string): Promise<string> {
  const ns = `${prefix}-${randomBytes(3).toString('hex')}`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(async () => void (await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false'])));
  return ns;
}

/** What the attacker plants with the stolen token: a CronJob and a RoleBinding granting `edit` to the namespace's default account. */
async function plant(lab: LabEnv, stolen: string, ns: string, which: 'both' | 'cronjob' = 'both'): Promise<void> {
  const as = ['--kubeconfig', stolen, '-n', ns];
  // A fresh RoleBinding reaches the API server's authorizer a moment later: wait until it answers yes.
  for (let i = 0; i < 120 && (await kubectl(lab, 'admin', [...as, 'auth', 'can-i', 'create', 'cronjobs.batch'])).stdout.trim() !== 'yes'; i += 1) await new Promise((r) => setTimeout(r, 250));
  const cron = await kubectl(lab, 'admin', [...as, 'create', 'cronjob', 'beacon', '--image=lab.local/busybox:1.35', '--schedule=0 0 1 1 *', '--', 'sh', '-c', 'echo beacon']);
  assert.equal(cron.exitCode, 0, cron.stderr);
  if (which === 'cronjob') return;
  const binding = await kubectl(lab, 'admin', [...as, 'create', 'rolebinding', 'persist', '--clusterrole=edit', `--serviceaccount=${ns}:default`]);
  assert.equal(binding.exitCode, 0, binding.stderr);
}

const exists = async (lab: LabEnv, kind: string, ns: string, name: string) => (await kubectl(lab, 'admin', ['get', kind, name, '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();

test('sweep finds the CronJob and RoleBinding a stolen token planted and says which audit rows attribute them; a dry run changes nothing; --yes removes only those, the team\'s CronJob of the same minute only with --include-unattributed; restore brings them back', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await namespace(t, lab, 'sweep');
  const other = await namespace(t, lab, 'sweep-other');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const startedMs = Date.now() - 5_000;
  const since = new Date(startedMs).toISOString();
  // The attacker's identity: a namespace admin (edit plus RoleBindings) whose token was stolen.
  const stolen = await namespaceRoleIdentity(lab, dir, ns, 'intruder', 'admin');
  const intruder = `system:serviceaccount:${ns}:intruder`;
  await plant(lab, stolen, ns);
  // The team's CronJob in the same namespace and minute, and another team's namespace: never attributed to this case.
  assert.equal((await kubectl(lab, 'admin', ['create', 'cronjob', 'team-job', '-n', ns, '--image=lab.local/busybox:1.35', '--schedule=0 0 1 1 *', '--', 'true'])).exitCode, 0);
  assert.equal((await kubectl(lab, 'admin', ['create', 'cronjob', 'theirs', '-n', other, '--image=lab.local/busybox:1.35', '--schedule=0 0 1 1 *', '--', 'true'])).exitCode, 0);
  const planted = { cron: await exists(lab, 'cronjob', ns, 'beacon'), binding: await exists(lab, 'rolebinding', ns, 'persist'), team: await exists(lab, 'cronjob', ns, 'team-job') };
  const created = await newCase(dir);
  const log = join(dir, 'audit.log');
  writeFileSync(log, `${(await namespaceAuditLines(lab, startedMs, ns, ['cronjobs/beacon', 'rolebindings/persist', 'cronjobs/team-job'])).join('\n')}\n`);
  const ingested = await runKustody(['audit', 'ingest', '--case', created.path, '--log', log, '--json']);
  assert.equal(ingested.exitCode, 0, ingested.stderr);
  const responder = { KUBECONFIG: lab.responderKubeconfig };
  const sweep = (extra: string[]) => runKustody(['audit', 'sweep', created.path, '-n', ns, '--since', since, '--identity', intruder, ...extra], { env: responder });
  const createRow = (resource: string, name: string) => {
    const db = new Database(join(created.path, 'evidence.db'), { readonly: true });
    try {
      return (db.prepare("SELECT rowid FROM audit_events WHERE stage = 'ResponseComplete' AND verb = 'create' AND resource = ? AND namespace = ? AND name = ?").get(resource, ns, name) as { rowid: number }).rowid;
    } finally {
      db.close();
    }
  };

  const watch = await watchDryRun(lab, { namespace: ns, mentions: [created.id, ns] });
  const dry = await sweep(['--dry-run']);
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  const seen = (await watch.verify()).dryRun;
  assert.ok(seen.some((e) => e.verb === 'delete' && e.objectRef?.resource === 'cronjobs'), 'the dry run did not send the CronJob delete as a server-side dry run');
  assert.ok(!seen.some((e) => e.verb === 'delete' && e.objectRef?.name === 'team-job'), 'the unattributed CronJob was planned for deletion without --include-unattributed');
  // The preview names, per object, whether the audit log attributes it and by which rows.
  const preview = dry.stdout;
  const about = (name: string) => preview.slice(preview.indexOf(`/${name} (`)).split('\n').slice(0, 3).join('\n');
  assert.match(about('beacon'), new RegExp(`attributed: created by ${intruder} at \\S+ \\(audit_events rows ${createRow('cronjobs', 'beacon')}\\)`));
  assert.match(about('persist'), new RegExp(`attributed: created by ${intruder} at \\S+ \\(audit_events rows ${createRow('rolebindings', 'persist')}\\)`));
  assert.match(about('team-job'), /not attributed: found by creation time only/);
  assert.match(preview, /team-job: not removed \(created in the window, but the audit log does not tie it to an identity of this case: review it, then remove it with kustody audit sweep --include-unattributed --yes\)/);
  assert.equal(await exists(lab, 'cronjob', ns, 'beacon'), planted.cron, '--dry-run deleted the CronJob');

  const removed = await sweep(['--yes', '--json']);
  assert.equal(removed.exitCode, 0, removed.stdout + removed.stderr);
  const found = JSON.parse(removed.stdout) as SweepJson;
  assert.equal(found.status, 'applied');
  const key = (i: { kind: string; namespace: string | null; name: string }) => `${i.kind} ${i.namespace}/${i.name}`;
  assert.ok(found.items.some((i) => key(i) === `CronJob ${ns}/beacon` && i.uid === planted.cron && i.removable), JSON.stringify(found.items));
  assert.ok(found.items.some((i) => key(i) === `RoleBinding ${ns}/persist` && i.uid === planted.binding && i.removable));
  assert.ok(found.items.some((i) => key(i) === `CronJob ${ns}/team-job` && !i.removable));
  assert.equal(found.items.filter((i) => i.namespace !== ns && i.namespace !== null).length, 0, 'an object of another namespace was claimed');
  assert.equal(await exists(lab, 'cronjob', ns, 'beacon'), '', 'the CronJob is still there');
  assert.equal(await exists(lab, 'rolebinding', ns, 'persist'), '', 'the RoleBinding is still there');
  assert.equal(await exists(lab, 'cronjob', ns, 'team-job'), planted.team, 'the team\'s CronJob was removed without --include-unattributed');
  assert.equal(await exists(lab, 'cronjob', other, 'theirs') !== '', true, 'the other namespace\'s CronJob was touched');
  const db = new Database(join(created.path, 'evidence.db'), { readonly: true });
  const stored = db.prepare("SELECT kind, name, uid FROM k8s_objects WHERE capture_id LIKE 'sweep-%' AND name IN ('beacon', 'persist')").all() as Array<{ kind: string; name: string; uid: string }>;
  const applied = db.prepare("SELECT count(*) AS n FROM actions WHERE kind = 'revoke' AND outcome = 'applied' AND detail LIKE '%\"plan\":\"sweep\"%'").get() as { n: number };
  db.close();
  assert.ok(stored.some((r) => r.kind === 'CronJob' && r.uid === planted.cron) && stored.some((r) => r.kind === 'RoleBinding' && r.uid === planted.binding), 'the planted objects were not captured into the case');
  assert.equal(applied.n, 2, 'the removals were not recorded as applied, or more than the attributed two were removed');

  // After review, the responder asks for the unattributed one too.
  const broad = await sweep(['--yes', '--include-unattributed', '--json']);
  assert.equal(broad.exitCode, 0, broad.stdout + broad.stderr);
  const gone = (JSON.parse(broad.stdout) as { items: Array<{ name: string; removable: boolean; keptBecause: string | null }> }).items.filter((i) => i.name === 'beacon' || i.name === 'persist');
  assert.deepEqual(gone.map((i) => [i.name, i.removable, i.keptBecause]).sort(), [['beacon', false, 'already gone'], ['persist', false, 'already gone']], 'a second sweep plans removed objects again');
  assert.equal(await exists(lab, 'cronjob', ns, 'team-job'), '', '--include-unattributed did not remove the unattributed CronJob');

  // The responder's roles cannot recreate workloads or grant roles: restore is refused, nothing changed.
  const refused = await runKustody(['audit', 'restore', created.path, '--yes', '--json'], { env: responder });
  assert.notEqual(refused.exitCode, 0);
  assert.match(refused.stderr + refused.stdout, /permission to create/);
  const restored = await runKustody(['audit', 'restore', created.path, '--yes', '--json'], { env: { KUBECONFIG: lab.adminKubeconfig } });
  assert.equal(restored.exitCode, 0, restored.stdout + restored.stderr);
  const back = { cron: await exists(lab, 'cronjob', ns, 'beacon'), binding: await exists(lab, 'rolebinding', ns, 'persist'), team: await exists(lab, 'cronjob', ns, 'team-job') };
  assert.ok(back.cron !== '' && back.cron !== planted.cron, 'the CronJob was not recreated');
  assert.ok(back.binding !== '', 'the RoleBinding was not recreated');
  assert.ok(back.team !== '', 'the team\'s CronJob was not recreated');
  const spec = JSON.parse((await kubectl(lab, 'admin', ['get', 'rolebinding', 'persist', '-n', ns, '-o', 'json'])).stdout) as { roleRef: { name: string }; subjects: Array<{ name: string }> };
  assert.deepEqual([spec.roleRef.name, spec.subjects.map((s) => s.name)], ['edit', ['default']]);
  const twice = await runKustody(['audit', 'restore', created.path, '--yes', '--json'], { env: { KUBECONFIG: lab.adminKubeconfig } });
  assert.equal(JSON.parse(twice.stdout).status, 'nothing-to-do', 'restore is not idempotent');
});

test('after the sweep removes it, the attacker recreating the CronJob with its namespace rights is caught by the next sweep; a legitimate Deployment whose image the attacker swapped is reported, never deleted', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await namespace(t, lab, 'sweep-re');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  // The stolen identity predates the window (the sweep would otherwise remove it too, and the attacker with it).
  const stolen = await namespaceRoleIdentity(lab, dir, ns, 'intruder', 'edit');
  // A legitimate Deployment from before the window (no replicas: nothing runs), and its first ReplicaSet.
  assert.equal((await kubectl(lab, 'admin', ['create', 'deployment', 'web', '-n', ns, '--image=lab.local/busybox:1.35', '--replicas=0'])).exitCode, 0);
  for (let i = 0; i < 120 && (await kubectl(lab, 'admin', ['get', 'replicasets', '-n', ns, '-o', 'name'])).stdout.trim() === ''; i += 1) await new Promise((r) => setTimeout(r, 250));
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 1000));
  const since = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  await plant(lab, stolen, ns, 'cronjob');
  // The attacker also swaps the legitimate Deployment's image: reported, and it must not make the sweep delete it.
  const swapped = await kubectl(lab, 'admin', ['--kubeconfig', stolen, '-n', ns, 'set', 'image', 'deployment/web', 'busybox=lab.local/miner:6.6']);
  assert.equal(swapped.exitCode, 0, swapped.stderr);
  for (let i = 0; i < 120 && (await kubectl(lab, 'admin', ['get', 'replicasets', '-n', ns, '-o', 'name'])).stdout.trim().split('\n').length < 2; i += 1) await new Promise((r) => setTimeout(r, 250));
  const webUid = await exists(lab, 'deployment', ns, 'web');
  const created = await newCase(dir);
  // No audit log in this case: only --include-unattributed removes anything, and even it never deletes an object only changed.
  const sweep = () => runKustody(['audit', 'sweep', created.path, '-n', ns, '--since', since, '--yes', '--include-unattributed', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  const first = await sweep();
  assert.equal(first.exitCode, 0, first.stdout + first.stderr);
  const firstItems = (JSON.parse(first.stdout) as SweepJson).items;
  assert.ok(!firstItems.some((i) => i.name === 'intruder'), 'the identity made before the window was claimed');
  const web = firstItems.find((i) => i.kind === 'Deployment' && i.name === 'web') as (SweepJson['items'][number] & { reasons: string[] }) | undefined;
  assert.ok(web !== undefined && !web.removable && web.reasons.some((r) => r.includes('lab.local/miner:6.6') && r.includes('before: lab.local/busybox:1.35')), JSON.stringify(web));
  assert.equal(await exists(lab, 'deployment', ns, 'web'), webUid, 'the sweep deleted a legitimate Deployment the attacker only changed');
  assert.equal(await exists(lab, 'cronjob', ns, 'beacon'), '');
  await plant(lab, stolen, ns, 'cronjob');
  const recreated = await exists(lab, 'cronjob', ns, 'beacon');
  const second = await sweep();
  assert.equal(second.exitCode, 0, second.stdout + second.stderr);
  const result = JSON.parse(second.stdout) as SweepJson;
  assert.ok(result.items.some((i) => i.kind === 'CronJob' && i.name === 'beacon' && i.uid === recreated), 'the recreated CronJob was not found');
  assert.equal(await exists(lab, 'cronjob', ns, 'beacon'), '', 'the recreated CronJob was not removed');
});
