// Which identities revocation lists: the pod's, and every ServiceAccount the audit log shows the attacker creating or minting tokens for, transitively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { attackerIdentities, describeAttackerIdentities, mintedSurvivors, otherIdentities, survivorsWarning } from '../../../src/core/sweep/attacker-identities.js';
import { auditWritesOf } from '../../../src/adapters/store/sweep-facts.js';
import type { WritableDb } from '../../../src/adapters/store/open-store.js';

const POD = 'system:serviceaccount:shop:web';

/** A real SQLite table with the public audit_events columns (issue 14), filled with the attacker's chain. */
function auditDb(): WritableDb {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE audit_events (audit_id TEXT, stage TEXT, stage_timestamp TEXT, verb TEXT, request_uri TEXT, username TEXT, groups_json TEXT, credential_id TEXT,
    sa_namespace TEXT, sa_name TEXT, pod_name TEXT, pod_uid TEXT, source_ips_json TEXT, user_agent TEXT, resource TEXT, subresource TEXT, namespace TEXT, name TEXT,
    object_uid TEXT, response_code INTEGER, decision TEXT, reason TEXT, issued_credential_id TEXT, kept_json TEXT, source_file TEXT, line INTEGER)`);
  const add = db.prepare("INSERT INTO audit_events (stage, stage_timestamp, verb, username, credential_id, resource, subresource, namespace, name, response_code) VALUES ('ResponseComplete', ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  add.run('2026-01-01T10:01:00.000000Z', 'create', POD, 'JTI=abc', 'serviceaccounts', null, 'shop', 'helper', 201);
  add.run('2026-01-01T10:02:00.000000Z', 'create', 'system:serviceaccount:shop:helper', null, 'serviceaccounts', 'token', 'kube-system', 'admin-sa', 201);
  add.run('2026-01-01T10:03:00.000000Z', 'create', 'system:serviceaccount:kube-system:admin-sa', null, 'cronjobs', null, 'kube-system', 'beacon', 201);
  add.run('2026-01-01T10:04:00.000000Z', 'create', POD, 'JTI=abc', 'serviceaccounts', 'token', 'prod', 'denied-one', 403);
  add.run('2026-01-01T10:05:00.000000Z', 'create', 'system:serviceaccount:other:bystander', null, 'serviceaccounts', null, 'other', 'theirs', 201);
  return db as unknown as WritableDb;
}

test('the audit chain pod → created helper → token minted for admin-sa is followed; a denied mint and a bystander are not identities', () => {
  const db = auditDb();
  const { writes, usernames } = auditWritesOf(db, { usernames: [POD], credentialIds: [] }, '2026-01-01T00:00:00.000Z');
  const identities = attackerIdentities([POD], writes);
  assert.deepEqual(identities.map((i) => i.username), [POD, 'system:serviceaccount:shop:helper', 'system:serviceaccount:kube-system:admin-sa']);
  assert.match(identities[2]?.how ?? '', /a token minted by system:serviceaccount:shop:helper/);
  assert.ok(writes.some((w) => w.resource === 'cronjobs' && w.username.endsWith('admin-sa')), 'the third identity\'s writes are followed too');
  assert.ok(!usernames.includes('system:serviceaccount:other:bystander'));
  assert.deepEqual(otherIdentities(identities, POD).map((i) => i.username), ['system:serviceaccount:shop:helper', 'system:serviceaccount:kube-system:admin-sa'], 'what revoking the pod\'s account leaves alive');
  const lines = describeAttackerIdentities(identities, POD);
  assert.match(lines[0] ?? '', /2 other identities/);
  assert.ok(lines.some((l) => l.includes('helper') && l.includes('audit sweep')));
  db.close();
});

test('a credential id alone (the leaked token\'s jti) finds the identity\'s writes', () => {
  const db = auditDb();
  const { writes } = auditWritesOf(db, { usernames: [], credentialIds: ['JTI=abc'] }, '2026-01-01T00:00:00.000Z');
  assert.ok(writes.some((w) => w.name === 'helper'));
  db.close();
});

test('a token the attacker minted for a kube-system controller is followed by its credential id: its writes are the attacker\'s, the controller\'s own writes with its own token are not', () => {
  const db = auditDb();
  const add = db.prepare("INSERT INTO audit_events (stage, stage_timestamp, verb, username, credential_id, resource, subresource, namespace, name, response_code, issued_credential_id) VALUES ('ResponseComplete', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const controller = 'system:serviceaccount:kube-system:cronjob-controller';
  add.run('2026-01-01T10:06:00.000000Z', 'create', POD, 'JTI=abc', 'serviceaccounts', 'token', 'kube-system', 'cronjob-controller', 201, 'JTI=minted');
  add.run('2026-01-01T10:07:00.000000Z', 'create', controller, 'JTI=minted', 'cronjobs', null, 'shop', 'evil', 201, null);
  add.run('2026-01-01T10:08:00.000000Z', 'create', controller, 'JTI=kcm-own', 'jobs', null, 'shop', 'nightly-29000000', 201, null);
  const { writes, usernames, credentialIds } = auditWritesOf(db, { usernames: [], credentialIds: ['JTI=abc'] }, '2026-01-01T00:00:00.000Z');
  assert.ok(writes.some((w) => w.name === 'evil'), 'the minted token\'s write was not followed');
  assert.ok(!writes.some((w) => w.name === 'nightly-29000000'), 'the controller\'s own write was attributed to the attacker');
  assert.ok(credentialIds.includes('JTI=minted'));
  assert.ok(!usernames.includes(controller));
  assert.ok(attackerIdentities(['system:serviceaccount:shop:web'], writes).some((i) => i.username === controller), 'revocation no longer lists the controller whose token was minted');
  db.close();
});

test('a token the attacker minted for the pod\'s own account is listed with its credential id and outlives a plan that only deletes the pod (so does one whose binding the log did not keep); one bound to that pod, or a plan that rotates the account, kills it', () => {
  const db = auditDb();
  const add = db.prepare("INSERT INTO audit_events (stage, stage_timestamp, verb, username, credential_id, resource, subresource, namespace, name, response_code, issued_credential_id, kept_json) VALUES ('ResponseComplete', ?, 'create', ?, 'JTI=abc', 'serviceaccounts', 'token', 'shop', 'web', ?, ?, ?)");
  add.run('2026-01-01T10:06:00.000000Z', POD, 201, 'JTI=spare', JSON.stringify({ audiences: [], expirationSeconds: 7200, boundObjectRef: null }));
  add.run('2026-01-01T10:07:00.000000Z', POD, 201, 'JTI=pod-bound', JSON.stringify({ audiences: [], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', name: 'suspect', uid: 'u1' } }));
  add.run('2026-01-01T10:08:00.000000Z', POD, 403, 'JTI=refused', null);
  add.run('2026-01-01T10:09:00.000000Z', POD, 201, 'JTI=metadata-only', null);
  const { writes } = auditWritesOf(db, { usernames: [POD], credentialIds: ['JTI=abc'] }, '2026-01-01T00:00:00.000Z');
  const identities = attackerIdentities([POD], writes);
  assert.deepEqual(identities.find((i) => i.username === POD)?.minted.map((m) => [m.credentialId, m.boundTo]), [['JTI=spare', null], ['JTI=pod-bound', 'Pod suspect'], ['JTI=metadata-only', undefined]], 'a refused mint is not a token');
  // A mint whose request body the log did not keep (a Metadata-level policy) may be bound to anything: it is not assumed dead.
  assert.deepEqual(mintedSurvivors(identities, POD, { accountRevoked: false, deletedPod: 'suspect' }).map((m) => m.credentialId), ['JTI=spare', 'JTI=metadata-only']);
  assert.deepEqual(mintedSurvivors(identities, POD, { accountRevoked: false, deletedPod: null }).map((m) => m.credentialId), ['JTI=spare', 'JTI=pod-bound', 'JTI=metadata-only']);
  assert.deepEqual(mintedSurvivors(identities, POD, { accountRevoked: true, deletedPod: null }), []);
  const lines = describeAttackerIdentities(identities, POD, { accountRevoked: false, deletedPod: 'suspect' });
  assert.match(lines[0] ?? '', /^!! The audit log shows 2 token\(s\) minted for system:serviceaccount:shop:web itself that this plan does not revoke/);
  assert.ok(lines.some((l) => l.includes('token JTI=spare minted by system:serviceaccount:shop:web') && l.includes('bound to the account only')), lines.join('\n'));
  assert.ok(lines.some((l) => l.includes('token JTI=metadata-only minted') && l.includes('what it is bound to is not in the log')), lines.join('\n'));
  assert.ok(lines.some((l) => l.includes('kustody revoke --service-account shop/web --rotate-sa')), lines.join('\n'));
  assert.ok(!describeAttackerIdentities(identities, POD, { accountRevoked: true, deletedPod: 'suspect' }).some((l) => l.startsWith('!!')), 'a plan that rotates the account still warns');
  db.close();
});

test('tokens minted for an identity the attacker created are listed under it by credential id, with the exact rotation command', () => {
  const db = auditDb();
  const { writes } = auditWritesOf(db, { usernames: [POD], credentialIds: [] }, '2026-01-01T00:00:00.000Z');
  const lines = describeAttackerIdentities(attackerIdentities([POD], writes), POD, { accountRevoked: false, deletedPod: 'suspect' });
  assert.ok(lines.some((l) => l.includes('system:serviceaccount:kube-system:admin-sa') && l.includes('kustody revoke --service-account kube-system/admin-sa --rotate-sa')), lines.join('\n'));
  assert.ok(lines.some((l) => l.trim().startsWith('token (credential id not in the log) minted by system:serviceaccount:shop:helper')), lines.join('\n'));
  db.close();
});

test('an attacker who mints thousands of tokens for the pod\'s account cannot flood the revocation report: 20 are listed, then how many more', () => {
  const db = auditDb();
  const add = db.prepare("INSERT INTO audit_events (stage, stage_timestamp, verb, username, credential_id, resource, subresource, namespace, name, response_code, issued_credential_id, kept_json) VALUES ('ResponseComplete', ?, 'create', ?, 'JTI=abc', 'serviceaccounts', 'token', 'shop', 'web', 201, ?, ?)");
  for (let i = 0; i < 2000; i += 1) add.run(`2026-01-01T11:00:00.${String(i).padStart(6, '0')}Z`, POD, `JTI=flood-${i}`, JSON.stringify({ boundObjectRef: null }));
  const { writes } = auditWritesOf(db, { usernames: [POD], credentialIds: ['JTI=abc'] }, '2026-01-01T00:00:00.000Z');
  const identities = attackerIdentities([POD], writes);
  assert.equal(mintedSurvivors(identities, POD, { accountRevoked: false, deletedPod: 'suspect' }).length, 2000);
  const lines = describeAttackerIdentities(identities, POD, { accountRevoked: false, deletedPod: 'suspect' });
  assert.match(lines[0] ?? '', /shows 2000 token\(s\) minted/);
  assert.equal(lines.filter((l) => l.includes('JTI=flood-')).length, 20);
  assert.ok(lines.some((l) => l.includes('… and 1980 more token(s)')), lines.join('\n'));
  // The line a finished `kustody revoke` ends with (and exits 1 on) is bounded the same way.
  const warning = survivorsWarning(mintedSurvivors(identities, POD, { accountRevoked: false, deletedPod: 'suspect' }), POD) ?? '';
  assert.match(warning, /^2000 token\(s\) the audit log shows minted for system:serviceaccount:shop:web outlive this revocation: JTI=flood-0, .* and 1980 more\. Kill them: kustody revoke --service-account shop\/web --rotate-sa$/);
  assert.equal(warning.match(/JTI=flood-/g)?.length, 20);
  assert.equal(survivorsWarning(mintedSurvivors(identities, POD, { accountRevoked: true, deletedPod: null }), POD), null);
  db.close();
});
