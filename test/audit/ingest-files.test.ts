import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_DB_FILE, readCaseKey } from '../../src/adapters/store/case-store.js';
import { openWritableDb } from '../../src/adapters/store/open-store.js';
import { DEFAULT_INGEST_LIMITS, ingestAuditLogs, type IngestLimits } from '../../src/runner/run-audit-ingest.js';
import { makeTempDir, newCase } from '../helpers/cli.js';
import { eventLine, sql } from './audit-fixtures.js';

// The runner itself, on a real case: the next file is read while the last batches of one are stored, so
// these check what must not change with that overlap (order, per-file digests, the run's limits, descriptors).
// A read buffer lost per file once stalled a run of more than 32 files: the first test would hang, so it has a timeout.

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function writeLog(dir: string, name: string, prefix: string, events: number): string {
  const path = join(dir, name);
  writeFileSync(path, Array.from({ length: events }, (_, i) => `${eventLine(`${prefix}-${i}`)}\n`).join(''));
  return path;
}

async function ingestInto(casePath: string, files: string[], limits: Partial<IngestLimits> = {}) {
  const db = openWritableDb(join(casePath, CASE_DB_FILE));
  try {
    return await ingestAuditLogs(db, {
      files, caseKey: readCaseKey(casePath), sizes: files.map(() => 0), limits: { ...DEFAULT_INGEST_LIMITS, ...limits },
      actor: 'tester@host', now: () => '2026-12-07T06:00:00.000Z',
    });
  } finally {
    db.close();
  }
}

// This process's descriptors open on a file under `dir` (others, the test runner's, may come and go).
function descriptorsUnder(dir: string): string[] {
  const targets = readdirSync('/proc/self/fd').map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return '';
    }
  });
  return targets.filter((target) => target.startsWith(`${dir}/`));
}

test('many small files in one run each get their own summary, SHA-256 and rows, in the order given', { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir('kustody-ingest-files-');
  t.after(cleanup);
  const created = await newCase(join(dir, 'cases'));
  const files = Array.from({ length: 40 }, (_, i) => writeLog(dir, `audit-${i}.log`, `f${i}`, 1 + (i % 4)));
  const summaries = await ingestInto(created.path, files);
  assert.deepEqual(summaries.map((s) => s.file), files);
  assert.deepEqual(summaries.map((s) => s.sha256), files.map((f) => sha256(readFileSync(f))));
  assert.deepEqual(summaries.map((s) => s.inserted), files.map((_, i) => 1 + (i % 4)));
  // Each file's rows name it, and its file row comes after its batch rows in the custody log.
  for (const [i, file] of files.entries()) {
    assert.deepEqual(sql(created.path, `SELECT count(*) FROM audit_events WHERE source_file = '${file}' AND audit_id LIKE 'f${i}-%'`), [String(1 + (i % 4))]);
  }
  const order = sql(created.path, "SELECT json_extract(detail, '$.step') || ' ' || json_extract(detail, '$.source_file') FROM actions WHERE json_extract(detail, '$.step') LIKE 'audit-ingest%' ORDER BY seq");
  assert.deepEqual(order, files.flatMap((f) => [`audit-ingest ${f}`, `audit-ingest-file ${f}`]));
});

test('the run\'s total size limit spans its files: the file that reaches it is cut there, those after it at their start, each digest of the bytes read', async (t) => {
  const { dir, cleanup } = makeTempDir('kustody-ingest-files-');
  t.after(cleanup);
  const created = await newCase(join(dir, 'cases'));
  const [a, b, c] = [writeLog(dir, 'a.log', 'a', 40), writeLog(dir, 'b.log', 'b', 40), writeLog(dir, 'c.log', 'c', 10)] as [string, string, string];
  const sizeA = readFileSync(a).length;
  const summaries = await ingestInto(created.path, [a, b, c], { maxTotalBytes: sizeA + Math.floor(readFileSync(b).length / 2) });
  const [sa, sb, sc] = summaries as [(typeof summaries)[number], (typeof summaries)[number], (typeof summaries)[number]];
  assert.equal(sa.cut, null);
  assert.equal(sa.inserted, 40);
  assert.match(sb.cut ?? '', /total decompressed size limit/);
  assert.ok(sb.inserted > 0 && sb.inserted < 40, `b stored ${sb.inserted} of 40`);
  assert.match(sc.cut ?? '', /total decompressed size limit \(0 bytes left/);
  assert.equal(sc.inserted, 0);
  for (const [s, file] of [[sa, a], [sb, b], [sc, c]] as const) assert.equal(s.sha256, sha256(readFileSync(file).subarray(0, s.size)), file);
});

test('a file that cannot be opened fails the run when its turn comes: the files before it are stored with their custody rows, none after it, and no descriptor stays open', async (t) => {
  const { dir, cleanup } = makeTempDir('kustody-ingest-files-');
  t.after(cleanup);
  const created = await newCase(join(dir, 'cases'));
  const first = writeLog(dir, 'first.log', 'first', 30);
  const folder = join(dir, 'not-a-log');
  mkdirSync(folder);
  const after = writeLog(dir, 'after.log', 'after', 5);
  assert.deepEqual(descriptorsUnder(dir).filter((target) => target.endsWith('.log')), []);
  await assert.rejects(ingestInto(created.path, [first, folder, after]), /audit log/);
  // Neither the stored file nor the one opened ahead of the failing file is left open.
  assert.deepEqual(descriptorsUnder(dir).filter((target) => target.endsWith('.log')), []);
  assert.deepEqual(sql(created.path, "SELECT count(*) FROM audit_events WHERE audit_id LIKE 'first-%'"), ['30']);
  assert.deepEqual(sql(created.path, "SELECT count(*) FROM audit_events WHERE audit_id LIKE 'after-%'"), ['0']);
  assert.deepEqual(sql(created.path, "SELECT json_extract(detail, '$.source_file') FROM actions WHERE json_extract(detail, '$.step') = 'audit-ingest-file'"), [first]);
});
