// `kustody timeline` on a real captured case and its bundle: every Timesketch line carries the three
// required fields and points at a row that exists; --since/--until; hostile notes; a tampered bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeCapturedCase } from '../helpers/captured-case.js';
import { makeTempDir, runKustody } from '../helpers/cli.js';
import { extractWithTar, repackWithNewSums } from '../helpers/bundle-fixtures.js';

const ISO_8601_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;

function parseLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('every Timesketch line of a captured case has message, ISO 8601 datetime and timestamp_desc, and names an existing row', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { casePath } = await makeCapturedCase(dir);
  const run = await runKustody(['timeline', casePath]);
  assert.equal(run.exitCode, 0, run.stderr);
  const records = parseLines(run.stdout);
  assert.ok(records.length > 0);
  const db = new Database(join(casePath, 'evidence.db'), { readonly: true });
  try {
    let previous = '';
    for (const r of records) {
      assert.equal(typeof r.message, 'string');
      assert.notEqual(r.message, '');
      assert.match(String(r.datetime), ISO_8601_UTC);
      assert.equal(typeof r.timestamp_desc, 'string');
      assert.notEqual(r.timestamp_desc, '');
      assert.ok(String(r.datetime) >= previous, 'events are in time order');
      previous = String(r.datetime);
      assert.match(String(r.kustody_table), /^[a-z_]+$/);
      assert.ok(Number.isInteger(r.kustody_rowid));
      const row = db.prepare(`SELECT 1 FROM ${String(r.kustody_table)} WHERE rowid = ?`).get(r.kustody_rowid);
      assert.ok(row !== undefined, `row ${String(r.kustody_table)}/${String(r.kustody_rowid)} does not exist`);
    }
    const actions = Number(db.prepare('SELECT count(*) FROM actions').pluck().get());
    assert.equal(records.filter((r) => r.kustody_table === 'actions').length, actions, 'every custody row is on the timeline once');
  } finally {
    db.close();
  }
  assert.ok(records.some((r) => r.timestamp_desc === 'Responder note' && String(r.message).endsWith(': after the captures')));
});

test('--since and --until keep only the events inside the range, both ends included; a time without a zone is refused', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { casePath } = await makeCapturedCase(dir);
  const all = parseLines((await runKustody(['timeline', casePath, '--format', 'jsonl'])).stdout);
  const times = [...new Set(all.map((e) => String(e.datetime)))].sort();
  assert.ok(times.length >= 3);
  const since = times[1] ?? '';
  const until = times[times.length - 2] ?? '';
  const cut = parseLines((await runKustody(['timeline', casePath, '--format', 'jsonl', '--since', since, '--until', until])).stdout);
  assert.deepEqual(cut, all.filter((e) => String(e.datetime) >= since && String(e.datetime) <= until));
  assert.ok(cut.length < all.length && cut.some((e) => e.datetime === since) && cut.some((e) => e.datetime === until));
  const noZone = await runKustody(['timeline', casePath, '--since', '2026-12-01T00:00:00']);
  assert.equal(noZone.exitCode, 2);
  assert.match(noZone.stderr, /a zone is required/);
});

test('hostile notes stay inert: JSON encodes them, CSV shows escapes and neutralises formulas, -o writes the same lines', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { casePath } = await makeCapturedCase(dir);
  const hostile = ['=HYPERLINK("http://evil","x")', 'osc \u001b]52;c;SGk=\u0007 bidi \u202egnp.exe', '<img src=x onerror=alert(1)>', 'x'.repeat(60_000)];
  for (const note of hostile) assert.equal((await runKustody(['case', 'note', casePath, note])).exitCode, 0);
  const ts = await runKustody(['timeline', casePath]);
  assert.ok(!/[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202e]/.test(ts.stdout), 'a raw control or bidi character reached stdout');
  const notes = parseLines(ts.stdout).filter((r) => r.timestamp_desc === 'Responder note').map((r) => String(r.message));
  assert.ok(notes.some((m) => m.endsWith(`: ${hostile[1] ?? ''}`)), 'JSON carries the exact text');
  assert.ok(notes.some((m) => m.includes('(cut: ') && m.length < 20_000), 'a 60 000-character note is cut with a marker');
  const csv = await runKustody(['timeline', casePath, '--format', 'csv']);
  assert.ok(!/[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202e]/.test(csv.stdout));
  assert.match(csv.stdout, /osc \\x1b\]52;c;SGk=\\x07 bidi \\u\{202e\}gnp\.exe/);
  // The note's message starts with "Note by": the formula sits inside it, so it cannot start a cell.
  assert.ok(csv.stdout.split('\n').every((line) => !/^[=+\-@]/.test(line)));
  const out = join(dir, 'timeline.csv');
  const written = await runKustody(['timeline', casePath, '--format', 'csv', '-o', out]);
  assert.equal(written.exitCode, 0, written.stderr);
  assert.equal(written.stdout, '');
  assert.equal(readFileSync(out, 'utf8'), `${csv.stdout}\n`);
});

test('a bundle is verified first: an intact one gives the case\'s timeline, a tampered one is refused with exit 1 and no timeline', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { casePath } = await makeCapturedCase(dir);
  const bundle = join(dir, 'case.tar');
  assert.equal((await runKustody(['bundle', 'export', casePath, '-o', bundle])).exitCode, 0);
  const fromBundle = await runKustody(['timeline', bundle]);
  assert.equal(fromBundle.exitCode, 0, fromBundle.stderr);
  // The bundle leaves out the trailing export row; every other event is the same.
  const fromCase = parseLines((await runKustody(['timeline', casePath])).stdout).filter((r) => !String(r.message).startsWith('export '));
  assert.deepEqual(parseLines(fromBundle.stdout), fromCase);
  const src = join(dir, 'src');
  mkdirSync(src);
  extractWithTar(bundle, src);
  const db = new Database(join(src, 'evidence.db'));
  db.prepare("UPDATE processes SET comm = 'innocent' WHERE rowid = 1").run();
  db.close();
  const forged = join(dir, 'forged.tar');
  repackWithNewSums(src, forged);
  const refused = await runKustody(['timeline', forged]);
  assert.equal(refused.exitCode, 1);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /REFUSED: .*TAMPERED/);
  assert.match(refused.stderr, /no timeline was written/);
});
