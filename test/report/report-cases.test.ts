import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ReportModel } from '../../src/core/report/model.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { ALL_HOSTILE, HOSTILE, makeHostileCase } from '../helpers/hostile-case.js';

async function jsonReport(source: string): Promise<ReportModel> {
  const run = await runKustody(['report', source, '--format', 'json']);
  assert.equal(run.exitCode, 0, run.stderr);
  return JSON.parse(run.stdout) as ReportModel;
}

test('a case with no capture reports that nothing was captured, in findings and limitations, in every format', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const casePath = await makeHostileCase(dir, { capture: false });
    const model = await jsonReport(casePath);
    assert.deepEqual(model.findings.map((f) => f.id), ['capture-gap:no-capture']);
    assert.ok(model.limitations.some((l) => l.startsWith('No runtime capture in this case')));
    assert.equal(model.integrity.verdict, 'INTACT CHAIN');
    assert.equal(model.custody.total, 4, 'case-open and three notes');
    for (const format of ['html', 'md']) {
      const run = await runKustody(['report', casePath, '--format', format]);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.match(run.stdout, /No runtime capture in this case/);
    }
  } finally {
    cleanup();
  }
});

test('a partial capture is reported with the steps it did not finish, and the report still carries every row it did store', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const model = await jsonReport(await makeHostileCase(dir));
    const gap = model.findings.find((f) => f.id === 'capture-gap:cap-hostile');
    assert.ok(gap !== undefined);
    assert.match(gap.title, /is partial/);
    assert.match(gap.detail, /Steps not finished: kubernetes-objects/);
    assert.ok(model.limitations.some((l) => l.includes('kubernetes-objects')));
    assert.equal(model.inventory.counts.processes, 2);
    assert.ok(model.footprints.some((f) => f.what === 'capture via exec'));
    assert.deepEqual(model.changes.items.map((c) => c.verdict), ['applied and verified by read-back']);
  } finally {
    cleanup();
  }
});

test('a live case whose custody log was edited is refused before any report is written', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const created = await newCase(dir, 'edited');
    assert.equal((await runKustody(['case', 'note', created.path, 'first'])).exitCode, 0);
    const db = new Database(join(created.path, 'evidence.db'));
    db.prepare("UPDATE actions SET detail = '{\"text\":\"forged\"}' WHERE seq = 2").run();
    db.close();
    const run = await runKustody(['report', created.path, '--format', 'md']);
    assert.equal(run.exitCode, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /broken at row 2/);
  } finally {
    cleanup();
  }
});

test('-o writes the report file and says so on stderr; an unknown format is a usage error', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const created = await newCase(dir, 'out');
    const out = join(dir, 'r.md');
    const run = await runKustody(['report', created.path, '--format', 'md', '-o', out]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /Wrote .*r\.md \(md, 1 findings, INTACT CHAIN\)/);
    const bad = await runKustody(['report', created.path, '--format', 'pdf']);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /--format takes html, md or json/);
  } finally {
    cleanup();
  }
});

test('the JSON report of a hostile case reaches the terminal with no raw control, bidi or ESC byte, and parses back to the stored hostile values', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const casePath = await makeHostileCase(dir);
    const run = await runKustody(['report', casePath, '--format', 'json']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /[\x00-\x09\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]/u, 'only line feeds among controls; ESC, BEL and bidi written as \\u escapes');
    const model = JSON.parse(run.stdout) as ReportModel;
    const notes = model.custody.rows.filter((r) => r.kind === 'note').map((r) => r.summary);
    assert.deepEqual(notes, [`note: ${ALL_HOSTILE}`, `note: ${HOSTILE.mdLink}`, `note: ${HOSTILE.osc}${HOSTILE.bidi}`].map((n) => (n.length > 300 ? `${n.slice(0, 300)}…` : n)));
    assert.ok(model.case.title.includes(HOSTILE.osc), 'the title keeps the raw value: JSON escaping, not data loss');
    const text = await runKustody(['report', casePath, '--format', 'md', '-o', join(dir, `r-${HOSTILE.bidi}.md`)]);
    assert.equal(text.exitCode, 0, text.stderr);
    assert.doesNotMatch(text.stderr, /[\x1b\x07\u202e]/u, 'the file name a responder gave is escaped on stderr too');
  } finally {
    cleanup();
  }
});
