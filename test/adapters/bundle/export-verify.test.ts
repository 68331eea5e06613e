import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, runKustody } from '../../helpers/cli.js';
import { extractWithTar, makeCaseWithEvidence } from '../../helpers/bundle-fixtures.js';

test('an exported bundle verifies, and GNU tar, sha256sum -c and the sqlite3 shell agree with it', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const casePath = makeCaseWithEvidence(dir);
  const bundle = join(dir, 'case.tar');
  const exported = await runKustody(['bundle', 'export', casePath, '-o', bundle, '--json']);
  assert.equal(exported.exitCode, 0, exported.stderr);
  const result = JSON.parse(exported.stdout) as { sha256: string; head_seq: number; counts: Record<string, number> };
  assert.equal(result.sha256, execFileSync('sha256sum', [bundle], { encoding: 'utf8' }).slice(0, 64));
  assert.equal(result.head_seq, 4);
  assert.equal(result.counts.artifacts, 2);

  const listing = execFileSync('tar', ['-tvf', bundle], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(listing.map((l) => l.split(/\s+/).pop()), ['evidence.db', 'manifest.json', 'SHA256SUMS']);
  for (const line of listing) assert.match(line, /^-r--r--r-- kustody\/kustody .* 2026-11-27 04:00 /);

  const out = join(dir, 'x');
  mkdirSync(out);
  extractWithTar(bundle, out);
  assert.equal(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' }), 'evidence.db: OK\nmanifest.json: OK\n');
  const shell = execFileSync('sqlite3', [join(out, 'evidence.db'), 'PRAGMA integrity_check; PRAGMA journal_mode; SELECT count(*) FROM actions; SELECT count(*) FROM artifacts WHERE content IS NULL;'], { encoding: 'utf8' });
  assert.equal(shell, 'ok\ndelete\n4\n1\n');

  const verified = await runKustody(['bundle', 'verify', bundle, '--json']);
  assert.equal(verified.exitCode, 0, verified.stdout);
  const report = JSON.parse(verified.stdout) as { status: string; findings: unknown[]; signature: string };
  assert.equal(report.status, 'intact');
  assert.deepEqual(report.findings, []);
  assert.equal(report.signature, 'absent');
});

test('exporting an unchanged case twice gives byte-identical tars, and the export is logged in the case', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const casePath = makeCaseWithEvidence(dir);
  const a = join(dir, 'a.tar');
  const b = join(dir, 'b.tar');
  assert.equal((await runKustody(['bundle', 'export', casePath, '-o', a])).exitCode, 0);
  assert.equal((await runKustody(['bundle', 'export', casePath, '-o', b])).exitCode, 0);
  assert.ok(readFileSync(a).equals(readFileSync(b)), 'the two exports differ');
  const shown = JSON.parse((await runKustody(['case', 'show', casePath, '--json'])).stdout) as { actions: { kind: string; detail: { bundle_sha256?: string } }[] };
  const exports = shown.actions.filter((x) => x.kind === 'export');
  assert.equal(exports.length, 2);
  const tarHash = execFileSync('sha256sum', [a], { encoding: 'utf8' }).slice(0, 64);
  assert.equal(exports[0]?.detail.bundle_sha256, tarHash);
  await runKustody(['case', 'note', casePath, 'a later finding']);
  const c = join(dir, 'c.tar');
  await runKustody(['bundle', 'export', casePath, '-o', c]);
  assert.ok(!readFileSync(a).equals(readFileSync(c)), 'a changed case exported the same bytes');
  // The new bundle holds the earlier export rows, since a note came after them.
  const out = join(dir, 'x');
  mkdirSync(out);
  extractWithTar(c, out);
  assert.equal(execFileSync('sqlite3', [join(out, 'evidence.db'), "SELECT count(*) FROM actions WHERE kind = 'export'"], { encoding: 'utf8' }), '2\n');
});

test('a signed bundle verifies with its key, and openssl agrees with the signature', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const casePath = makeCaseWithEvidence(dir);
  const key = join(dir, 'key.pem');
  const pub = join(dir, 'key.pub');
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', key]);
  execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-out', pub]);
  const bundle = join(dir, 'signed.tar');
  const exported = await runKustody(['bundle', 'export', casePath, '-o', bundle, '--sign-key', key]);
  assert.equal(exported.exitCode, 0, exported.stderr);
  const again = join(dir, 'signed-again.tar');
  await runKustody(['bundle', 'export', casePath, '-o', again, '--sign-key', key]);
  assert.ok(readFileSync(bundle).equals(readFileSync(again)), 'signed re-export differs');

  const verified = await runKustody(['bundle', 'verify', bundle, '--pubkey', pub, '--json']);
  assert.equal(verified.exitCode, 0, verified.stdout);
  assert.equal((JSON.parse(verified.stdout) as { signature: string }).signature, 'valid');
  const out = join(dir, 'x');
  mkdirSync(out);
  extractWithTar(bundle, out);
  const openssl = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', join(out, 'manifest.json'), '-sigfile', join(out, 'manifest.sig')], { encoding: 'utf8' });
  assert.match(openssl, /Signature Verified Successfully/);
  assert.equal(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' }), 'evidence.db: OK\nmanifest.json: OK\nmanifest.sig: OK\n');

  const unsigned = await runKustody(['bundle', 'verify', bundle, '--json']);
  assert.equal(unsigned.exitCode, 0);
  assert.equal((JSON.parse(unsigned.stdout) as { signature: string }).signature, 'unchecked');
});

test('signing with a key that is not Ed25519, or an unreadable key, is refused before anything is written', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const casePath = makeCaseWithEvidence(dir);
  const rsa = join(dir, 'rsa.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'rsa', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', rsa], { stdio: 'ignore' });
  const run = await runKustody(['bundle', 'export', casePath, '-o', join(dir, 'x.tar'), '--sign-key', rsa]);
  assert.equal(run.exitCode, 2);
  assert.match(run.stderr, /rsa key; bundles are signed with Ed25519/);
  assert.doesNotMatch(run.stderr, /BEGIN/);
  const missing = await runKustody(['bundle', 'export', casePath, '-o', join(dir, 'y.tar'), '--sign-key', join(dir, 'nope.pem')]);
  assert.equal(missing.exitCode, 2);
  assert.throws(() => execFileSync('ls', [join(dir, 'x.tar'), join(dir, 'y.tar')], { stdio: 'ignore' }));
});

test('an older, self-consistent bundle is caught by the SHA-256 recorded outside it (--sha256)', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const casePath = makeCaseWithEvidence(dir);
  const old = join(dir, 'old.tar');
  await runKustody(['bundle', 'export', casePath, '-o', old]);
  await runKustody(['case', 'note', casePath, 'a later finding that the attacker wants gone']);
  const current = join(dir, 'current.tar');
  const exported = JSON.parse((await runKustody(['bundle', 'export', casePath, '-o', current, '--json'])).stdout) as { sha256: string };
  assert.equal((await runKustody(['bundle', 'verify', old])).exitCode, 0, 'the old bundle is intact in itself');
  const replaced = await runKustody(['bundle', 'verify', old, '--sha256', exported.sha256, '--json']);
  assert.equal(replaced.exitCode, 1);
  assert.deepEqual((JSON.parse(replaced.stdout) as { findings: Array<{ code: string }> }).findings.map((f) => f.code), ['BUNDLE_HASH_MISMATCH']);
  assert.equal((await runKustody(['bundle', 'verify', current, '--sha256', exported.sha256.toUpperCase()])).exitCode, 0);
  assert.equal((await runKustody(['bundle', 'verify', current, '--sha256', 'not-a-hash'])).exitCode, 2);
});
