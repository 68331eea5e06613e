// Re-exporting an unchanged case gives the same bytes, whatever the case's size and history: many
// pages, overflow chains, updated rows (freed cell space), WAL checkpoints, a VACUUM of the live file,
// closing and reopening, and earlier exports between the two.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readLocalProcesses } from '../../../src/adapters/collect/local-proc-reader.js';
import { beginCapture, commitCaptureStep, finishCapture, type K8sObjectRow } from '../../../src/adapters/store/capture-store.js';
import { CASE_DB_FILE, createCase, readCaseKey, recordAction } from '../../../src/adapters/store/case-store.js';
import { openWritableDb, type WritableDb } from '../../../src/adapters/store/open-store.js';
import { fingerprintSecret } from '../../../src/core/credentials/fingerprint.js';
import { runCapture } from '../../../src/runner/run-capture.js';
import { exportCase } from '../../../src/runner/run-export.js';
import { makeTempDir, runKustody } from '../../helpers/cli.js';

const numRuns = Number(process.env.KUSTODY_FC_RUNS ?? 25);
const at = '2026-11-27T04:00:01.000Z';
const stamp = { at, actor: 'tester@test-host' };

type Op =
  | { kind: 'note'; text: string }
  | { kind: 'artifact'; size: number }
  | { kind: 'objects'; rows: { name: string; json: string }[] }
  | { kind: 'capture-local' }
  | { kind: 'checkpoint'; mode: 'PASSIVE' | 'TRUNCATE' | 'reopen' | 'vacuum' }
  | { kind: 'export' };

const text = (max: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength: max });
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: text(40).map((t) => ({ kind: 'note' as const, text: t })), weight: 2 },
  { arbitrary: fc.integer({ min: 100, max: 6000 }).map((n) => ({ kind: 'note' as const, text: 'x'.repeat(n) })), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 300_000 }).map((size) => ({ kind: 'artifact' as const, size })), weight: 2 },
  { arbitrary: fc.array(fc.record({ name: text(30), json: fc.string({ maxLength: 5000 }) }), { minLength: 1, maxLength: 8 }).map((rows) => ({ kind: 'objects' as const, rows })), weight: 2 },
  { arbitrary: fc.constant({ kind: 'capture-local' as const }), weight: 1 },
  { arbitrary: fc.constantFrom('PASSIVE', 'TRUNCATE', 'reopen', 'vacuum').map((mode) => ({ kind: 'checkpoint' as const, mode })), weight: 3 },
  { arbitrary: fc.constant({ kind: 'export' as const }), weight: 4 },
);

/** A live case the property drives, reopened on demand as a new session would. */
class LiveCase {
  db: WritableDb;
  exports = 0;
  constructor(readonly path: string, readonly id: string, db: WritableDb, private readonly target: number) {
    this.db = db;
  }

  /** Applies one operation; returns whether it changed what the case holds. */
  async apply(step: Op): Promise<boolean> {
    const db = this.db;
    switch (step.kind) {
      case 'note':
        recordAction(db, { ...stamp, kind: 'note', target: this.id, detail: { text: step.text }, outcome: 'ok' });
        return true;
      case 'artifact': {
        const content = randomBytes(step.size);
        const sha256 = createHash('sha256').update(content).digest('hex');
        recordAction(db, { ...stamp, kind: 'observe', target: 'blob', detail: { step: 'blob' }, outcome: 'ok' }, undefined, [
          { sha256, size: content.length, mediaType: 'application/octet-stream', source: 'test/blob', vantage: 'local', collectedAt: at, content },
        ]);
        return true;
      }
      case 'objects': {
        // begin, step, finish: the finish UPDATEs the captures row, so live pages hold freed cell bytes.
        const captureId = `cap-${randomBytes(4).toString('hex')}`;
        beginCapture(db, { captureId, target: 'pod/x', vantage: 'api', detail: {} }, stamp);
        const rows: K8sObjectRow[] = step.rows.map((r) => ({ kind: 'ConfigMap', namespace: 'ns', name: r.name, uid: null, resource_version: '1', json: r.json }));
        commitCaptureStep(db, { captureId, target: 'pod/x', step: 'k8s-objects', rows: { k8s_objects: rows }, warnings: [] }, stamp);
        finishCapture(db, { captureId, target: 'pod/x', status: 'complete', unfinished: [], notes: ['a finishing note that is longer than the running status'] }, stamp);
        return true;
      }
      case 'capture-local': {
        const key = readCaseKey(this.path);
        await runCapture(async () => readLocalProcesses({ pid: this.target }), { target: `pid:${this.target}`, vantage: 'local', detail: {} }, {
          db, actor: stamp.actor, now: () => at, fingerprint: (value) => fingerprintSecret(key, value),
        });
        return true;
      }
      case 'checkpoint':
        if (step.mode === 'reopen') {
          db.close();
          this.db = openWritableDb(join(this.path, CASE_DB_FILE));
        } else if (step.mode === 'vacuum') {
          db.exec('VACUUM');
        } else {
          db.pragma(`wal_checkpoint(${step.mode})`);
        }
        return false;
      case 'export':
        return false;
    }
  }

  /** Exports the case through the export step (which appends its own `export` row) and returns the tar's bytes. */
  async export(dir: string): Promise<Buffer> {
    this.exports += 1;
    const out = join(dir, `export-${this.exports}.tar`);
    await exportCase(this.db, out, undefined, stamp.actor);
    return readFileSync(out);
  }
}

function startSleeper(): ChildProcess {
  return spawn('sleep', ['600'], { stdio: 'ignore' });
}

test('property: every export of an unchanged case is byte-identical, across notes, captures, artifacts, checkpoints, VACUUM and reopening', async (t) => {
  const sleeper = startSleeper();
  t.after(() => sleeper.kill('SIGKILL'));
  assert.ok(sleeper.pid !== undefined);
  let compared = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 14 }), async (ops) => {
      const { dir, cleanup } = makeTempDir('kustody-repro-');
      const created = createCase({ parentDir: dir, title: 'reproducible', host: 'test-host', osUser: 'tester', now: '2026-11-27T04:00:00.000Z', toolName: 'kustody', toolVersion: '0.0.0-test' });
      const live = new LiveCase(created.path, created.id, created.db, sleeper.pid!);
      try {
        let last: Buffer | undefined;
        // Always end with two exports around a checkpoint, so every run compares at least once.
        for (const step of [...ops, { kind: 'export' } as const, { kind: 'checkpoint', mode: 'TRUNCATE' } as const, { kind: 'export' } as const]) {
          if (await live.apply(step)) last = undefined;
          if (step.kind !== 'export') continue;
          const bytes = await live.export(dir);
          if (last !== undefined) {
            assert.ok(bytes.equals(last), `export ${live.exports} of an unchanged case differs from the one before (ops: ${JSON.stringify(ops.map((o) => o.kind))})`);
            compared += 1;
          }
          last = bytes;
        }
      } finally {
        live.db.close();
        cleanup();
      }
    }),
    { numRuns },
  );
  assert.ok(compared >= numRuns);
});

test('a large case (3000 notes of 100+ characters, 20 MB of artifacts, a local capture) re-exports byte-identically from separate processes after a checkpoint and a VACUUM', async (t) => {
  const { dir, cleanup } = makeTempDir('kustody-repro-');
  t.after(cleanup);
  const sleeper = startSleeper();
  t.after(() => sleeper.kill('SIGKILL'));
  const created = createCase({ parentDir: dir, title: 'large', host: 'test-host', osUser: 'tester', now: '2026-11-27T04:00:00.000Z', toolName: 'kustody', toolVersion: '0.0.0-test' });
  const live = new LiveCase(created.path, created.id, created.db, sleeper.pid!);
  created.db.pragma('synchronous = OFF'); // building the fixture only; the exports below open the case as usual
  for (let i = 0; i < 3000; i += 1) await live.apply({ kind: 'note', text: `finding ${i} `.padEnd(100 + (i % 400), 'abcdefghij') });
  for (let i = 0; i < 10; i += 1) await live.apply({ kind: 'artifact', size: 2_000_000 + i });
  await live.apply({ kind: 'capture-local' });
  await live.apply({ kind: 'objects', rows: [{ name: 'cm', json: 'y'.repeat(20_000) }] });
  live.db.close();

  const a = join(dir, 'a.tar');
  const b = join(dir, 'b.tar');
  const c = join(dir, 'c.tar');
  assert.equal((await runKustody(['bundle', 'export', created.path, '-o', a])).exitCode, 0);
  const db = openWritableDb(join(created.path, CASE_DB_FILE));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  db.close();
  assert.equal((await runKustody(['bundle', 'export', created.path, '-o', b])).exitCode, 0);
  assert.equal((await runKustody(['bundle', 'export', created.path, '-o', c])).exitCode, 0);
  const bytes = readFileSync(a);
  assert.ok(bytes.length > 20_000_000);
  assert.ok(bytes.equals(readFileSync(b)), 'the export after a checkpoint and VACUUM differs');
  assert.ok(bytes.equals(readFileSync(c)), 'the third export differs');
  assert.equal((await runKustody(['bundle', 'verify', a])).exitCode, 0);
});
