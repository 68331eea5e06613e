import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCustodySection } from '../../src/adapters/report/read-custody-section.js';
import { REPORT_MESSAGE_CHARS, reportTimeline } from '../../src/adapters/report/report-timeline.js';
import { recordAction } from '../../src/adapters/store/case-store.js';
import { openReadableDb, openWritableDb, type ReadableDb } from '../../src/adapters/store/open-store.js';
import { KEPT_GAPS, readTimelineEvents, TIMELINE_BATCH_ROWS } from '../../src/adapters/timeline/read-timeline-events.js';
import { sortTimeline } from '../../src/adapters/timeline/sorted-timeline.js';
import { buildTimelineWithGaps, TIMELINE_SOURCES, type SourceRow, type Timeline } from '../../src/core/timeline/index.js';
import { REPORT_LIMITS } from '../../src/core/report/model.js';
import { appendChainedNotes } from '../helpers/big-custody.js';
import { makeTempDir, runKustody } from '../helpers/cli.js';
import { makeHostileCase } from '../helpers/hostile-case.js';

/** The oracle: every source's rows read whole with plain SQL, built and sorted in memory by the pure timeline module. */
function wholeTimeline(db: ReadableDb): Timeline {
  const facts: Record<string, Record<string, SourceRow[]>> = {};
  for (const source of TIMELINE_SOURCES) {
    facts[source.id] = Object.fromEntries(Object.entries(source.reads).map(([alias, read]) => [alias,
      db.prepare(`SELECT rowid AS rowid, ${read.columns.join(', ')} FROM ${read.table}${read.where === undefined ? '' : ` WHERE ${read.where}`} ORDER BY rowid`).all() as SourceRow[]]));
  }
  return buildTimelineWithGaps(facts);
}

test('the bounded timeline reader hands over the custody log in batches, and both its users (the sorted timeline of `kustody timeline`, the report\'s earliest events) equal the whole timeline built in memory, with the same total and gaps', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const casePath = await makeHostileCase(dir);
  appendChainedNotes(casePath, 700, 3000);
  const db = openReadableDb(join(casePath, 'evidence.db'));
  try {
    const whole = wholeTimeline(db);
    assert.ok(whole.events.length > 700, `${whole.events.length} events`);
    const handed: number[] = [];
    readTimelineEvents(db, (events) => handed.push(events.length), {}, TIMELINE_SOURCES.filter((s) => s.id === 'notes'));
    assert.ok(handed.length >= Math.ceil(700 / TIMELINE_BATCH_ROWS) && Math.max(...handed) <= TIMELINE_BATCH_ROWS, `batches of notes: ${handed.join(' ')}`);

    const sorted = sortTimeline(db);
    try {
      assert.equal(sorted.count, whole.events.length);
      assert.deepEqual([...sorted.events()], whole.events, 'the same events, in the same order, messages whole');
      assert.deepEqual([sorted.gaps.gaps, sorted.gaps.gapTotal], [whole.gaps.slice(0, KEPT_GAPS), whole.gaps.length]);
    } finally {
      sorted.close();
    }
    for (const limit of [1, 50, 400, whole.events.length + 10]) {
      const kept = reportTimeline(db, limit);
      assert.equal(kept.total, whole.events.length);
      assert.deepEqual(kept.gaps, whole.gaps.slice(0, KEPT_GAPS));
      assert.equal(kept.gapTotal, whole.gaps.length);
      const expected = whole.events.slice(0, limit);
      assert.deepEqual(kept.events.map((e) => [e.datetime, e.source.table, e.source.rowid, e.timestampDesc]), expected.map((e) => [e.datetime, e.source.table, e.source.rowid, e.timestampDesc]), `limit ${limit}`);
      kept.events.forEach((e, i) => {
        const full = expected[i]!.message;
        if (full.length <= REPORT_MESSAGE_CHARS) assert.equal(e.message, full);
        else assert.equal(e.message, `${full.slice(0, REPORT_MESSAGE_CHARS)}… (cut: ${full.length - REPORT_MESSAGE_CHARS} more characters in evidence.db)`);
      });
    }
  } finally {
    db.close();
  }
});

test('the custody section reads only its first rows, a 1 MiB note summarised from a cut of its text, and counts every row', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const casePath = await makeHostileCase(dir, { capture: false });
  const huge = `${'<b>'.repeat(10)}${'N'.repeat(1 << 20)}`;
  // One argument cannot hold 1 MiB (execve caps it at 128 KiB), so the note is recorded through the store, as `case note` records it.
  const writable = openWritableDb(join(casePath, 'evidence.db'));
  recordAction(writable, { at: '2026-12-07T06:00:00.000Z', actor: 'tester@host', kind: 'note', target: 'case', detail: { text: huge }, outcome: 'ok' });
  writable.close();
  appendChainedNotes(casePath, REPORT_LIMITS.custody + 100, 50);
  const db = openReadableDb(join(casePath, 'evidence.db'));
  try {
    const section = readCustodySection(db);
    assert.equal(section.total, 4 + 1 + REPORT_LIMITS.custody + 100);
    assert.equal(section.rows.length, REPORT_LIMITS.custody);
    assert.deepEqual(section.rows.map((r) => r.seq), Array.from({ length: REPORT_LIMITS.custody }, (_, i) => i + 1));
    const note = section.rows[4]!;
    assert.equal(note.kind, 'note');
    const text = (note.detail as { text: string }).text;
    assert.equal(text, huge.slice(0, 1000), 'only the first 1000 characters of the note reach the report');
    assert.equal(note.hash.length, 64);
    assert.deepEqual(section.plans, []);
    assert.ok(section.actors.length >= 2 && section.actors.length <= REPORT_LIMITS.responders, section.actors.join(', '));
  } finally {
    db.close();
  }
  const run = await runKustody(['report', casePath, '--format', 'json']);
  assert.equal(run.exitCode, 0, run.stderr);
  const model = JSON.parse(run.stdout) as { custody: { total: number; omitted: number; rows: { summary: string }[] } };
  assert.deepEqual([model.custody.total, model.custody.omitted], [4 + 1 + REPORT_LIMITS.custody + 100, 1 + 100 + 4]);
  assert.match(model.custody.rows[4]!.summary, /^note: (<b>){10}N+…$/);
});
