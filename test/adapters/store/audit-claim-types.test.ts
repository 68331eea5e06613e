// Found by the second review: SQLite's STRICT columns convert a value of the other kind that converts
// losslessly ('200' into INTEGER, 7 into TEXT), so a row bound with such a value would be stored
// differently from the text whose digest is recorded, and an honest case would fail verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { commitAuditBatch, commitAuditRows } from '../../../src/adapters/store/audit-store.js';
import { createCase } from '../../../src/adapters/store/case-store.js';
import { openWritableDb } from '../../../src/adapters/store/open-store.js';
import { emptyAuditRow, type StoredAuditRow } from '../../../src/core/audit/audit-row.js';
import { storedRowJson } from '../../../src/core/audit/audit-row-line.js';
import { makeTempDir } from '../../helpers/cli.js';

const row = (overrides: Record<string, unknown>): StoredAuditRow => ({ ...emptyAuditRow(), audit_id: 'a', stage: 'ResponseComplete', event_key: 'a/ResponseComplete', source_file: '/logs/a.log', line: 1, ...overrides }) as StoredAuditRow;

for (const [column, value] of [['response_code', '200'], ['audit_id', 7], ['line', null], ['text_escaped', true]] as const) {
  test(`a row holding ${JSON.stringify(value)} for ${column}, which its STRICT column would not store as given, is refused with its batch, as object and as text`, (t) => {
    const { dir, cleanup } = makeTempDir('kustody-claim-types-');
    t.after(cleanup);
    const { path, db } = createCase({ parentDir: dir, title: 't', host: 'h', osUser: 'u', now: '2026-12-07T00:00:00.000Z', toolName: 'kustody', toolVersion: 'test' });
    db.close();
    const writable = openWritableDb(join(path, 'evidence.db'));
    try {
      const stamp = { at: '2026-12-07T00:00:01.000Z', actor: 'u@h' };
      const good = row({ audit_id: 'g', event_key: 'g/ResponseComplete' });
      const bad = row({ [column]: value });
      assert.equal(storedRowJson(bad), null);
      assert.throws(() => commitAuditBatch(writable, { target: 'audit-log:/logs/a.log', detail: {}, rows: [good, bad] }, stamp), /could not be used/);
      // The same row as text (as the parsing thread would hand it over) is refused by the store itself.
      const text = (storedRowJson(good) ?? '').replace(`"${column}":${JSON.stringify((good as unknown as Record<string, unknown>)[column])}`, `"${column}":${JSON.stringify(value)}`);
      assert.notEqual(text, storedRowJson(good));
      assert.throws(() => commitAuditRows(writable, { target: 'audit-log:/logs/a.log', detail: {}, rows: [storedRowJson(good) ?? '', text] }, stamp), /would not store as given; nothing of this batch was stored/);
      assert.equal(writable.prepare('SELECT count(*) FROM audit_events').pluck().get(), 0);
    } finally {
      writable.close();
    }
  });
}
