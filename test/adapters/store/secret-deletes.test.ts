// Which deletes of a Secret's name the sweep counts (pin-secret.ts keeps a Secret deleted after the identity
// created it): read from a real case filled by a real ingest of audit lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openReadableDb } from '../../../src/adapters/store/open-store.js';
import { secretDeletes } from '../../../src/adapters/store/sweep-facts.js';
import { makeTempDir, newCase, runKustody } from '../../helpers/cli.js';
import { eventLine } from '../../audit/audit-fixtures.js';

const at = (s: number) => `2026-12-07T06:00:${String(s).padStart(2, '0')}.000000Z`;
const secretEvent = (id: string, s: number, user: string, verb: string, name: string | null, extra: Record<string, unknown> = {}) => eventLine(id, {
  verb, user: { username: user, groups: [] }, requestURI: `/api/v1/namespaces/shop/secrets${name === null ? '' : `/${name}`}`,
  objectRef: { resource: 'secrets', namespace: 'shop', apiVersion: 'v1', ...(name === null ? {} : { name }) }, stageTimestamp: at(s), ...extra,
});

test('a Secret name counts as deleted by a delete of it or a deletecollection of its namespace that completed; not by a dry run, a refused delete, or a delete of another name or namespace', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const lines = [
    secretEvent('c1', 1, 'intruder', 'create', 'keep'),
    secretEvent('d1', 2, 'alice', 'delete', 'keep'),
    secretEvent('d2', 3, 'bob', 'deletecollection', null),
    secretEvent('d3', 4, 'carol', 'delete', 'keep', { requestURI: '/api/v1/namespaces/shop/secrets/keep?dryRun=All' }),
    secretEvent('d4', 5, 'dave', 'delete', 'keep', { responseStatus: { metadata: {}, code: 403 } }),
    secretEvent('d5', 6, 'erin', 'delete', 'other'),
    eventLine('d6', { verb: 'delete', user: { username: 'frank', groups: [] }, objectRef: { resource: 'secrets', namespace: 'elsewhere', name: 'keep', apiVersion: 'v1' }, stageTimestamp: at(7) }),
  ];
  const log = join(dir, 'audit.log');
  writeFileSync(log, `${lines.join('\n')}\n`);
  const ingested = await runKustody(['audit', 'ingest', '--case', casePath, '--log', log, '--json']);
  assert.equal(ingested.exitCode, 0, ingested.stderr);
  const db = openReadableDb(join(casePath, 'evidence.db'));
  try {
    assert.deepEqual(secretDeletes(db, 'shop', 'keep').map((d) => d.username), ['alice', 'bob']);
  } finally {
    db.close();
  }
});
