// The persistence sweep on the lab: an attacker's stolen namespace token plants a CronJob and a RoleBinding;
// the sweep finds both (and nothing of another namespace), a dry run changes nothing, --yes removes them,
// restore brings them back, and the attacker recreating one after removal is caught by the next sweep.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { namespaceRoleIdentity } from '../helpers/lab-identity.js';
import { watchDryRun } from '../helpers/dry-run-oracle.js';

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

test('sweep finds the CronJob and RoleBinding a stolen token planted, dry run changes nothing, --yes removes them, restore brings them back, and a recreated one is caught again', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = await namespace(t, lab, 'sweep');
  const other = await namespace(t, lab, 'sweep-other');
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const since = new Date(Date.now() - 5_000).toISOString();
  // The attacker's identity: a namespace admin (edit plus RoleBindings) whose token was stolen.
  const stolen = await namespaceRoleIdentity(lab, dir, ns, 'intruder', 'admin');
  await plant(lab, stolen, ns);
  // Another team's namespace, changed in the same window: never this case's.
  assert.equal((await kubectl(lab, 'admin', ['create', 'cronjob', 'theirs', '-n', other, '--image=lab.local/busybox:1.35', '--schedule=0 0 1 1 *', '--', 'true'])).exitCode, 0);
  const planted = { cron: await exists(lab, 'cronjob', ns, 'beacon'), binding: await exists(lab, 'rolebinding', ns, 'persist') };
  const created = await newCase(dir);
  const responder = { KUBECONFIG: lab.responderKubeconfig };
  const sweep = (extra: string[]) => runKustody(['audit', 'sweep', created.path, '-n', ns, '--since', since, '--json', ...extra], { env: responder });

  const watch = await watchDryRun(lab, { namespace: ns, mentions: [created.id, ns] });
  const dry = await sweep(['--dry-run']);
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  const seen = (await watch.verify()).dryRun;
  assert.ok(seen.some((e) => e.verb === 'delete' && e.objectRef?.resource === 'cronjobs'), 'the dry run did not send the CronJob delete as a server-side dry run');
  const found = JSON.parse(dry.stdout) as SweepJson;
  const key = (i: { kind: string; namespace: string | null; name: string }) => `${i.kind} ${i.namespace}/${i.name}`;
  assert.ok(found.items.some((i) => key(i) === `CronJob ${ns}/beacon` && i.uid === planted.cron && i.removable), JSON.stringify(found.items));
  assert.ok(found.items.some((i) => key(i) === `RoleBinding ${ns}/persist` && i.uid === planted.binding && i.removable));
  assert.equal(found.items.filter((i) => i.namespace !== ns && i.namespace !== null).length, 0, 'an object of another namespace was claimed');
  assert.equal(await exists(lab, 'cronjob', ns, 'beacon'), planted.cron, '--dry-run deleted the CronJob');

  const removed = await sweep(['--yes']);
  assert.equal(removed.exitCode, 0, removed.stdout + removed.stderr);
  assert.equal((JSON.parse(removed.stdout) as SweepJson).status, 'applied');
  assert.equal(await exists(lab, 'cronjob', ns, 'beacon'), '', 'the CronJob is still there');
  assert.equal(await exists(lab, 'rolebinding', ns, 'persist'), '', 'the RoleBinding is still there');
  assert.equal(await exists(lab, 'cronjob', other, 'theirs') !== '', true, 'the other namespace\'s CronJob was touched');
  const db = new Database(join(created.path, 'evidence.db'), { readonly: true });
  const stored = db.prepare("SELECT kind, name, uid FROM k8s_objects WHERE capture_id LIKE 'sweep-%' AND name IN ('beacon', 'persist')").all() as Array<{ kind: string; name: string; uid: string }>;
  const applied = db.prepare("SELECT count(*) AS n FROM actions WHERE kind = 'revoke' AND outcome = 'applied' AND detail LIKE '%\"plan\":\"sweep\"%'").get() as { n: number };
  db.close();
  assert.ok(stored.some((r) => r.kind === 'CronJob' && r.uid === planted.cron) && stored.some((r) => r.kind === 'RoleBinding' && r.uid === planted.binding), 'the planted objects were not captured into the case');
  assert.ok(applied.n >= 2, 'the removals were not recorded as applied');

  const again = await sweep(['--yes']);
  assert.equal(again.exitCode, 0, again.stdout + again.stderr);
  assert.ok(!(JSON.parse(again.stdout) as SweepJson).items.some((i) => i.name === 'beacon' || i.name === 'persist'), 'a second sweep still reports removed objects');

  // The responder's roles cannot recreate workloads or grant roles: restore is refused, nothing changed.
  const refused = await runKustody(['audit', 'restore', created.path, '--yes', '--json'], { env: responder });
  assert.notEqual(refused.exitCode, 0);
  assert.match(refused.stderr + refused.stdout, /permission to create/);
  const restored = await runKustody(['audit', 'restore', created.path, '--yes', '--json'], { env: { KUBECONFIG: lab.adminKubeconfig } });
  assert.equal(restored.exitCode, 0, restored.stdout + restored.stderr);
  const back = { cron: await exists(lab, 'cronjob', ns, 'beacon'), binding: await exists(lab, 'rolebinding', ns, 'persist') };
  assert.ok(back.cron !== '' && back.cron !== planted.cron, 'the CronJob was not recreated');
  assert.ok(back.binding !== '', 'the RoleBinding was not recreated');
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
  const sweep = () => runKustody(['audit', 'sweep', created.path, '-n', ns, '--since', since, '--yes', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
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
