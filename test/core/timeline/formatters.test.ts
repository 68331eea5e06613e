// Timeline formats: Timesketch's three required fields on every line, CSV quoting and formula
// neutralisation, and hostile text inert in every format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTimeline, csvCell, formatTimeline, isoUtc, type TimelineEvent, type TimelineFacts, type TimelineSource } from '../../../src/core/timeline/index.js';

const HOSTILE = ['=HYPERLINK("http://x","y")', '+cmd|calc', '-2+3', '@SUM(A1)', 'a,b "c"\nd', '\x1b]52;c;SGk=\x07', 'evil\u202etxt.exe', '<script>alert(1)</script>'];

const event = (message: string, at = '2026-12-07T03:47:34.000Z', rowid = 1): TimelineEvent => ({ datetime: at, timestampDesc: 'Responder note', message, source: { table: 'actions', rowid } });

test('Timesketch lines carry message, ISO 8601 datetime and timestamp_desc, plus the source table and row id, and parse back to the same text', () => {
  for (const message of HOSTILE) {
    const [line] = [...formatTimeline([event(message)], 'timesketch')];
    assert.ok(line !== undefined && !/[\x00-\x1f\x7f\u0080-\u009f\u202e]/.test(line), 'a raw control or bidi character reached the line');
    const record = JSON.parse(line) as Record<string, unknown>;
    assert.equal(record.message, message);
    assert.equal(record.datetime, '2026-12-07T03:47:34.000+00:00');
    assert.equal(record.timestamp_desc, 'Responder note');
    assert.equal(record.timestamp, Date.parse('2026-12-07T03:47:34.000Z') * 1000);
    assert.equal(record.kustody_table, 'actions');
    assert.equal(record.kustody_rowid, 1);
  }
});

test('CSV cells that a spreadsheet would run as a formula start with an apostrophe; quotes, commas and line breaks are quoted or escaped', () => {
  assert.equal(csvCell('=1+1'), "'=1+1");
  assert.equal(csvCell('+cmd|calc'), "'+cmd|calc");
  assert.equal(csvCell('-2+3'), "'-2+3");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('a,b "c"'), '"a,b ""c"""');
  assert.equal(csvCell('x\ny'), 'x\\x0ay');
  assert.equal(csvCell('\t=1'), '\\x09=1');
  // After spaces a trimming importer removes, and in the full-width forms some locales read as operators.
  assert.equal(csvCell('  =1+1'), "'  =1+1");
  assert.equal(csvCell('\u00a0@SUM(A1)'), "'\u00a0@SUM(A1)");
  assert.equal(csvCell('\uff1dHYPERLINK(1)'), "'\uff1dHYPERLINK(1)");
  assert.equal(csvCell('\u3000\uff0b1'), "'\u3000\uff0b1");
  assert.equal(csvCell(' padded '), '" padded "');
});

test('CSV shows ESC, OSC and bidi characters in kustody\'s escape notation and keeps one record per line', () => {
  const lines = [...formatTimeline(HOSTILE.map((m, i) => event(m, undefined, i + 1)), 'csv')];
  assert.equal(lines[0], 'message,datetime,timestamp_desc,timestamp,kustody_table,kustody_rowid,kustody_line,kustody_derived');
  assert.equal(lines.length, HOSTILE.length + 1);
  for (const line of lines) assert.ok(!/[\x00-\x1f\x7f\u0080-\u009f\u202e]/.test(line), `raw control in ${JSON.stringify(line)}`);
  assert.ok(lines.some((l) => l.startsWith('\\x1b]52;c;SGk=\\x07,')));
  assert.ok(lines.some((l) => l.startsWith('evil\\u{202e}txt.exe,')));
  assert.ok(lines.some((l) => l.startsWith('"\'=HYPERLINK(""http://x"",""y"")",')));
});

test('isoUtc accepts RFC 3339 with a zone (any fraction) and a bare date, and refuses times without a zone or out of range', () => {
  assert.equal(isoUtc('2026-12-07T03:47:33.060378Z'), '2026-12-07T03:47:33.060Z');
  assert.equal(isoUtc('2026-12-07T05:47:33+02:00'), '2026-12-07T03:47:33.000Z');
  assert.equal(isoUtc('2026-12-07'), '2026-12-07T00:00:00.000Z');
  for (const bad of ['2026-12-07T03:47:33', '2026-13-07T00:00:00Z', '1969-12-31T23:59:59Z', 'yesterday', 42, null, `2026-12-07T03:47:33.${'1'.repeat(60)}Z`]) assert.equal(isoUtc(bad), null, String(bad));
});

test('buildTimeline sorts by time then source and keeps only events inside since/until, both ends included', () => {
  const source: TimelineSource = {
    id: 'fixed', reads: {},
    events: () => [event('c', '2026-12-07T03:00:02.000Z', 3), event('a', '2026-12-07T03:00:00.000Z', 1), event('b', '2026-12-07T03:00:01.000Z', 2), event('a2', '2026-12-07T03:00:00.000Z', 0)],
  };
  const facts: TimelineFacts = {};
  assert.deepEqual(buildTimeline(facts, {}, [source]).map((e) => e.message), ['a2', 'a', 'b', 'c']);
  assert.deepEqual(buildTimeline(facts, { since: '2026-12-07T03:00:01Z', until: '2026-12-07T03:00:02Z' }, [source]).map((e) => e.message), ['b', 'c']);
  assert.deepEqual(buildTimeline(facts, { until: '2026-12-07T03:00:00.500Z' }, [source]).map((e) => e.message), ['a2', 'a']);
});
