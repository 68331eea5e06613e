/** kustody review: the shipped demo case, a case folder, and bundles verified first and refused when tampered. */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { demoBundlePath, openBundleForReview, openCaseForReview } from '../../src/adapters/ui-data/open-review.js';
import { reviewContent } from '../../src/commands/review-command.js';
import { ReviewApp } from '../../src/ui/ReviewApp.js';
import { makeCaseWithEvidence, tarLayout } from '../helpers/bundle-fixtures.js';
import { makeTempDir, runKustody } from '../helpers/cli.js';
import { RAW_CONTROL } from './evidence-fixture.js';
import { renderUi, unmountAll } from './render-helpers.js';

afterEach(() => unmountAll());

const SIZE = { columns: 110, rows: 30 };

test('the demo case shipped in demo/ verifies and holds a lab capture with hostile process names', async () => {
  const opening = await openBundleForReview(demoBundlePath(), { kind: 'demo' });
  assert.ok(opening.ok, 'the demo bundle verifies');
  const { data } = opening;
  assert.match(data.origin.integrity, /^CONSISTENT \(origin not proven: unsigned\); custody chain ok \(\d+ rows\)$/);
  assert.ok(data.processes.some((p) => p.comm === '\x1b]52;c;SGk=\x07'), 'a process named with an OSC 52 clipboard write');
  assert.ok(data.processes.some((p) => p.comm?.startsWith('\u202e') === true), 'a process named with a bidi override');
  assert.ok(data.processes.some((p) => p.exeDeleted), 'the deleted executable of the shop scenario');
  assert.ok(data.connections.some((c) => c.state === 'ESTABLISHED' && c.remotePort === 8080), 'the suspect\'s outbound connection');
  assert.ok(data.credentials.some((c) => c.kind === 'serviceaccount-token' && c.fingerprint.startsWith('hmac-sha256:')), 'the token, as a fingerprint');
  assert.ok(data.objects.some((o) => o.kind === 'Pod' && o.json.includes('demo.kustody.io/planted')), 'the hostile annotation');
  assert.ok(data.custody.some((a) => a.kind === 'contain'), 'the isolation is in the custody log');
  const ui = renderUi(<ReviewApp content={reviewContent(opening)} size={SIZE} />);
  const findings = await ui.waitFor((f) => f.includes('SEVERITY'), 'the Findings tab, first');
  assert.match(findings, /CRITICAL 1 connection\(s\) survived isolation/);
  await ui.press('2');
  const frame = await ui.waitFor((f) => f.includes('PROCESS'));
  assert.match(frame, /kustody review \(read-only\) · CONSISTENT \(origin not proven: unsigned\); custody chain ok \(\d+ rows\) · case-/);
  assert.match(frame, /\\x1b\]52;c;SGk=\\x07/);
  assert.match(frame, /\\u\{202e\}hs\.exe/);
  assert.doesNotMatch(ui.rawFrame(), RAW_CONTROL);
  ui.unmount();
});

test('a bundle with one flipped byte is refused with what failed, and nothing from it is shown', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const tar = readFileSync(demoBundlePath());
    const db = tarLayout(tar).find((m) => m.name === 'evidence.db');
    assert.ok(db !== undefined);
    const at = db.dataOffset + Math.floor(db.size / 2);
    tar.writeUInt8(tar.readUInt8(at) ^ 0x01, at);
    const path = join(dir, 'tampered.tar');
    writeFileSync(path, tar);
    const opening = await openBundleForReview(path);
    assert.equal(opening.ok, false);
    if (opening.ok) return;
    assert.equal(opening.report.status, 'tampered');
    assert.ok(opening.report.findings.some((f) => f.code === 'MEMBER_HASH_MISMATCH'));
    const ui = renderUi(<ReviewApp content={reviewContent(opening)} size={SIZE} />);
    const frame = await ui.waitFor((f) => f.includes('REFUSED'));
    assert.match(frame, /REFUSED: .*tampered\.tar is TAMPERED; nothing from it was opened\./);
    assert.match(frame, /✗ MEMBER_HASH_MISMATCH: evidence\.db does not match its SHA-256 in SHA256SUMS/);
    assert.doesNotMatch(frame, /PROCESS|Procs/);
    ui.unmount();
    const cli = await runKustody(['review', path]);
    assert.equal(cli.exitCode, 1);
    assert.match(cli.stderr, /REFUSED: .* is TAMPERED/);
    assert.match(cli.stderr, /MEMBER_HASH_MISMATCH/);
  } finally {
    cleanup();
  }
});

test('a case folder opens read-only with its custody chain recomputed, and a case with an edited row is refused naming the row', () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const caseDir = makeCaseWithEvidence(dir);
    const before = readFileSync(join(caseDir, 'evidence.db'));
    const opening = openCaseForReview(caseDir, dir);
    assert.ok(opening.ok);
    assert.equal(opening.data.origin.integrity, 'custody chain ok (4 rows)');
    assert.deepEqual(readFileSync(join(caseDir, 'evidence.db')), before, 'reviewing did not write the case');
    const copy = join(dir, 'edited');
    makeCopy(caseDir, copy);
    const db = new Database(join(copy, 'evidence.db'));
    db.prepare("UPDATE actions SET detail = '{\"text\":\"rewritten\"}' WHERE seq = 2").run();
    db.close();
    assert.throws(() => openCaseForReview(copy, dir), (error: Error & { code?: string }) => error.code === 'CASE_CHAIN_BROKEN' && /broken at row 2 /.test(error.message));
  } finally {
    cleanup();
  }
});

test('review --json reports the demo case; without a terminal it says it needs one; a missing file is unreadable', async () => {
  const demo = await runKustody(['review', '--demo', '--json']);
  assert.equal(demo.exitCode, 0);
  assert.match(demo.stdout, /"ok":true,"case_id":"case-[0-9TZ]+-[0-9a-f]{6}","verdict":"CONSISTENT","integrity":"CONSISTENT \(origin not proven: unsigned\); custody chain ok/);
  const noTty = await runKustody(['review', '--demo']);
  assert.equal(noTty.exitCode, 2);
  assert.match(noTty.stderr, /review needs an interactive terminal/);
  const missing = await runKustody(['review', '/nonexistent/bundle.tar']);
  assert.equal(missing.exitCode, 2);
  assert.match(missing.stderr, /REFUSED: \/nonexistent\/bundle\.tar is UNREADABLE/);
});

function makeCopy(from: string, to: string): void {
  // A plain copy of the case folder (the original stays untouched).
  mkdirSync(to, { mode: 0o700 });
  for (const name of ['evidence.db', 'case.key']) copyFileSync(join(from, name), join(to, name));
}
