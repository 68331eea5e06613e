import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appendChainedNotes } from '../../helpers/big-custody.js';
import { KUSTODY_BIN, makeTempDir, newCase, runKustody } from '../../helpers/cli.js';

// The bound docs/evidence-schema.md states for verify and review, whatever the table sizes.
const PEAK_RSS_BOUND_MIB = 256;

/** Runs kustody under GNU time and returns its exit code, output and peak resident set size in MiB. */
function measured(args: string[]): { status: number | null; stdout: string; peakMiB: number } {
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, KUSTODY_BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const kib = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1];
  assert.ok(kib !== undefined, `GNU time printed no peak: ${run.stderr.slice(-500)}`);
  return { status: run.status, stdout: run.stdout, peakMiB: Number(kib) / 1024 };
}

test(`verify, review, report and timeline of a case with a 400 MB custody log stay under ${PEAK_RSS_BOUND_MIB} MiB peak`, { timeout: 600_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir, 'big custody log');
  appendChainedNotes(created.path, 8000, 50_000);
  const dbBytes = statSync(join(created.path, 'evidence.db')).size;
  assert.ok(dbBytes > 400e6, `the case is only ${dbBytes} bytes`);
  const bundle = join(dir, 'big.tar');
  const exported = await runKustody(['bundle', 'export', created.path, '-o', bundle]);
  assert.equal(exported.exitCode, 0, exported.stderr);

  const verify = measured(['bundle', 'verify', bundle, '--json']);
  const report = JSON.parse(verify.stdout) as { verdict: string; custodyHead: { seq: number } };
  assert.deepEqual([verify.status, report.verdict, report.custodyHead.seq], [0, 'CONSISTENT', 8001]);
  assert.ok(verify.peakMiB < PEAK_RSS_BOUND_MIB, `verify peaked at ${verify.peakMiB.toFixed(0)} MiB`);

  const review = measured(['review', created.path, '--json']);
  const opened = JSON.parse(review.stdout) as { ok: boolean; integrity: string; counts: { actions: number } };
  assert.equal(opened.ok, true, review.stdout);
  assert.match(opened.integrity, /custody chain ok \(8002 rows\); \d+ of 8002 custody rows shown/);
  assert.ok(review.peakMiB < PEAK_RSS_BOUND_MIB, `review peaked at ${review.peakMiB.toFixed(0)} MiB`);

  // The same case, so no second 400 MB case is built: report and timeline read the custody log through the timeline module's bounded reader.
  const reported = measured(['report', created.path, '--format', 'json', '-o', join(dir, 'report.json')]);
  assert.equal(reported.status, 0);
  const model = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { custody: { total: number }; timeline: { events: unknown[]; omitted: number } };
  assert.equal(model.custody.total, 8002);
  assert.ok(model.timeline.events.length + model.timeline.omitted >= 8000, 'every note counted on the report\'s timeline');
  assert.ok(reported.peakMiB < PEAK_RSS_BOUND_MIB, `report peaked at ${reported.peakMiB.toFixed(0)} MiB`);
  const timelinePath = join(dir, 'timeline.jsonl');
  const timeline = measured(['timeline', created.path, '-o', timelinePath]);
  assert.equal(timeline.status, 0);
  assert.ok(readFileSync(timelinePath, 'utf8').split('\n').filter((l) => l.includes('"timestamp_desc":"Responder note"')).length >= 8000, 'every note on the timeline');
  assert.ok(timeline.peakMiB < PEAK_RSS_BOUND_MIB, `timeline peaked at ${timeline.peakMiB.toFixed(0)} MiB`);
  t.diagnostic(`evidence.db ${(dbBytes / 1e6).toFixed(0)} MB: verify peak ${verify.peakMiB.toFixed(0)} MiB, review ${review.peakMiB.toFixed(0)} MiB, report ${reported.peakMiB.toFixed(0)} MiB, timeline ${timeline.peakMiB.toFixed(0)} MiB`);
});
