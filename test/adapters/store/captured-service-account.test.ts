import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { capturedServiceAccountName } from '../../../src/adapters/store/captured-service-account.js';
import type { ReadableDb } from '../../../src/adapters/store/open-store.js';

// A bare table with the case schema's k8s_objects columns (the reader needs nothing else).
function caseDb(rows: Array<[string, string, string, string]>): ReadableDb {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE k8s_objects (capture_id TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL, namespace TEXT, name TEXT NOT NULL, uid TEXT, resource_version TEXT, json TEXT NOT NULL) STRICT');
  const insert = db.prepare("INSERT INTO k8s_objects (capture_id, target, kind, namespace, name, json) VALUES ('c', 't', ?, ?, ?, ?)");
  for (const row of rows) insert.run(...row);
  return db as unknown as ReadableDb;
}

test('the ServiceAccount of a deleted pod comes from the case\'s latest capture of it; hostile or missing values give none', () => {
  const db = caseDb([
    ['Pod', 'shop', 'suspect', JSON.stringify({ spec: { serviceAccountName: 'old' } })],
    ['Pod', 'shop', 'suspect', JSON.stringify({ spec: { serviceAccountName: 'suspect' } })],
    ['ServiceAccount', 'shop', 'other', JSON.stringify({ spec: { serviceAccountName: 'nope' } })],
    ['Pod', 'shop', 'no-sa', JSON.stringify({ spec: {} })],
    ['Pod', 'shop', 'evil', JSON.stringify({ spec: { serviceAccountName: '../../secrets/x' } })],
    ['Pod', 'shop', 'broken', '{"spec":'],
  ]);
  assert.equal(capturedServiceAccountName(db, 'shop', 'suspect'), 'suspect');
  assert.equal(capturedServiceAccountName(db, 'shop', 'no-sa'), 'default');
  assert.equal(capturedServiceAccountName(db, 'shop', 'evil'), undefined);
  assert.equal(capturedServiceAccountName(db, 'shop', 'broken'), undefined);
  assert.equal(capturedServiceAccountName(db, 'shop', 'other'), undefined);
  assert.equal(capturedServiceAccountName(db, 'other-ns', 'suspect'), undefined);
});
