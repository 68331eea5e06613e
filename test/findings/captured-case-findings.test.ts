import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCaseFacts } from '../../src/adapters/findings/read-case-facts.js';
import { openReadableDb } from '../../src/adapters/store/open-store.js';
import { deriveFindings } from '../../src/core/findings/index.js';
import { makeCapturedCase } from '../helpers/captured-case.js';
import { makeTempDir } from '../helpers/cli.js';

test('a real capture of a process running a deleted copy of python3 with a listening socket yields those findings, citing the stored rows', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const { casePath } = await makeCapturedCase(dir);
    const db = openReadableDb(join(casePath, 'evidence.db'));
    try {
      const findings = deriveFindings(readCaseFacts(db, new Date().toISOString()));
      const deleted = findings.find((f) => f.rule === 'deleted-executable');
      assert.ok(deleted !== undefined, JSON.stringify(findings.map((f) => f.id)));
      assert.equal(deleted.severity, 'high');
      for (const ref of deleted.evidence) {
        assert.equal(ref.table, 'processes');
        const row = db.prepare('SELECT exe, exe_deleted FROM processes WHERE rowid = ?').get(ref.rowid) as { exe: string; exe_deleted: number };
        assert.equal(row.exe_deleted, 1);
        assert.match(row.exe, /\/bin\/py \(deleted\)$/);
      }
      assert.ok(deleted.mappings.some((m) => m.framework === 'nist-csf-2.0'));
      const listener = findings.find((f) => f.rule === 'listener');
      assert.ok(listener !== undefined);
      const socket = db.prepare('SELECT state, local_addr FROM connections WHERE rowid = ?').get(listener.evidence[0]!.rowid) as { state: string; local_addr: string };
      assert.deepEqual(socket, { state: 'LISTEN', local_addr: '127.0.0.1' });
      assert.equal(new Set(findings.map((f) => f.id)).size, findings.length, 'finding ids are unique');
    } finally {
      db.close();
    }
  } finally {
    cleanup();
  }
});

test('with a row budget, facts stop at it per table and the findings say which tables they rest on only in part', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const { casePath } = await makeCapturedCase(dir);
    const db = openReadableDb(join(casePath, 'evidence.db'));
    try {
      const mounts = Number(db.prepare('SELECT count(*) FROM mounts').pluck().get());
      assert.ok(mounts > 2, `the capture holds only ${mounts} mounts`);
      const cut = readCaseFacts(db, new Date().toISOString(), { maxRowsPerTable: 2 });
      assert.equal(cut.mounts.length, 2);
      assert.ok(cut.limited?.some((l) => l.table === 'mounts' && l.read === 2), JSON.stringify(cut.limited));
      const notice = deriveFindings(cut).find((f) => f.id === 'case-facts:limited');
      assert.match(notice?.detail ?? '', /the first 2 rows of mounts/);
      const whole = readCaseFacts(db, new Date().toISOString(), { maxRowsPerTable: mounts });
      assert.equal(whole.mounts.length, mounts);
      assert.ok(!(whole.limited ?? []).some((l) => l.table === 'mounts'), JSON.stringify(whole.limited));
      assert.equal(deriveFindings(readCaseFacts(db, new Date().toISOString())).some((f) => f.id === 'case-facts:limited'), false);
    } finally {
      db.close();
    }
  } finally {
    cleanup();
  }
});
