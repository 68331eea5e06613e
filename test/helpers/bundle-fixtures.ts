/** Builds real cases and bundles for bundle tests, and edits tars the way an attacker would. */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createCase, recordAction } from '../../src/adapters/store/case-store.js';

/** Creates a case with notes and two artifacts (one seen twice) and returns its folder. */
export function makeCaseWithEvidence(parentDir: string): string {
  const created = createCase({ parentDir, title: 'bundle test', host: 'test-host', osUser: 'tester', now: '2026-11-27T04:00:00.000Z', toolName: 'kustody', toolVersion: '0.0.0-test' });
  const db = created.db;
  try {
    const at = '2026-11-27T04:00:01.000Z';
    recordAction(db, { at, actor: 'tester@test-host', kind: 'note', target: created.id, detail: { text: 'first note' }, outcome: 'ok' });
    const content = Buffer.from('Name:\tsh\nState:\tS (sleeping)\n');
    const sha256 = createHash('sha256').update(content).digest('hex');
    const artifact = { sha256, size: content.length, mediaType: 'text/plain', source: '/proc/42/status', vantage: 'local', collectedAt: at, content };
    recordAction(db, { at, actor: 'tester@test-host', kind: 'observe', target: 'pid 42', detail: { step: 'status' }, outcome: 'ok' }, undefined, [artifact, { ...artifact, source: '/proc/43/status' }]);
    recordAction(db, { at, actor: 'tester@test-host', kind: 'note', target: created.id, detail: { text: 'second note' }, outcome: 'ok' });
  } finally {
    db.close();
  }
  return created.path;
}

/** One member's place in a tar, found by reading ustar headers independently of kustody's reader. */
export interface TarLayout {
  name: string;
  headerOffset: number;
  dataOffset: number;
  size: number;
}

/** Lists the members of a tar buffer (plain ustar only), for tests that flip bytes at known places. */
export function tarLayout(tar: Buffer): TarLayout[] {
  const layout: TarLayout[] = [];
  let offset = 0;
  while (offset + 512 <= tar.length && tar.subarray(offset, offset + 512).some((b) => b !== 0)) {
    const name = tar.toString('latin1', offset, offset + 100).replace(/\0.*$/s, '');
    const size = Number.parseInt(tar.toString('latin1', offset + 124, offset + 136).replace(/\0.*$/s, '').trim(), 8);
    layout.push({ name, headerOffset: offset, dataOffset: offset + 512, size });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return layout;
}

/** Rewrites a header's checksum after a test edited the header, as a careful attacker would. */
export function fixHeaderChecksum(tar: Buffer, headerOffset: number): void {
  tar.fill(0x20, headerOffset + 148, headerOffset + 156);
  let sum = 0;
  for (let i = 0; i < 512; i += 1) sum += tar[headerOffset + i] ?? 0;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, headerOffset + 148, 'latin1');
}

/** Extracts a bundle with GNU tar into `dir`. */
export function extractWithTar(bundle: string, dir: string): void {
  execFileSync('tar', ['-xf', bundle, '-C', dir]);
}

/** Repacks an extracted bundle with GNU tar after regenerating SHA256SUMS with sha256sum, as an attacker would. */
export function repackWithNewSums(dir: string, out: string, members = ['evidence.db', 'manifest.json', 'SHA256SUMS']): void {
  const listed = members.filter((m) => m !== 'SHA256SUMS');
  const sums = execFileSync('sha256sum', listed, { cwd: dir, encoding: 'utf8' });
  execFileSync('sh', ['-c', 'chmod u+w SHA256SUMS 2>/dev/null; cat > SHA256SUMS'], { cwd: dir, input: sums });
  execFileSync('tar', ['--format=ustar', '-cf', out, ...members], { cwd: dir });
}

/** Path helper for files inside a folder. */
export const inDir = (dir: string, name: string) => join(dir, name);
