// An ingest killed half-way (kill -9 right after a batch committed, held there by the test harness's
// pause hook) loses no committed row and leaves a case that still opens, answers, exports and verifies,
// although a large ingest drops the lookup indexes until its end; the next ingest builds them. An
// attacker cannot use that allowance to change an index's definition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { AUDIT_LOOKUP_INDEXES } from '../../src/adapters/store/migrations/0003-audit-events.js';
import { REPO_ROOT, makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { eventLine, sql } from './audit-fixtures.js';

const PAUSABLE = join(REPO_ROOT, 'test', 'helpers', 'pausable-kustody.mjs');
const POINT = 'audit-ingest:after-batch';
const EVENTS = 6_000;

const lookupIndexes = (casePath: string) => sql(casePath, "SELECT name || ' | ' || sql FROM sqlite_master WHERE type = 'index' AND name IN ('audit_events_by_credential', 'audit_events_by_username', 'audit_events_by_issued_credential') ORDER BY name");
const exact = AUDIT_LOOKUP_INDEXES.map((index) => `${index.name} | ${index.sql}`).sort();

async function killAfterFirstBatch(casePath: string, log: string): Promise<void> {
  const child = execa(process.execPath, [PAUSABLE, 'audit', 'ingest', '--case', casePath, '--log', log, '--json'], { reject: false, stdin: 'ignore', env: { KUSTODY_TEST_PAUSE: POINT }, timeout: 120_000 });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (data: Buffer) => {
      stderr += data.toString('utf8');
      if (stderr.includes(`KUSTODY_TEST_PAUSED ${POINT}`)) resolve();
    });
    void child.then(() => reject(new Error(`the ingest ended before its first batch was stored: ${stderr}`)));
  });
  child.kill('SIGKILL');
  const ended = await child;
  assert.equal(ended.signal, 'SIGKILL');
}

test('an ingest killed after its first batch keeps that batch, leaves a case that opens, answers and exports to a bundle that verifies with every index; the next ingest builds them', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const log = join(dir, 'audit.log');
  writeFileSync(log, `${Array.from({ length: EVENTS }, (_, i) => eventLine(`ev-${String(i).padStart(5, '0')}`, { user: { username: `system:serviceaccount:shop:sa-${i % 7}`, groups: [], extra: { 'authentication.kubernetes.io/credential-id': [`JTI=jti-${i % 3}`] } } })).join('\n')}\n`);

  await killAfterFirstBatch(casePath, log);
  // The state a crash between an ingest's first and last transaction leaves: rows of committed batches, no lookup indexes.
  assert.deepEqual(lookupIndexes(casePath), []);
  const [batchRows] = sql(casePath, "SELECT sum(json_extract(detail, '$.events_parsed')) FROM actions WHERE json_extract(detail, '$.step') = 'audit-ingest'");
  const [stored] = sql(casePath, 'SELECT count(*) FROM audit_events');
  assert.ok(Number(stored) > 0 && Number(stored) < EVENTS, `stored ${stored}`);
  assert.equal(stored, batchRows);

  // Readers answer from the rows (no index needed for a right answer).
  const who = await runKustody(['audit', 'who', casePath, '--jti', 'jti-1', '--json']);
  assert.equal(who.exitCode, 0, who.stderr);
  const [withJti] = sql(casePath, "SELECT count(*) FROM audit_events WHERE credential_id = 'JTI=jti-1'");
  assert.equal((JSON.parse(who.stdout) as { identities: { requests: number }[] }).identities[0]?.requests, Number(withJti));

  // A bundle made now has the full schema: verify compares it object by object.
  const exported = await runKustody(['bundle', 'export', casePath, '-o', join(dir, 'crashed.tar')]);
  assert.equal(exported.exitCode, 0, exported.stderr);
  const verified = await runKustody(['bundle', 'verify', join(dir, 'crashed.tar')]);
  assert.equal(verified.exitCode, 0, verified.stdout + verified.stderr);

  // Ingesting the file again stores the rest and builds the indexes with their migration's statements.
  const again = await runKustody(['audit', 'ingest', '--case', casePath, '--log', log, '--json']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.deepEqual(sql(casePath, 'SELECT count(*) FROM audit_events'), [String(EVENTS)]);
  assert.deepEqual(lookupIndexes(casePath), exact);
});

test('a case whose lookup index was redefined (a partial index that leaves an identity out) is refused, missing indexes being the only allowance', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const log = join(dir, 'audit.log');
  writeFileSync(log, `${eventLine('ev-1')}\n`);
  const first = await runKustody(['audit', 'ingest', '--case', casePath, '--log', log, '--json']);
  assert.equal(first.exitCode, 0, first.stderr);
  assert.deepEqual(lookupIndexes(casePath), exact);
  sql(casePath, "DROP INDEX audit_events_by_username; CREATE INDEX audit_events_by_username ON audit_events(username, stage_timestamp) WHERE username <> 'system:serviceaccount:shop:web';");
  for (const argv of [['audit', 'who', casePath, '--user', 'system:serviceaccount:shop:web', '--json'], ['audit', 'ingest', '--case', casePath, '--log', log, '--json']]) {
    const run = await runKustody(argv);
    assert.notEqual(run.exitCode, 0, `${argv[1]} accepted a redefined index: ${run.stdout}`);
    assert.match(run.stdout + run.stderr, /definition of index \\?"audit_events_by_username\\?" in evidence\.db was changed/);
  }
});
