import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { extractWithTar } from '../../helpers/bundle-fixtures.js';
import { judgeAccepts, makeCapturedCase } from '../../helpers/captured-case.js';
import { makeTempDir, runKustody } from '../../helpers/cli.js';
import { forgeConsistentBundle } from '../../helpers/forge-bundle.js';

function keyPair(dir: string, name: string): { pem: string; pub: string } {
  const pem = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}.pub`);
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', pem]);
  execFileSync('openssl', ['pkey', '-in', pem, '-pubout', '-out', pub]);
  return { pem, pub };
}

async function verify(bundle: string, extra: string[] = []) {
  const text = await runKustody(['bundle', 'verify', bundle, ...extra]);
  const json = await runKustody(['bundle', 'verify', bundle, '--json', ...extra]);
  const report = JSON.parse(json.stdout) as { verdict: string; authenticatedBy: string[]; findings: { code: string }[] };
  assert.equal(text.exitCode, json.exitCode);
  assert.ok(text.stdout.startsWith(`${report.verdict}  `), `text and --json disagree: ${text.stdout}`);
  return { exitCode: text.exitCode, verdict: report.verdict, by: report.authenticatedBy, codes: report.findings.map((f) => f.code), text: text.stdout };
}

async function reviewVerdict(bundle: string, extra: string[] = []): Promise<string | null> {
  const run = await runKustody(['review', bundle, '--json', ...extra]);
  return (JSON.parse(run.stdout) as { verdict?: string }).verdict ?? null;
}

test('verify says AUTHENTIC only with a pinned key or a recorded SHA-256, CONSISTENT otherwise, and --require-authentic refuses CONSISTENT; review shows the same', { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { casePath } = await makeCapturedCase(dir);
  const key = keyPair(dir, 'responder');
  const unsigned = join(dir, 'unsigned.tar');
  const signed = join(dir, 'signed.tar');
  assert.equal((await runKustody(['bundle', 'export', casePath, '-o', unsigned])).exitCode, 0);
  assert.equal((await runKustody(['bundle', 'export', casePath, '-o', signed, '--sign-key', key.pem])).exitCode, 0);
  const sha = createHash('sha256').update(readFileSync(unsigned)).digest('hex');

  const plain = await verify(unsigned);
  assert.deepEqual([plain.exitCode, plain.verdict, plain.by], [0, 'CONSISTENT', []]);
  assert.match(plain.text, /origin is not proven/);
  assert.equal((await verify(unsigned, ['--require-authentic'])).exitCode, 1);
  const byHash = await verify(unsigned, ['--sha256', sha, '--require-authentic']);
  assert.deepEqual([byHash.exitCode, byHash.verdict, byHash.by], [0, 'AUTHENTIC', ['recorded-sha256']]);
  const signedNoKey = await verify(signed);
  assert.deepEqual([signedNoKey.exitCode, signedNoKey.verdict], [0, 'CONSISTENT']);
  assert.match(signedNoKey.text, /signed, but no key was pinned/);
  const byKey = await verify(signed, ['--pubkey', key.pub, '--require-authentic']);
  assert.deepEqual([byKey.exitCode, byKey.verdict, byKey.by], [0, 'AUTHENTIC', ['pinned-key']]);

  assert.equal(await reviewVerdict(unsigned), 'CONSISTENT');
  assert.equal(await reviewVerdict(signed, ['--pubkey', key.pub]), 'AUTHENTIC');
  assert.equal(await reviewVerdict(unsigned, ['--sha256', sha]), 'AUTHENTIC');
});

test('a bundle whose rows, digests, chain, manifest and sums were all rewritten is CONSISTENT at best, never AUTHENTIC; re-signed with another key it fails against the pinned key', { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { casePath } = await makeCapturedCase(dir);
  const key = keyPair(dir, 'responder');
  const forger = keyPair(dir, 'forger');
  const signed = join(dir, 'signed.tar');
  assert.equal((await runKustody(['bundle', 'export', casePath, '-o', signed, '--sign-key', key.pem])).exitCode, 0);
  const originalSha = createHash('sha256').update(readFileSync(signed)).digest('hex');
  const src = join(dir, 'src');
  mkdirSync(src);
  extractWithTar(signed, src);
  const edit = "UPDATE processes SET exe='/usr/bin/sleep', exe_deleted=0 WHERE exe_deleted=1; DELETE FROM connections WHERE state='ESTABLISHED';";

  const rewrittenDir = join(dir, 'rewritten');
  cpSync(src, rewrittenDir, { recursive: true });
  const rewritten = join(dir, 'rewritten.tar');
  forgeConsistentBundle(rewrittenDir, edit, rewritten);
  assert.ok(judgeAccepts(rewrittenDir), 'the forgery is not consistent by the documented algorithms, so this test proves nothing');
  const consistent = await verify(rewritten);
  assert.deepEqual([consistent.exitCode, consistent.verdict, consistent.by], [0, 'CONSISTENT', []]);
  assert.equal((await verify(rewritten, ['--require-authentic'])).exitCode, 1);
  const pinned = await verify(rewritten, ['--pubkey', key.pub]);
  assert.deepEqual([pinned.exitCode, pinned.verdict, pinned.codes], [1, 'TAMPERED', ['SIGNATURE_MISSING']]);
  const recorded = await verify(rewritten, ['--sha256', originalSha]);
  assert.deepEqual([recorded.exitCode, recorded.verdict, recorded.codes], [1, 'TAMPERED', ['BUNDLE_HASH_MISMATCH']]);
  assert.equal(await reviewVerdict(rewritten), 'CONSISTENT');

  const resignedDir = join(dir, 'resigned');
  cpSync(src, resignedDir, { recursive: true });
  const resigned = join(dir, 'resigned.tar');
  forgeConsistentBundle(resignedDir, edit, resigned, forger.pem);
  const wrongKey = await verify(resigned, ['--pubkey', key.pub]);
  assert.deepEqual([wrongKey.exitCode, wrongKey.verdict, wrongKey.codes], [1, 'TAMPERED', ['SIGNATURE_INVALID']]);
  assert.equal((await verify(resigned)).verdict, 'CONSISTENT');
  assert.equal((await verify(resigned, ['--pubkey', forger.pub])).verdict, 'AUTHENTIC', 'the forger\'s own key does prove the forger\'s origin: the pinned key is what must come from a trusted channel');
  assert.equal(await reviewVerdict(resigned, ['--pubkey', key.pub]), null);
});
