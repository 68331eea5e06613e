import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createdObjects, currentExercise, insertExercise, markStopped, openExerciseLog, recordEvent } from '../../src/adapters/exercise/exercise-log.js';
import { makeTempDir } from '../helpers/cli.js';

const BASE = { scenario_id: 'token-theft', scenario_sha256: 'a'.repeat(64), context: 'admin@kustody-lab', namespace: 'kx-1', started_at: '2026-12-07T06:00:00.000Z', server: 'https://127.0.0.1:6443', minute_seconds: 60, scenario_json: '{}' };

test('the exercise log keeps, per object, the uid of the last completed create, and an intent without one when the create never came back', (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const log = openExerciseLog(dir, { create: true });
  t.after(() => log.close());
  const id = insertExercise(log, BASE);
  const ref = (name: string, uid: string | null) => ({ apiVersion: 'v1', kind: 'Pod', namespace: 'kx-1', name, uid, by: 'facilitator' });
  recordEvent(log, id, { at: BASE.started_at, kind: 'created-object', name: 'Pod kx-1/a', detail: ref('a', null), outcome: 'intent' });
  recordEvent(log, id, { at: BASE.started_at, kind: 'created-object', name: 'Pod kx-1/a', detail: ref('a', 'uid-a'), outcome: 'created' });
  recordEvent(log, id, { at: BASE.started_at, kind: 'created-object', name: 'Pod kx-1/b', detail: ref('b', null), outcome: 'intent' });
  const objects = createdObjects(log, id);
  assert.deepEqual(objects.map((o) => [o.name, o.uid]), [['b', null], ['a', 'uid-a']]);
  assert.equal(currentExercise(log)?.id, id);
  markStopped(log, id, '2026-12-07T07:00:00.000Z');
  assert.equal(currentExercise(log), undefined);
  assert.equal(statSync(join(dir, 'exercise.db')).mode & 0o777, 0o600);
  assert.equal(log.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(log.db.pragma('synchronous', { simple: true }), 2);
});

test('opening a case without an exercise log says how to start one', (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  assert.throws(() => openExerciseLog(dir, { create: false }), (e: Error & { nextStep?: string }) => /kustody exercise start ID --case CASE/.test(e.nextStep ?? ''));
});
