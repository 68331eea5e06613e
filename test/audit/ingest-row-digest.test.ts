import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditRowHead, STORED_AUDIT_COLUMNS, storedRowJson, type BoundValue } from '../../src/core/audit/audit-row-line.js';
import { emptyAuditRow, type AuditRow } from '../../src/core/audit/audit-row.js';
import { RowsDigest, rowLine } from '../../src/core/capture/digest-rows.js';
import { commitAuditBatch, commitAuditRows } from '../../src/adapters/store/audit-store.js';
import { createCase, readCaseKey, recordAction } from '../../src/adapters/store/case-store.js';
import { DEFAULT_INGEST_LIMITS, ingestAuditLogs } from '../../src/runner/run-audit-ingest.js';
import { openReadableDb, openWritableDb } from '../../src/adapters/store/open-store.js';
import { decodeRow, digestColumns, digestSelect } from '../../src/adapters/store/stored-rows.js';
import { judgeAccepts } from '../helpers/captured-case.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { eventLine, sql } from './audit-fixtures.js';

/** Every audit-ingest custody row's recorded digest, beside the digest recomputed from its stored rows as verify reads them. */
function recordedAndRecomputed(casePath: string): { seq: number; recorded: string; recomputed: string; count: number }[] {
  const db = openReadableDb(join(casePath, 'evidence.db'));
  try {
    const columns = digestColumns(db, 'audit_events');
    const rows = db.prepare(digestSelect('audit_events', columns, 'WHERE action_seq = ?')).safeIntegers(true);
    const actions = db.prepare("SELECT seq, detail FROM actions WHERE json_extract(detail, '$.rows_sha256.audit_events') IS NOT NULL ORDER BY seq").all() as { seq: number; detail: string }[];
    return actions.map(({ seq, detail }) => {
      const digest = new RowsDigest();
      for (const raw of rows.iterate(seq) as Iterable<Record<string, unknown>>) {
        const row = decodeRow('audit_events', columns, raw);
        digest.add(row);
        // The row's JSON text, as ingest hashes it, is the reference encoding of the row as stored.
        const values = Object.fromEntries(STORED_AUDIT_COLUMNS.map((c) => { const v = row[c]; return [c, typeof v === 'bigint' ? Number(v) : (v ?? null)]; })) as unknown as AuditRow & { source_file: string; line: number };
        assert.equal(`${auditRowHead(seq)}${storedRowJson(values)?.substring(1) ?? 'NO LINE'}`, rowLine(row));
      }
      const parsed = JSON.parse(detail) as { rows: { audit_events: number }; rows_sha256: { audit_events: string } };
      return { seq, recorded: parsed.rows_sha256.audit_events, recomputed: digest.hex(), count: parsed.rows.audit_events };
    });
  } finally {
    db.close();
  }
}

test('the row digest ingest takes from the values it binds equals the one recomputed from the stored rows, for hostile text, NULLs, cut values and duplicates; verify and the Python judge agree, and an edit is caught', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const [head, tail] = eventLine('bad-utf8', { userAgent: 'X' }).split('"userAgent":"X"');
  const lines = [
    Buffer.from(eventLine('plain-1')),
    Buffer.from(eventLine('unicode', { userAgent: 'k\u00fcbectl/\u4e2d\u6587 \ud83d\ude80 \u202e\u0007', objectRef: { resource: 'pods', namespace: 'sh\u00f6p', name: 'n\u200b"\\\u0001' } })),
    Buffer.concat([Buffer.from(`${head}"userAgent":"ua-`), Buffer.from([0xfe, 0xc3]), Buffer.from(`"${tail}`)]),
    Buffer.from(eventLine('lone-surrogate', { userAgent: 'a\\ud800b' }).replace('a\\\\ud800b', 'a\\ud800b')),
    Buffer.from(JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'bare', stage: 'ResponseComplete' })),
    Buffer.from(eventLine('long', { requestURI: `/api/v1/namespaces/x/pods?token=s3cr3t&watch=${'w'.repeat(9000)}`, annotations: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, 'v'.repeat(400)])) })),
    Buffer.from(eventLine('no-stage', { stage: undefined, auditID: undefined, responseStatus: { code: 1.5 } })),
  ];
  const log = join(dir, 'audit.log');
  writeFileSync(log, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
  // A second file: half already in the case, half new; only the new rows are in its digest.
  const second = join(dir, 'audit-2.log');
  writeFileSync(second, `${[eventLine('plain-1'), eventLine('plain-2'), eventLine('unicode', { stage: 'ResponseStarted' })].join('\n')}\n`);
  for (const file of [log, second]) {
    const run = await runKustody(['audit', 'ingest', '--case', casePath, '--log', file, '--json']);
    assert.equal(run.exitCode, 0, run.stderr);
  }
  assert.deepEqual(sql(casePath, 'SELECT count(*), sum(text_escaped) FROM audit_events'), ['9|2']);
  const digests = recordedAndRecomputed(casePath);
  assert.deepEqual(digests.map((d) => d.count), [7, 2]);
  for (const d of digests) assert.equal(d.recorded, d.recomputed, `custody row ${d.seq}`);

  const exported = await runKustody(['bundle', 'export', casePath, '-o', join(dir, 'case.tar')]);
  assert.equal(exported.exitCode, 0, exported.stderr);
  const verified = await runKustody(['bundle', 'verify', join(dir, 'case.tar'), '--json']);
  assert.equal(JSON.parse(verified.stdout).status, 'intact', verified.stdout);
  assert.ok(judgeAccepts(casePath), 'the documented Python judge accepts the case');

  sql(casePath, "UPDATE audit_events SET user_agent = 'kubectl/v1.35.4' WHERE audit_id = 'unicode' AND stage = 'ResponseComplete'");
  assert.ok(!judgeAccepts(casePath), 'the Python judge rejects the edited case');
  const edited = await runKustody(['bundle', 'export', casePath, '-o', join(dir, 'edited.tar')]);
  assert.equal(edited.exitCode, 0, edited.stderr);
  const report = JSON.parse((await runKustody(['bundle', 'verify', join(dir, 'edited.tar'), '--json'])).stdout) as { status: string; findings: { code: string; message: string }[] };
  assert.equal(report.status, 'tampered');
  assert.ok(report.findings.some((f) => f.code === 'ROWS_CHANGED' && f.message.startsWith('audit_events:')), JSON.stringify(report.findings));
});

test('a writer\'s own row digest is recorded only when the rowids agree with its count; a lone surrogate, which SQLite would store as bytes that are not UTF-8, is refused as reading the rows back refuses it; a row text whose values are not every column in order is refused whole', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath, db } = createCase({ parentDir: dir, title: 't', host: 'h', osUser: 'u', now: '2026-12-07T00:00:00.000Z', toolName: 'kustody', toolVersion: 'test' });
  db.close();
  const writable = openWritableDb(join(casePath, 'evidence.db'));
  try {
    const stamp = { at: '2026-12-07T00:00:01.000Z', actor: 'tester@host' };
    const row = (id: string, userAgent: string) => ({ ...emptyAuditRow(), audit_id: id, stage: 'ResponseComplete', user_agent: userAgent, event_key: `${id}/ResponseComplete`, source_file: '/logs/a.log', line: 1 });
    commitAuditBatch(writable, { target: 'audit-log:/logs/a.log', detail: { step: 'audit-ingest' }, rows: [row('s-1', 'ok'), row('s-2', 'whole \ud83d\ude80 pair')] }, stamp);
    assert.throws(() => commitAuditBatch(writable, { target: 'audit-log:/logs/a.log', detail: { step: 'audit-ingest' }, rows: [row('s-3', 'ok'), row('s-4', 'half \ud800 pair')] }, stamp), /could not be used/);
    assert.equal(writable.prepare("SELECT count(*) FROM audit_events WHERE audit_id IN ('s-3', 's-4')").pluck().get(), 0);
    // A row text whose values are not the columns in order, or not all of them, would bind values to the wrong columns: refused, nothing stored.
    const good = storedRowJson(row('t-1', 'ok')) ?? '';
    const swapped = good.replace('"api_group":null,"audit_id":"t-1"', '"audit_id":"t-1","api_group":null');
    assert.notEqual(swapped, good);
    const short = good.replace('"verb":null}', '}').replace(',}', '}');
    for (const bad of [swapped, short]) {
      assert.throws(() => commitAuditRows(writable, { target: 'audit-log:/logs/a.log', detail: { step: 'audit-ingest' }, rows: [good, bad] }, stamp), /nothing of this batch was stored/);
    }
    assert.equal(writable.prepare("SELECT count(*) FROM audit_events WHERE audit_id = 't-1'").pluck().get(), 0);
    // A writer that claims fewer rows than it inserted, with a made-up digest: its claim is not recorded.
    const insert = writable.prepare(`INSERT INTO audit_events (${STORED_AUDIT_COLUMNS.join(', ')}) VALUES (${STORED_AUDIT_COLUMNS.map(() => '?').join(', ')})`);
    recordAction(writable, { ...stamp, kind: 'observe', target: 'audit-log:/logs/b.log', detail: { step: 'audit-ingest' }, outcome: 'ok' }, (seq) => {
      for (const id of ['l-1', 'l-2']) insert.run(STORED_AUDIT_COLUMNS.map((c): BoundValue => (c === 'action_seq' ? seq : (row(id, 'x') as unknown as Record<string, BoundValue>)[c] ?? null)));
      return { table: 'audit_events', count: 1, sha256: '0'.repeat(64) };
    });
  } finally {
    writable.close();
  }
  const digests = recordedAndRecomputed(casePath);
  assert.deepEqual(digests.map((d) => d.count), [2, 2]);
  for (const d of digests) assert.equal(d.recorded, d.recomputed);
  assert.ok(judgeAccepts(casePath));
});

test('ingest called in process from source (tsx, as other tests may) parses on its worker thread and stores what the CLI stores', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath, db } = createCase({ parentDir: dir, title: 't', host: 'h', osUser: 'u', now: '2026-12-07T00:00:00.000Z', toolName: 'kustody', toolVersion: 'test' });
  const log = join(dir, 'audit.log');
  writeFileSync(log, `${[eventLine('in-1'), 'not json', eventLine('in-2'), eventLine('in-1')].join('\n')}\n`);
  try {
    const [summary] = await ingestAuditLogs(db, { files: [log], caseKey: readCaseKey(casePath), limits: DEFAULT_INGEST_LIMITS, actor: 'tester@host', now: () => '2026-12-07T00:00:01.000Z', sizes: [0] });
    assert.deepEqual([summary?.lines, summary?.events, summary?.inserted, summary?.duplicates, summary?.skipped['not-json']], [4, 3, 2, 1, 1]);
  } finally {
    db.close();
  }
  for (const d of recordedAndRecomputed(casePath)) assert.equal(d.recorded, d.recomputed);
});

test('a batch\'s rows sent ahead in parts are stored whole and in line order: 6,000 events in three batches, each batch\'s recorded digest equal to the one recomputed from its rows', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath, db } = createCase({ parentDir: dir, title: 't', host: 'h', osUser: 'u', now: '2026-12-07T00:00:00.000Z', toolName: 'kustody', toolVersion: 'test' });
  const log = join(dir, 'audit.log');
  const events = 6_000;
  // A line that is not JSON inside a part, and the last batch ending in the middle of a part.
  writeFileSync(log, `${Array.from({ length: events }, (_, i) => (i === 100 ? 'not json\n' : '') + eventLine(`part-${i}`)).join('\n')}\n`);
  try {
    const [summary] = await ingestAuditLogs(db, { files: [log], caseKey: readCaseKey(casePath), limits: DEFAULT_INGEST_LIMITS, actor: 'tester@host', now: () => '2026-12-07T00:00:01.000Z', sizes: [0] });
    assert.deepEqual([summary?.events, summary?.inserted, summary?.skipped['not-json']], [events, events, 1]);
  } finally {
    db.close();
  }
  // Stored in line order: the rowids follow the line numbers, every event once.
  assert.deepEqual(sql(casePath, 'SELECT count(*), count(DISTINCT audit_id), min(line), max(line) FROM audit_events'), [`${events}|${events}|1|${events + 1}`]);
  assert.deepEqual(sql(casePath, 'SELECT count(*) FROM audit_events a JOIN audit_events b ON b.rowid = a.rowid + 1 WHERE b.line <= a.line'), ['0']);
  const digests = recordedAndRecomputed(casePath);
  assert.deepEqual(digests.map((d) => d.count), [2_500, 2_500, 1_000]);
  for (const d of digests) assert.equal(d.recorded, d.recomputed);
});
