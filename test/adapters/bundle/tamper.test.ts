import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, linkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyBundle } from '../../../src/adapters/bundle/verify-bundle.js';
import { writeBundle } from '../../../src/adapters/bundle/write-bundle.js';
import { openWritableDb } from '../../../src/adapters/store/open-store.js';
import { makeTempDir, runKustody } from '../../helpers/cli.js';
import { extractWithTar, fixHeaderChecksum, makeCaseWithEvidence, repackWithNewSums, tarLayout } from '../../helpers/bundle-fixtures.js';

const FLIPS = Number(process.env.KUSTODY_FLIPS ?? 1000);

async function goodBundle(dir: string): Promise<string> {
  const casePath = makeCaseWithEvidence(dir);
  const db = openWritableDb(join(casePath, 'evidence.db'));
  try {
    const result = await writeBundle(db, join(dir, 'good.tar'), { name: 'kustody', version: '0.0.0-test' });
    return result.path;
  } finally {
    db.close();
  }
}

/** Runs the CLI verifier with TMPDIR and cwd in fresh folders, and checks it left nothing in either. */
async function verifyIsolated(bundle: string, dir: string, extra: string[] = []) {
  const tmp = join(dir, `tmp-${Math.random().toString(16).slice(2)}`);
  const cwd = join(dir, `cwd-${Math.random().toString(16).slice(2)}`);
  mkdirSync(tmp);
  mkdirSync(join(cwd, 'inner'), { recursive: true });
  const run = await runKustody(['bundle', 'verify', bundle, '--json', ...extra], { cwd: join(cwd, 'inner'), env: { TMPDIR: tmp } });
  assert.deepEqual(readdirSync(tmp), [], 'verify left files in its temporary folder');
  assert.deepEqual(readdirSync(join(cwd, 'inner')), [], 'verify wrote into the working folder');
  assert.deepEqual(readdirSync(cwd), ['inner'], 'verify wrote next to the working folder');
  const report = JSON.parse(run.stdout) as { status: string; findings: { code: string; message: string }[] };
  return { exitCode: run.exitCode, report, codes: report.findings.map((f) => f.code), text: report.findings.map((f) => f.message).join(' | ') };
}

test('members with unsafe names, links, duplicates or extras are refused and nothing is written outside the temp folder', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const good = await goodBundle(dir);
  const src = join(dir, 'src');
  mkdirSync(src);
  extractWithTar(good, src);
  const cases: { name: string; build: (out: string) => void; code: string }[] = [
    { name: 'a member named ../evidence.db', code: 'BUNDLE_MEMBER_NAME', build: (out) => execFileSync('tar', ['--format=ustar', '-cf', out, '--transform', 's,^evidence,../evidence,', 'evidence.db', 'manifest.json', 'SHA256SUMS'], { cwd: src }) },
    { name: 'an absolute member path', code: 'BUNDLE_MEMBER_NAME', build: (out) => execFileSync('tar', ['--format=ustar', '-cPf', out, join(src, 'evidence.db'), 'manifest.json', 'SHA256SUMS'], { cwd: src }) },
    { name: 'a symlink member', code: 'BUNDLE_MEMBER_TYPE', build: (out) => {
      const d = join(dir, 'symlink');
      mkdirSync(d);
      copyFileSync(join(src, 'evidence.db'), join(d, 'evidence.db'));
      copyFileSync(join(src, 'SHA256SUMS'), join(d, 'SHA256SUMS'));
      symlinkSync('/etc/passwd', join(d, 'manifest.json'));
      execFileSync('tar', ['--format=ustar', '-cf', out, 'evidence.db', 'manifest.json', 'SHA256SUMS'], { cwd: d });
    } },
    { name: 'a hardlink member', code: 'BUNDLE_MEMBER_TYPE', build: (out) => {
      const d = join(dir, 'hardlink');
      mkdirSync(d);
      copyFileSync(join(src, 'evidence.db'), join(d, 'evidence.db'));
      copyFileSync(join(src, 'SHA256SUMS'), join(d, 'SHA256SUMS'));
      linkSync(join(d, 'evidence.db'), join(d, 'manifest.json'));
      execFileSync('tar', ['--format=ustar', '-cf', out, 'evidence.db', 'manifest.json', 'SHA256SUMS'], { cwd: d });
    } },
    { name: 'a duplicate manifest.json', code: 'BUNDLE_DUPLICATE_MEMBER', build: (out) => {
      copyFileSync(good, out);
      execFileSync('tar', ['--format=ustar', '-rf', out, 'manifest.json'], { cwd: src });
    } },
    { name: 'an extra member', code: 'BUNDLE_MEMBER_NAME', build: (out) => {
      copyFileSync(good, out);
      writeFileSync(join(src, 'notes.txt'), 'hello');
      execFileSync('tar', ['--format=ustar', '-rf', out, 'notes.txt'], { cwd: src });
    } },
    { name: 'a real PAX extended header', code: 'BUNDLE_MEMBER_TYPE', build: (out) => execFileSync('tar', ['--format=pax', '--pax-option=comment=hi', '-cf', out, 'evidence.db', 'manifest.json', 'SHA256SUMS'], { cwd: src }) },
  ];
  for (const bad of cases) {
    const out = join(dir, `${bad.code}-${cases.indexOf(bad)}.tar`);
    bad.build(out);
    const result = await verifyIsolated(out, dir);
    assert.equal(result.exitCode, 1, `${bad.name}: ${result.text}`);
    assert.deepEqual(result.codes, [bad.code], `${bad.name}: ${result.text}`);
    assert.equal(existsSync(join(dir, 'evidence.db')), false, `${bad.name} wrote outside`);
  }
});

test('a truncated tar, a 10 GiB size header and a PAX header claiming gigabytes are refused without reading them', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const good = readFileSync(await goodBundle(dir));
  const layout = tarLayout(good);
  const db = layout[0];
  assert.ok(db);

  const truncated = join(dir, 'truncated.tar');
  writeFileSync(truncated, good.subarray(0, Math.floor(good.length / 2)));
  const cut = await verifyIsolated(truncated, dir);
  assert.equal(cut.exitCode, 2, cut.text);
  assert.deepEqual(cut.codes, ['TAR_TRUNCATED']);

  const huge = Buffer.from(good);
  // GNU base-256 encoding of 10 GiB in the size field.
  huge.fill(0, db.headerOffset + 124, db.headerOffset + 136);
  huge[db.headerOffset + 124] = 0x80;
  huge.writeBigUInt64BE(10n * 1024n ** 3n, db.headerOffset + 128);
  fixHeaderChecksum(huge, db.headerOffset);
  writeFileSync(join(dir, 'huge.tar'), huge);
  const before = process.memoryUsage().rss;
  const hugeResult = await verifyIsolated(join(dir, 'huge.tar'), dir);
  assert.equal(hugeResult.exitCode, 1, hugeResult.text);
  assert.deepEqual(hugeResult.codes, ['TAR_HEADER_LIMIT']);

  const octal = Buffer.from(good);
  octal.write('77777777777\0', db.headerOffset + 124, 'latin1');
  fixHeaderChecksum(octal, db.headerOffset);
  writeFileSync(join(dir, 'octal.tar'), octal);
  const octalResult = await verifyIsolated(join(dir, 'octal.tar'), dir);
  assert.equal(octalResult.exitCode, 2, octalResult.text);
  assert.deepEqual(octalResult.codes, ['TAR_TRUNCATED']);

  const pax = Buffer.concat([Buffer.alloc(512), good]);
  pax.write('PaxHeaders/evidence.db\0', 0, 'latin1');
  pax.write('0000644\0', 100, 'latin1');
  pax.write('77777777777\0', 124, 'latin1');
  pax.write('x', 156, 'latin1');
  pax.write('ustar\u000000', 257, 'latin1');
  fixHeaderChecksum(pax, 0);
  writeFileSync(join(dir, 'pax.tar'), pax);
  const paxResult = await verifyIsolated(join(dir, 'pax.tar'), dir);
  assert.equal(paxResult.exitCode, 1, paxResult.text);
  assert.deepEqual(paxResult.codes, ['BUNDLE_MEMBER_TYPE']);
  assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024, 'verifying huge claims allocated memory');

  const notTar = join(dir, 'not.tar');
  writeFileSync(notTar, 'plain text, not an archive at all\n'.repeat(40));
  assert.equal((await verifyIsolated(notTar, dir)).exitCode, 2);
  assert.equal((await verifyIsolated(join(dir, 'missing.tar'), dir)).exitCode, 2);
});

test(`${FLIPS} single-byte flips anywhere in a bundle are all detected`, { timeout: 600_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const good = readFileSync(await goodBundle(dir));
  const layout = tarLayout(good);
  const target = join(dir, 'flipped.tar');
  const missed: string[] = [];
  for (let i = 0; i < FLIPS; i += 1) {
    // Half the flips land inside member data (naming the member), half anywhere in the file.
    const member = layout[i % layout.length];
    assert.ok(member);
    const inData = i % 2 === 0 && member.size > 0;
    const position = inData ? member.dataOffset + Math.floor(Math.random() * member.size) : Math.floor(Math.random() * good.length);
    const copy = Buffer.from(good);
    copy[position] = (copy[position] ?? 0) ^ (1 << Math.floor(Math.random() * 8));
    writeFileSync(target, copy);
    const report = await verifyBundle(target);
    if (report.status === 'intact') missed.push(`byte ${position}`);
    else if (inData && !report.findings.some((f) => f.message.includes(member.name))) missed.push(`byte ${position} in ${member.name} detected but not named: ${report.findings.map((f) => f.message).join('; ')}`);
  }
  assert.deepEqual(missed, []);
});

test('a row edited or deleted with the sqlite3 shell and repacked with fresh sums is named', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const good = await goodBundle(dir);
  const scenarios = [
    { name: 'edited note', sql: "UPDATE actions SET detail = '{\"text\":\"nothing happened\"}' WHERE seq = 2", expect: /custody log row 2: hash does not match/ },
    { name: 'deleted middle row', sql: 'DELETE FROM actions WHERE seq = 2', expect: /custody log row 3: expected seq 2/ },
    { name: 'deleted last row', sql: 'DELETE FROM actions WHERE seq = 4', expect: /rows in actions; manifest.json says 4/ },
    { name: 'changed artifact bytes', sql: "UPDATE artifacts SET content = CAST('Name:\tinit' AS BLOB) WHERE content IS NOT NULL", expect: /artifact 1: its content does not hash/ },
    { name: 'added trigger', sql: "CREATE TRIGGER evil AFTER INSERT ON actions BEGIN SELECT 1; END", expect: /trigger "evil" that kustody never creates/ },
  ];
  for (const scenario of scenarios) {
    const work = join(dir, scenario.name.replace(/ /g, '-'));
    mkdirSync(work);
    extractWithTar(good, work);
    execFileSync('chmod', ['u+w', 'evidence.db'], { cwd: work });
    execFileSync('sqlite3', [join(work, 'evidence.db'), scenario.sql]);
    const out = join(dir, `${scenario.name.replace(/ /g, '-')}.tar`);
    repackWithNewSums(work, out);
    const result = await verifyIsolated(out, dir);
    assert.equal(result.exitCode, 1, `${scenario.name}: ${result.text}`);
    assert.match(result.text, scenario.expect, scenario.name);
  }
});

test('a bundle re-signed with another key fails against the pinned key; an unsigned one fails when a key is pinned', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const casePath = makeCaseWithEvidence(dir);
  for (const name of ['ours', 'theirs']) {
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(dir, `${name}.pem`)]);
    execFileSync('openssl', ['pkey', '-in', join(dir, `${name}.pem`), '-pubout', '-out', join(dir, `${name}.pub`)]);
  }
  const theirs = join(dir, 'theirs.tar');
  await runKustody(['bundle', 'export', casePath, '-o', theirs, '--sign-key', join(dir, 'theirs.pem')]);
  const wrongKey = await verifyIsolated(theirs, dir, ['--pubkey', join(dir, 'ours.pub')]);
  assert.equal(wrongKey.exitCode, 1);
  assert.deepEqual(wrongKey.codes, ['SIGNATURE_INVALID']);
  const unsigned = join(dir, 'unsigned.tar');
  await runKustody(['bundle', 'export', casePath, '-o', unsigned]);
  const missing = await verifyIsolated(unsigned, dir, ['--pubkey', join(dir, 'ours.pub')]);
  assert.equal(missing.exitCode, 1);
  assert.deepEqual(missing.codes, ['SIGNATURE_MISSING']);
});
