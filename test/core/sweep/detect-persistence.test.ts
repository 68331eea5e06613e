// Pure tests of the persistence detector and the sweep/restore planners: what is reported, what may be removed, and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectPersistence } from '../../../src/core/sweep/detect-persistence.js';
import { planRestore, planSweep } from '../../../src/core/sweep/plan-sweep.js';
import { pinAuditSecret } from '../../../src/core/sweep/pin-secret.js';
import type { AuditWrite, ScannedObject, SweepFacts } from '../../../src/core/sweep/types.js';

const SINCE = '2026-01-01T10:00:00.000Z';
const meta = (name: string, created: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'shop', uid: `uid-${name}`, resourceVersion: '7', creationTimestamp: created, ...extra });
const obj = (kind: string, metadata: Record<string, unknown>, rest: Record<string, unknown> = {}): ScannedObject => ({ kind, object: { apiVersion: 'v1', kind, metadata, ...rest } });
const facts = (objects: ScannedObject[], audit: AuditWrite[] = [], extra: Partial<SweepFacts> = {}): SweepFacts => ({
  caseId: 'case-1', scope: { since: SINCE, namespaces: ['shop'] }, objects, readKinds: ['CronJob', 'RoleBinding', 'Deployment', 'Pod', 'ServiceAccount'], audit, ownUids: [], ...extra,
});
const write = (verb: string, resource: string, name: string, at: string, extra: Partial<AuditWrite> = {}): AuditWrite => ({ rowid: 1, verb, resource, subresource: null, namespace: 'shop', name, username: 'system:serviceaccount:shop:intruder', at, objectUid: null, responseCode: 201, ...extra });
const cron = (name: string, created: string) => obj('CronJob', meta(name, created), { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'evil:1' }] } } } } } });

test('a CronJob created in the window is a removable high item with its schedule and image; one created before is not an item', () => {
  const items = detectPersistence(facts([cron('beacon', '2026-01-01T10:05:00Z'), cron('nightly', '2025-12-01T00:00:00Z')]));
  assert.deepEqual(items.map((i) => i.name), ['beacon']);
  assert.equal(items[0]?.removable, true);
  assert.equal(items[0]?.severity, 'high');
  assert.ok(items[0]?.reasons.some((r) => r.includes('* * * * *')) && items[0]?.reasons.some((r) => r.includes('evil:1')));
  assert.deepEqual(items[0]?.techniques, ['T1053.007']);
});

test('objects outside the scope namespaces are not claimed, and a ClusterRoleBinding is in scope only when a subject is in it', () => {
  const other = { ...cron('theirs', '2026-01-01T10:05:00Z'), object: { ...cron('theirs', '2026-01-01T10:05:00Z').object, metadata: { ...meta('theirs', '2026-01-01T10:05:00Z'), namespace: 'other-helper' } } };
  const crb = (name: string, ns: string) => obj('ClusterRoleBinding', { name, uid: `uid-${name}`, creationTimestamp: '2026-01-01T10:06:00Z' }, { roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'x', namespace: ns }] });
  const items = detectPersistence(facts([other, crb('mine', 'shop'), crb('foreign', 'other-helper')]));
  assert.deepEqual(items.map((i) => `${i.kind}/${i.name}/${i.severity}`), ['ClusterRoleBinding/mine/critical']);
  assert.equal(detectPersistence(facts([other], [], { scope: { since: SINCE, namespaces: null } })).length, 1, 'all namespaces claims it');
});

test('an object only changed by the identity is reported but never removable (an attacker cannot make the sweep delete a legitimate object)', () => {
  const legit = obj('Deployment', meta('web', '2025-06-01T00:00:00Z'), { spec: { template: { spec: { containers: [{ image: 'web:1' }] } } } });
  const items = detectPersistence(facts([legit], [write('patch', 'deployments', 'web', '2026-01-01T10:10:00Z', { responseCode: 200 })]));
  assert.equal(items.length, 1);
  assert.equal(items[0]?.removable, false);
  assert.match(items[0]?.keptBecause ?? '', /changed, not created/);
  assert.equal(planSweep('case-1', items).changes.length, 0);
});

test('an audited create claims the object only when its creation time matches (a same-name object recreated later is not the attacker\'s)', () => {
  const recreated = cron('beacon', '2026-01-01T10:30:00Z');
  const items = detectPersistence(facts([recreated], [write('create', 'cronjobs', 'beacon', '2026-01-01T10:05:00.400000Z')], { scope: { since: SINCE, namespaces: [] } }));
  assert.deepEqual(items.map((i) => [i.uid, i.removable, i.keptBecause]), [[null, false, 'already gone']], 'the recreated object is not the audited one: only the gone one is reported');
  const made = detectPersistence(facts([cron('beacon', '2026-01-01T10:05:00Z')], [write('create', 'cronjobs', 'beacon', '2026-01-01T10:05:00.400000Z')], { scope: { since: SINCE, namespaces: [] } }));
  assert.equal(made[0]?.source, 'audit');
  assert.equal(made[0]?.removable, true);
});

test('owned objects, this case\'s own objects, the default ServiceAccount and unprivileged pods are not removable items', () => {
  const owned = obj('Pod', meta('web-abc', '2026-01-01T10:05:00Z', { ownerReferences: [{ kind: 'ReplicaSet', name: 'web-1' }] }), { spec: { hostPID: true, containers: [{ image: 'x' }] } });
  const plainPod = obj('Pod', meta('quiet', '2026-01-01T10:05:00Z'), { spec: { containers: [{ image: 'x' }] } });
  const bare = obj('Pod', meta('escape', '2026-01-01T10:05:00Z'), { spec: { volumes: [{ name: 'root', hostPath: { path: '/' } }], containers: [{ image: 'x', securityContext: { privileged: true } }] } });
  const own = obj('RoleBinding', meta('kustody-own', '2026-01-01T10:05:00Z'), { roleRef: { kind: 'ClusterRole', name: 'view' } });
  const items = detectPersistence(facts([owned, plainPod, bare, own, obj('ServiceAccount', meta('default', '2026-01-01T10:05:00Z'))], [], { ownUids: ['uid-kustody-own'] }));
  assert.deepEqual(items.map((i) => `${i.name}:${i.removable}`), ['escape:true', 'web-abc:false']);
  assert.ok(items[0]?.reasons.some((r) => r.includes('privileged container') && r.includes('hostPath /')));
  assert.ok(items[0]?.techniques.includes('T1611'));
});

test('a Deployment older than the window that rolled out new images is reported with before and after, not removed', () => {
  const dep = obj('Deployment', meta('web', '2025-06-01T00:00:00Z'), { spec: { template: { spec: { containers: [{ image: 'web:2-miner' }] } } } });
  const rs = (name: string, created: string, image: string) => obj('ReplicaSet', meta(name, created, { ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'uid-web' }] }), { spec: { template: { spec: { containers: [{ image }] } } } });
  const items = detectPersistence(facts([dep, rs('web-1', '2025-06-01T00:00:00Z', 'web:1'), rs('web-2', '2026-01-01T10:20:00Z', 'web:2-miner')]));
  assert.equal(items.length, 1);
  assert.match(items[0]?.reasons[0] ?? '', /new images in the window: web:2-miner \(before: web:1\)/);
  assert.equal(items[0]?.removable, false);
});

test('a Secret the identity created is removable by name without ever being read; its undo is manual', () => {
  const items = detectPersistence(facts([], [write('create', 'secrets', 'long-lived', '2026-01-01T10:05:00Z')]));
  assert.equal(items[0]?.kind, 'Secret');
  const plan = planSweep('case-1', items);
  assert.deepEqual(plan.changes[0]?.change, { action: 'delete', target: { kind: 'Secret', namespace: 'shop', name: 'long-lived' }, uid: '' });
  assert.ok('manual' in (plan.changes[0]?.undo ?? {}));
});

test('a Secret the identity created is pinned to the uid a dry-run delete reports; one the log shows deleted after that create (a team member recreating the name), or stamped at another time, is kept and reported; one gone is already gone; a failed probe leaves it deleted by name', () => {
  const writes = [write('create', 'secrets', 'keep', '2026-01-01T10:05:00.300000Z'), write('create', 'secrets', 'keep', '2026-01-01T10:09:00.100000Z')];
  const [secret] = detectPersistence(facts([], writes));
  if (secret === undefined) throw new Error('no Secret item');
  const ref = { kind: 'Secret', namespace: 'shop', name: 'keep' };
  // The identity deleted it and created it again itself: its latest create's object is its own (an API server answering with a Status gives no creation time).
  const pinned = pinAuditSecret(secret, writes, [{ username: 'system:serviceaccount:shop:intruder', at: '2026-01-01T10:08:00.000000Z' }], { uid: 'uid-theirs', createdAt: null });
  assert.equal(pinned.removable, true);
  assert.deepEqual(planSweep('case-1', [pinned]).changes[0]?.change, { action: 'delete', target: ref, uid: 'uid-theirs' });
  assert.deepEqual(planSweep('case-1', [pinned]).changes[0]?.expect, { check: 'absent', target: ref, uid: 'uid-theirs' });
  // Deleted by a team member after the identity's last create: what holds the name now may be theirs; kept, nothing planned.
  const recreated = pinAuditSecret(secret, writes, [{ username: 'alice', at: '2026-01-01T10:12:00.000000Z' }], { uid: 'uid-team', createdAt: null });
  assert.equal(recreated.removable, false);
  assert.match(recreated.keptBecause ?? '', /deleted or recreated under the same name since the identity created it/);
  assert.ok(recreated.reasons.some((r) => r.includes('uid uid-team') && r.includes('alice deleted it at 2026-01-01T10:12:00.000000Z')), recreated.reasons.join('; '));
  assert.equal(planSweep('case-1', [recreated]).changes.length, 0);
  // An answer carrying the object: a creation time that is none of the identity's creates (1 s resolution, 2 s slack) is kept too.
  assert.equal(pinAuditSecret(secret, writes, [], { uid: 'u', createdAt: '2026-01-01T10:09:01Z' }).removable, true);
  assert.equal(pinAuditSecret(secret, writes, [], { uid: 'u', createdAt: '2026-01-01T10:09:03Z' }).removable, false);
  const gone = pinAuditSecret(secret, writes, [], { gone: true });
  assert.deepEqual([gone.removable, gone.keptBecause], [false, 'already gone']);
  const unknown = pinAuditSecret(secret, writes, [], { error: 'You need permission to delete secrets' });
  assert.equal(unknown.removable, true);
  assert.deepEqual(planSweep('case-1', [unknown]).changes[0]?.change, { action: 'delete', target: ref, uid: '' });
  assert.ok(unknown.reasons.some((r) => r.includes('could not be learned') && r.includes('deleted by name')));
  assert.equal(pinAuditSecret(secret, writes, [{ username: 'alice', at: '2026-01-01T10:12:00.000000Z' }], { error: 'x' }).removable, false);
});

test('the sweep plan deletes with uid (and resourceVersion where no controller writes) and its undo recreates the object marked with the case', () => {
  const rb = obj('RoleBinding', meta('persist', '2026-01-01T10:05:00Z', { managedFields: [{}] }), { roleRef: { kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'shop' }] });
  const plan = planSweep('case-1', detectPersistence(facts([rb, cron('beacon', '2026-01-01T10:05:00Z')])));
  const byKind = new Map(plan.changes.map((c) => [c.change.target.kind, c]));
  assert.deepEqual(byKind.get('RoleBinding')?.change, { action: 'delete', target: { kind: 'RoleBinding', namespace: 'shop', name: 'persist' }, uid: 'uid-persist', resourceVersion: '7' });
  assert.deepEqual(byKind.get('CronJob')?.change, { action: 'delete', target: { kind: 'CronJob', namespace: 'shop', name: 'beacon' }, uid: 'uid-beacon' });
  const undo = byKind.get('RoleBinding')?.undo as unknown as { action: string; object: { metadata: Record<string, unknown> } };
  assert.equal(undo.action, 'create');
  assert.equal(undo.object.metadata.uid, undefined);
  assert.equal(undo.object.metadata.managedFields, undefined);
  assert.deepEqual(undo.object.metadata.annotations, { 'kustody.io/case': 'case-1' });
});

test('restore recreates only what is absent; a name taken again by someone else is reported, never overwritten', () => {
  const plan = planSweep('case-1', detectPersistence(facts([cron('beacon', '2026-01-01T10:05:00Z'), cron('again', '2026-01-01T10:05:00Z')])));
  const swept = plan.changes.map((c, i) => ({ seq: i + 1, changeId: c.id, change: c.change, undo: c.undo }));
  const current = new Map<string, Record<string, unknown> | null>([
    ['CronJob shop/beacon', null],
    ['CronJob shop/again', { metadata: { uid: 'attacker-recreated', annotations: {} } }],
  ]);
  const restore = planRestore('case-1', swept, current);
  assert.deepEqual(restore.changes.map((c) => c.change.target.name), ['beacon']);
  assert.ok(restore.report.some((r) => r.includes('again') && r.includes('attacker-recreated')));
});
