import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openExerciseLog } from '../../src/adapters/exercise/exercise-log.js';
import { DEFAULT_WATCH_BOUNDS, openWatchSource } from '../../src/adapters/exercise/watch-input.js';
import { buildWatchView } from '../../src/core/exercise/watch-view.js';
import { makeTempDir, runKustody } from '../helpers/cli.js';
import { exerciseCase, minute } from './score-fixture.js';

test('watch polls both logs incrementally: rows added between reads show up, the list keeps only the newest rows', (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const kase = exerciseCase(dir);
  t.after(kase.close);
  const log = openExerciseLog(kase.path, { create: false, readonly: true });
  const source = openWatchSource(kase.path, log, { ...DEFAULT_WATCH_BOUNDS, recentRows: 3 });
  t.after(() => { source.close(); log.close(); });
  const first = source.read(minute(1));
  assert.ok(first !== null && first.caughtUp);
  const before = first.input.custody.total;
  kase.captured(minute(2), 'web');
  kase.isolated(minute(3), 'web');
  kase.note(minute(4), 'isolated web');
  kase.event(minute(4), 'inject', 'gateway-alert', { message: 'alert', trigger: { minute: 4 } }, 'fired');
  const second = source.read(minute(5));
  assert.ok(second !== null);
  assert.equal(second.input.custody.total, before + 3);
  assert.deepEqual(second.input.custody.recent.map((r) => r.kind), ['observe', 'contain', 'note']);
  const view = buildWatchView({ ...second.input, now: minute(5) });
  assert.deepEqual([view.team.captures, view.team.isolated, view.team.notes], [['kx-score/web'], ['kx-score/web'], 1]);
  assert.equal(view.injects[0]?.state, 'fired');
  assert.equal(typeof second.input.findings, 'number');
});

test('watch reads a long custody log in bounded batches and says the summary is partial past its byte budget, without a score', (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const kase = exerciseCase(dir);
  t.after(kase.close);
  for (let i = 0; i < 7; i++) kase.note(minute(1), `note ${i} ${'x'.repeat(200)}`);
  const log = openExerciseLog(kase.path, { create: false, readonly: true });
  const source = openWatchSource(kase.path, log, { ...DEFAULT_WATCH_BOUNDS, batchRows: 3, keepBytes: 1000 });
  t.after(() => { source.close(); log.close(); });
  const reads: number[] = [];
  for (;;) {
    const read = source.read(minute(2));
    assert.ok(read !== null);
    reads.push(read.input.custody.total);
    if (read.caughtUp) {
      assert.match(read.input.custody.partial ?? '', /more than 1000 bytes of rows to summarise/);
      assert.equal(buildWatchView({ ...read.input, now: minute(2) }).score, null);
      break;
    }
  }
  assert.ok(reads.length >= 3 && reads.every((n, i) => i === 0 || n - (reads[i - 1] ?? 0) <= 3), `each read takes at most 3 rows: ${reads.join(', ')}`);
});

test('watch --json prints one snapshot a script can read, and --once the same view as escaped lines', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const kase = exerciseCase(dir);
  t.after(kase.close);
  kase.event(minute(1), 'attacker-action', 'probe\x1b]0;x\x07', { description: 'cluster-wide list' }, 'refused');
  kase.event(minute(2), 'hint', 'who', { cost: 5 }, 'given');
  const json = await runKustody(['exercise', 'watch', kase.path, '--json']);
  assert.equal(json.exitCode, 0, json.stderr);
  const view = (JSON.parse(json.stdout) as { view: { scenarioId: string; hintCost: number; attacker: Array<{ name: string; refused: boolean }>; injects: Array<{ id: string; state: string }> } }).view;
  assert.deepEqual([view.scenarioId, view.hintCost, view.attacker[0]?.refused, view.injects.map((i) => i.id)], ['token-theft', 5, true, ['gateway-alert', 'still-reading']]);
  assert.ok(!json.stdout.includes('\x1b'), 'no raw escape in the JSON');
  const once = await runKustody(['exercise', 'watch', kase.path, '--once']);
  assert.equal(once.exitCode, 0, once.stderr);
  assert.match(once.stdout, /REFUSED +probe\\x1b\]0;x\\x07/);
  assert.ok(!once.stdout.includes('\x1b'), 'no raw escape on the terminal');
});
