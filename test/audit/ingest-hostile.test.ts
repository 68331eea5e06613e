import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { once } from 'node:events';
import { execa } from 'execa';
import { KUSTODY_BIN, makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { eventLine, sql } from './audit-fixtures.js';

/** A gzip member of `mib` MiB of one byte value, compressed as a stream (never held whole). */
async function gzipRepeated(byte: number, mib: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const block = Buffer.alloc(1024 * 1024, byte);
  for (let i = 0; i < mib; i += 1) if (!gzip.write(block)) await once(gzip, 'drain');
  gzip.end();
  await once(gzip, 'end');
  return Buffer.concat(out);
}

async function ingest(casePath: string, files: string[]): Promise<{ files: { lines: number; events: number; inserted: number; duplicates: number; skipped: Record<string, number>; cut: string | null; sha256: string; outOfOrder: number; firstAt: string; lastAt: string }[] }> {
  const run = await runKustody(['audit', 'ingest', '--case', casePath, '--log', ...files, '--json']);
  assert.equal(run.exitCode, 0, run.stderr);
  return JSON.parse(run.stdout);
}

test('the same file ingested twice, and its gzip copy, add no rows; the custody log holds the file and line-range digests sha256sum and sed reproduce', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const lines = Array.from({ length: 30 }, (_, i) => eventLine(`ev-${i}`, { stage: i % 2 === 0 ? 'ResponseComplete' : 'ResponseStarted' }));
  const log = join(dir, 'audit.log');
  writeFileSync(log, `${lines.join('\n')}\n`);
  writeFileSync(`${log}.1.gz`, gzipSync(Buffer.from(`${lines.join('\n')}\n`)));
  const first = await ingest(casePath, [log]);
  assert.equal(first.files[0]?.inserted, 30);
  const again = await ingest(casePath, [log, `${log}.1.gz`]);
  assert.deepEqual(again.files.map((f) => [f.events, f.inserted, f.duplicates]), [[30, 0, 30], [30, 0, 30]]);
  assert.deepEqual(sql(casePath, 'SELECT count(*), count(DISTINCT event_key) FROM audit_events'), ['30|30']);
  const [range] = sql(casePath, "SELECT json_extract(detail, '$.lines_sha256') || ' ' || json_extract(detail, '$.line_from') || ',' || json_extract(detail, '$.line_to') FROM actions WHERE json_extract(detail, '$.step') = 'audit-ingest' ORDER BY seq LIMIT 1");
  const [digest, span] = (range ?? '').split(' ');
  assert.equal(digest, execFileSync('bash', ['-c', `sed -n '${span}p' "$0" | sha256sum`, log], { encoding: 'utf8' }).split(' ')[0]);
  const fileDigests = sql(casePath, "SELECT json_extract(detail, '$.sha256') FROM actions WHERE json_extract(detail, '$.step') = 'audit-ingest-file' ORDER BY seq");
  assert.deepEqual(fileDigests, [log, log, `${log}.1.gz`].map((f) => execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0]));
  // The case still exports and verifies with the new rows.
  const exported = await runKustody(['bundle', 'export', casePath, '-o', join(dir, 'case.tar')]);
  assert.equal(exported.exitCode, 0, exported.stderr);
  const verified = await runKustody(['bundle', 'verify', join(dir, 'case.tar'), '--json']);
  assert.equal(JSON.parse(verified.stdout).status, 'intact');
});

test('truncated, interleaved, non-JSON and field-less lines are counted and skipped by reason; the good events around them are kept', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const good = eventLine('good-1');
  const log = join(dir, 'audit.log');
  writeFileSync(log, [
    good,
    good.slice(0, 120),                               // truncated mid-write
    `${good.slice(0, 80)}${eventLine('good-x')}`,      // two writers interleaved
    'E1207 06:00:00.000000 1 apiserver.go:1] not json',
    '{"level":"info","msg":"some other log"}',
    JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'bare', stage: 'ResponseComplete' }), // missing fields
    '',
    eventLine('good-2'),
    eventLine('good-3').slice(0, 50),                 // the last line, cut without a newline
  ].join('\n'));
  const result = await ingest(casePath, [log]);
  const file = result.files[0];
  assert.deepEqual([file?.lines, file?.events, file?.inserted], [9, 3, 3]);
  assert.deepEqual(file?.skipped, { 'not-json': 4, 'not-audit-event': 1, 'too-long': 0, blank: 1 });
  assert.deepEqual(sql(casePath, 'SELECT audit_id, line, coalesce(verb, \'NULL\') FROM audit_events ORDER BY line'), ['good-1|1|list', 'bare|6|NULL', 'good-2|8|list']);
  const listed = sql(casePath, "SELECT json_extract(value, '$.line') || ':' || json_extract(value, '$.reason') FROM actions, json_each(json_extract(detail, '$.skipped_lines')) WHERE json_extract(detail, '$.step') = 'audit-ingest'");
  assert.deepEqual(listed, ['2:not-json', '3:not-json', '4:not-json', '5:not-audit-event', '9:not-json']);
});

test('a 100 MB single line is skipped as too long without being held: the events after it are kept and peak memory stays far below it', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const log = join(dir, 'audit.log');
  const fd = openSync(log, 'w');
  const opening = '{"kind":"Event","apiVersion":"audit.k8s.io/v1","userAgent":"';
  writeSync(fd, `${eventLine('before')}\n${opening}`);
  const block = Buffer.alloc(1024 * 1024, 0x61);
  for (let i = 0; i < 100; i += 1) writeSync(fd, block);
  writeSync(fd, `"}\n${eventLine('after')}\n`);
  closeSync(fd);
  const run = await execa('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, KUSTODY_BIN, 'audit', 'ingest', '--case', casePath, '--log', log, '--json'], { reject: false });
  assert.equal(run.exitCode, 0, run.stderr);
  const file = JSON.parse(run.stdout).files[0];
  assert.equal(file.skipped['too-long'], 1);
  assert.deepEqual(sql(casePath, 'SELECT audit_id, line FROM audit_events ORDER BY line'), ['before|1', 'after|3']);
  const maxRssKb = Number(/maxrss_kb=(\d+)/.exec(run.stderr)?.[1]);
  assert.ok(maxRssKb < 150 * 1024, `peak RSS ${maxRssKb} KiB`);
  assert.deepEqual(sql(casePath, "SELECT json_extract(value, '$.line') || ':' || json_extract(value, '$.size') FROM actions, json_each(json_extract(detail, '$.skipped_lines')) WHERE json_extract(detail, '$.step') = 'audit-ingest'"), [`2:${opening.length + 100 * 1024 * 1024 + 2}`]);
});

test('a gzip bomb stops at the ratio bound, the file marked cut, and the events before it are kept; a truncated .gz likewise', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const bomb = join(dir, 'bomb.log.gz');
  // 256 MiB of one byte after two good events, compressed to about 256 KB; and a member of 64 MiB of newlines.
  const members = [gzipSync(Buffer.from(`${eventLine('b-1')}\n${eventLine('b-2')}\n`)), await gzipRepeated(0x0a, 64), await gzipRepeated(0x61, 256)];
  writeFileSync(bomb, Buffer.concat(members));
  const started = Date.now();
  const result = await ingest(casePath, [bomb]);
  assert.match(result.files[0]?.cut ?? '', /200 times the compressed bytes/);
  assert.ok(Date.now() - started < 60_000);
  const truncated = join(dir, 'cut.log.gz');
  const whole = gzipSync(Buffer.from(Array.from({ length: 2000 }, (_, i) => eventLine(`t-${i}`)).join('\n')));
  writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
  const cut = await ingest(casePath, [truncated]);
  assert.match(cut.files[0]?.cut ?? '', /gzip stream is corrupt or truncated/);
  assert.ok((cut.files[0]?.inserted ?? 0) > 0);
  assert.deepEqual(sql(casePath, "SELECT count(*) FROM audit_events WHERE audit_id IN ('b-1', 'b-2')"), ['2']);
  assert.deepEqual(sql(casePath, "SELECT outcome FROM actions WHERE json_extract(detail, '$.step') = 'audit-ingest-file' ORDER BY seq"), ['partial', 'partial']);
});

test('clock skew between files: times are kept as each apiserver logged them, each file\'s range is reported, and a jump back within a file is counted', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const at = (m: number) => `2026-12-07T06:${String(m).padStart(2, '0')}:00.000000Z`;
  const a = join(dir, 'apiserver-a.log');
  const b = join(dir, 'apiserver-b.log');
  writeFileSync(a, [1, 2, 3].map((m) => eventLine(`a-${m}`, { stageTimestamp: at(m) })).join('\n'));
  // Server b runs 10 minutes behind, and its log was merged with a copy from a: 06:20 then 06:12.
  writeFileSync(b, [eventLine('b-0', { stageTimestamp: at(20) }), ...[2, 3].map((m) => eventLine(`b-${m}`, { stageTimestamp: at(m + 10) }))].join('\n'));
  const result = await ingest(casePath, [a, b]);
  assert.deepEqual(result.files.map((f) => [f.firstAt, f.lastAt, f.outOfOrder]), [['2026-12-07T06:01:00.000Z', '2026-12-07T06:03:00.000Z', 0], ['2026-12-07T06:12:00.000Z', '2026-12-07T06:20:00.000Z', 2]]);
  assert.deepEqual(sql(casePath, "SELECT audit_id FROM audit_events ORDER BY stage_timestamp"), ['a-1', 'a-2', 'a-3', 'b-2', 'b-3', 'b-0']);
});

test('invalid UTF-8 and ESC/bidi in a user agent are stored as data, and the ingest summary escapes the file name it prints', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const log = join(dir, 'evil\u001b[31m\u202e.log');
  const [head, tail] = eventLine('u-1', { userAgent: 'X' }).split('"userAgent":"X"');
  writeFileSync(log, Buffer.concat([Buffer.from(`${head}"userAgent":"ua-`), Buffer.from([0xfe]), Buffer.from(`\\u001b[2J\u202e"${tail}\n`)]));
  const run = await runKustody(['audit', 'ingest', '--case', casePath, '--log', log]);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.ok(!run.stdout.includes('\u001b') && !run.stdout.includes('\u202e'), run.stdout);
  assert.deepEqual(sql(casePath, 'SELECT hex(user_agent), text_escaped FROM audit_events'), [`${Buffer.from('ua-\\xfe\u001b[2J\u202e').toString('hex').toUpperCase()}|1`]);
});

test('every batch digest is what sed -n A,Bp prints for its range (zcat first for a .gz): empty lines inside a range and an unterminated last line included', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const lines = Array.from({ length: 6_000 }, (_, i) => (i % 97 === 5 ? `${eventLine(`ev-${i}`)}\n\n` : eventLine(`ev-${i}`)));
  const text = `\n${lines.join('\n')}`; // a leading empty line, empty lines inside ranges, no newline at the end
  const log = join(dir, 'audit.log');
  writeFileSync(log, text);
  writeFileSync(`${log}.1.gz`, gzipSync(Buffer.from(text)));
  for (const [file, show] of [[log, 'cat'], [`${log}.1.gz`, 'zcat']] as const) {
    const { path: casePath } = await newCase(join(dir, show));
    const stored = await ingest(casePath, [file]);
    assert.equal(stored.files[0]?.events, 6_000);
    const ranges = sql(casePath, "SELECT json_extract(detail, '$.lines_sha256') || ' ' || json_extract(detail, '$.line_from') || ',' || json_extract(detail, '$.line_to') FROM actions WHERE json_extract(detail, '$.step') = 'audit-ingest' ORDER BY seq");
    assert.ok(ranges.length >= 3, `${ranges.length} batches`);
    for (const range of ranges) {
      const [digest, span] = range.split(' ');
      assert.equal(digest, execFileSync('bash', ['-c', `${show} "$0" | sed -n '${span}p' | sha256sum`, file], { encoding: 'utf8' }).split(' ')[0], `${show} lines ${span}`);
    }
  }
});
