// recordAction takes a writer's own row digest when the rowids show exactly its count of new rows: it
// checks the count, not the digest. A writer whose digest is wrong (a value SQLite stored otherwise
// than it was bound, a bug in the writer) therefore gets its claim recorded; `bundle verify` and the
// documented Python judge recompute the digest from the stored rows and must call the bundle TAMPERED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { verifyBundle } from '../../../src/adapters/bundle/verify-bundle.js';
import { createCase, recordAction } from '../../../src/adapters/store/case-store.js';
import { exportCase } from '../../../src/runner/run-export.js';
import { decodeRow, digestColumns, digestSelect } from '../../../src/adapters/store/stored-rows.js';
import { digestRows, type StoredRow } from '../../../src/core/capture/digest-rows.js';
import { extractWithTar } from '../../helpers/bundle-fixtures.js';
import { judgeAccepts } from '../../helpers/captured-case.js';
import { makeTempDir } from '../../helpers/cli.js';

const INSERT = `INSERT INTO audit_events (audit_id, verb, format, text_escaped, event_key, source_file, line, action_seq)
  VALUES (?, ?, 'json', 0, ?, 'audit.log', ?, ?)`;

/** A case whose one audit-ingest row inserts two events and claims their digest, computed from the stored rows with `alter` applied; exported. */
async function exportWithClaim(dir: string, alter: (row: StoredRow) => StoredRow): Promise<{ bundle: string; claimed: string; recorded: string }> {
  const now = '2026-01-01T00:00:00.000Z';
  const { db } = createCase({ parentDir: dir, title: 'claimed rows', host: 'h', osUser: 'u', now, toolName: 'kustody', toolVersion: 'test' });
  try {
    let claimed = '';
    const action = recordAction(db, { at: now, actor: 'u@h', kind: 'observe', target: 'audit-log:audit.log', detail: { step: 'audit-ingest' }, outcome: 'ok' }, (seq) => {
      db.prepare(INSERT).run('id-1', 'delete', 'id-1/ResponseComplete', 1, seq);
      db.prepare(INSERT).run('id-2', 'create', 'id-2/ResponseComplete', 2, seq);
      // What the writer believes it stored: the rows as SQLite holds them, with `alter` applied.
      const columns = digestColumns(db, 'audit_events');
      const stored = db.prepare(digestSelect('audit_events', columns, 'WHERE action_seq = ?')).safeIntegers(true).all(seq) as Record<string, unknown>[];
      claimed = digestRows(stored.map((raw) => alter(decodeRow('audit_events', columns, raw))));
      return { table: 'audit_events', count: 2, sha256: claimed };
    });
    const recorded = (action.detail as { rows_sha256: Record<string, string> }).rows_sha256.audit_events ?? '';
    const bundle = join(dir, 'bundle.tar');
    await exportCase(db, bundle, undefined, 'u@h');
    return { bundle, claimed, recorded };
  } finally {
    db.close();
  }
}

test("a writer's claimed row digest that differs from the rows it stored is recorded as claimed, and bundle verify and the Python judge call the bundle TAMPERED naming the table", { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir('kustody-claim-');
  t.after(cleanup);
  // The control: the same writer with a true claim gives an intact bundle.
  mkdirSync(join(dir, 'true'));
  const honest = await exportWithClaim(join(dir, 'true'), (row) => row);
  assert.equal((await verifyBundle(honest.bundle)).status, 'intact');
  mkdirSync(join(dir, 'true', 'extracted'));
  extractWithTar(honest.bundle, join(dir, 'true', 'extracted'));
  assert.ok(judgeAccepts(join(dir, 'true', 'extracted')), 'the documented Python judge rejected the true claim');

  mkdirSync(join(dir, 'wrong'));
  const wrong = await exportWithClaim(join(dir, 'wrong'), (row) => (row.audit_id === 'id-1' ? { ...row, verb: 'get' } : row));
  assert.equal(wrong.recorded, wrong.claimed, 'the count agreed, so the claim was expected to be recorded as given');
  const report = await verifyBundle(wrong.bundle);
  assert.equal(report.status, 'tampered', JSON.stringify(report.findings));
  assert.ok(report.findings.some((f) => f.message.startsWith('audit_events:')), JSON.stringify(report.findings));
  const extracted = join(dir, 'extracted');
  mkdirSync(extracted);
  extractWithTar(wrong.bundle, extracted);
  assert.equal(judgeAccepts(extracted), false, 'the documented Python judge accepted rows that differ from their recorded digest');
});
