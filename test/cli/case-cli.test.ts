import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { LATEST_SCHEMA_VERSION } from '../../src/adapters/store/migrations/index.js';

test('case new --json prints the id and a 0700 folder holding a 0600 evidence.db and case.key', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir, 'web-1 compromise');
  assert.match(created.id, /^case-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  assert.equal(created.path, join(dir, created.id));
  assert.equal(statSync(created.path).mode & 0o777, 0o700);
  assert.equal(statSync(join(created.path, 'evidence.db')).mode & 0o777, 0o600);
  assert.equal(statSync(join(created.path, 'case.key')).mode & 0o777, 0o600);
  assert.equal(statSync(join(created.path, 'case.key')).size, 32);
  // The sqlite3 shell is the outside judge of the file's settings.
  const mode = execFileSync('sqlite3', [join(created.path, 'evidence.db'), 'PRAGMA journal_mode; PRAGMA application_id; PRAGMA user_version;'], { encoding: 'utf8' });
  assert.equal(mode, `wal\n1263883092\n${LATEST_SCHEMA_VERSION}\n`);
});

test('case note appends chained rows that case show --json returns in order', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const first = await runKustody(['case', 'note', created.path, 'saw a shell in web-1', '--json']);
  assert.equal(first.exitCode, 0, first.stderr);
  const note = JSON.parse(first.stdout) as { seq: number; hash: string };
  assert.equal(note.seq, 2);
  await runKustody(['case', 'note', created.path, "'); DROP TABLE actions;-- %"]);
  const shown = await runKustody(['case', 'show', created.path, '--json']);
  assert.equal(shown.exitCode, 0, shown.stderr);
  const summary = JSON.parse(shown.stdout) as { case: { id: string; title: string }; counts: Record<string, number>; actions: { seq: number; kind: string; prev_hash: string; hash: string; detail: { text?: string } }[] };
  assert.equal(summary.case.id, created.id);
  assert.equal(summary.counts.actions, 3);
  assert.deepEqual(summary.actions.map((a) => a.kind), ['case-open', 'note', 'note']);
  assert.equal(summary.actions[1]?.hash, note.hash);
  assert.equal(summary.actions[2]?.prev_hash, note.hash);
  assert.equal(summary.actions[2]?.detail.text, "'); DROP TABLE actions;-- %");
});

test('case show escapes terminal control sequences stored in notes', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  await runKustody(['case', 'note', created.path, 'title \u001b]0;owned\u0007 clip \u001b]52;c;Y3VybA==\u0007 \u202e']);
  const shown = await runKustody(['case', 'show', created.path]);
  assert.equal(shown.exitCode, 0);
  assert.doesNotMatch(shown.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  assert.match(shown.stdout, /\\x1b\]0;owned\\x07/);
});

test('a case id resolves inside KUSTODY_CASE_DIR', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const shown = await runKustody(['case', 'show', created.id], { env: { KUSTODY_CASE_DIR: dir } });
  assert.equal(shown.exitCode, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(created.id));
});

test('bad usage exits 2 with one sentence and the next step, and no stack trace', async () => {
  for (const args of [['case'], ['case', 'nope'], ['frobnicate'], ['case', 'note', 'onlyone'], ['case', 'new', '--bogus']]) {
    const run = await runKustody(args);
    assert.equal(run.exitCode, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /^kustody: .+\n {2}next: .+/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  }
});

test('a missing case or a file that is not SQLite exits 2 and names the next step', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const missing = await runKustody(['case', 'show', join(dir, 'nothing-here')]);
  assert.equal(missing.exitCode, 2);
  assert.match(missing.stderr, /No case found/);
  const created = await newCase(dir);
  const db = join(created.path, 'evidence.db');
  writeFileSync(db, 'this is not a database, just text that is long enough to fill a header');
  const bogus = await runKustody(['case', 'note', created.path, 'x']);
  assert.equal(bogus.exitCode, 2);
  assert.match(bogus.stderr, /not a SQLite database/);
  assert.match(bogus.stderr, /next: /);
});

test('--help and --version answer with exit 0; --debug adds a stack trace to failures', async () => {
  const help = await runKustody(['--help']);
  assert.equal(help.exitCode, 0);
  assert.match(help.stdout, /kustody case new/);
  assert.match(help.stdout, /kustody bundle verify/);
  const sub = await runKustody(['bundle', 'export', '--help']);
  assert.match(sub.stdout, /sha256sum -c SHA256SUMS/);
  const version = await runKustody(['--version']);
  assert.match(version.stdout, /^kustody \d+\.\d+\.\d+/);
  const debug = await runKustody(['case', 'show', '/nonexistent/case', '--debug']);
  assert.equal(debug.exitCode, 2);
  assert.match(debug.stderr, /at .+\.js/);
});
