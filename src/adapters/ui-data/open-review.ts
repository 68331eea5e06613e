/**
 * Opens a case folder, a case's evidence.db, or a received bundle for read-only review. A bundle is
 * first copied into a private 0700 folder, the copy is verified with verifyBundle (and refused, with
 * the findings, unless intact), and evidence.db is taken from that same verified copy, so nothing can
 * change between verification and reading. Nothing is ever written to the case or the bundle.
 */
import { constants, createReadStream, createWriteStream, fstatSync, openSync, closeSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { BUNDLE_MEMBERS, SMALL_MEMBER_LIMITS } from '../../core/bundle/manifest.js';
import type { EvidenceData } from '../../core/ui/evidence-records.js';
import { copyMember, type ReadMember } from '../bundle/read-members.js';
import { prescanTar } from '../bundle/tar-prescan.js';
import { verifyBundle, type VerifyReport } from '../bundle/verify-bundle.js';
import { assertChainIntact } from '../store/case-chain.js';
import { CASE_DB_FILE, resolveCaseDir } from '../store/case-store.js';
import { openReadableDb, type ReadableDb } from '../store/open-store.js';
import { readEvidence } from './read-evidence.js';
import { openRegularFile } from '../system/input-path.js';
import { makeOwnedTempDir } from '../system/owned-temp-dir.js';
import { UnreadableInputError } from '../../core/errors.js';

/** The outcome of opening something for review: its evidence, or the verification that refused it. */
export type ReviewOpening =
  | { readonly ok: true; readonly data: EvidenceData; readonly report: VerifyReport | null }
  | { readonly ok: false; readonly path: string; readonly report: VerifyReport };

/** Where the demo case shipped with the package lives (demo/demo-case.tar beside dist/ and src/). */
export function demoBundlePath(): string {
  return fileURLToPath(new URL('../../../demo/demo-case.tar', import.meta.url));
}

/** Tells whether a path names a case (a folder, or a file called evidence.db) rather than a bundle. */
export function looksLikeCase(path: string): boolean {
  try {
    return statSync(path).isDirectory() || basename(path) === CASE_DB_FILE;
  } catch {
    // A bare case id under the default folder does not exist as given.
    return !path.includes('/') && !path.endsWith('.tar');
  }
}

/** Opens a case folder read-only and reads its evidence; a custody chain that does not recompute is refused. */
export function openCaseForReview(argument: string, defaultParent: string): ReviewOpening {
  return { ok: true, data: readCaseReadOnly(argument, defaultParent, (db, dir) => readEvidence(db, { kind: 'case', path: dir, integrity: '' })), report: null };
}

/** Opens a case folder read-only, refuses it unless its custody chain recomputes, and reads it with `read`. */
export function readCaseReadOnly<T>(argument: string, defaultParent: string, read: (db: ReadableDb, dir: string) => T): T {
  const dir = resolveCaseDir(argument, defaultParent);
  const db = openReadableDb(join(dir, CASE_DB_FILE));
  try {
    assertChainIntact(db, 'review this case');
    return read(db, dir);
  } finally {
    db.close();
  }
}

async function privateCopy(path: string, dir: string): Promise<string> {
  const copy = join(dir, 'bundle.tar');
  const { fd } = openRegularFile(path, { what: 'bundle', nextStep: 'Pass a bundle .tar written by `kustody bundle export`, or a case folder.' });
  try {
    await pipeline(createReadStream('', { fd, autoClose: false }), createWriteStream(copy, { flags: 'wx', mode: 0o600 }));
  } finally {
    closeSync(fd);
  }
  return copy;
}

/** Verifies a bundle and, when intact, reads its evidence from the verified copy. */
export async function openBundleForReview(path: string, options: { pubkeyPath?: string; expectedSha256?: string; kind?: 'bundle' | 'demo' } = {}): Promise<ReviewOpening> {
  const read = await readVerifiedBundle(path, options, (db, report) => readEvidence(db, { kind: options.kind ?? 'bundle', path, integrity: bundleIntegrity(report) }));
  return read.ok ? { ok: true, data: read.value, report: read.report } : read;
}

/** What reading a bundle gave: `read`'s value from the verified copy, or the verification that refused it. */
export type VerifiedRead<T> = { readonly ok: true; readonly value: T; readonly report: VerifyReport } | { readonly ok: false; readonly path: string; readonly report: VerifyReport };

/** Copies a bundle privately, verifies the copy and, only when intact, reads that copy's evidence.db with `read`. */
export async function readVerifiedBundle<T>(path: string, options: { pubkeyPath?: string; expectedSha256?: string }, read: (db: ReadableDb, report: VerifyReport) => T): Promise<VerifiedRead<T>> {
  const temp = makeOwnedTempDir('kustody-review-');
  const dir = temp.path;
  try {
    let copy: string;
    try {
      copy = await privateCopy(path, dir);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unknown';
      const message = error instanceof UnreadableInputError ? error.message : `${basename(path)} cannot be read (${code})`;
      return { ok: false, path, report: { status: 'unreadable', verdict: 'UNREADABLE', authenticatedBy: [], caseId: null, signature: 'unchecked', custodyHead: null, counts: null, findings: [{ code: 'BUNDLE_UNREADABLE', message }], notes: [] } };
    }
    const report = await verifyBundle(copy, { pubkeyPath: options.pubkeyPath, expectedSha256: options.expectedSha256 });
    if (report.status !== 'intact') return { ok: false, path, report };
    const fd = openSync(copy, constants.O_RDONLY | constants.O_NOFOLLOW);
    let db: ReadMember;
    try {
      const allowed = new Set<string>(Object.values(BUNDLE_MEMBERS));
      const scan = prescanTar(fd, fstatSync(fd).size, allowed, { maxMembers: allowed.size, maxMemberSize: (name) => SMALL_MEMBER_LIMITS[name] ?? Number.MAX_SAFE_INTEGER });
      const member = scan.members.find((m) => m.name === BUNDLE_MEMBERS.db);
      if (member === undefined) throw new Error('the verified bundle lost its evidence.db');
      db = await copyMember(copy, member, dir, 'evidence.db');
    } finally {
      closeSync(fd);
    }
    const readable = openReadableDb(db.copyPath ?? join(dir, 'evidence.db'));
    try {
      return { ok: true, value: read(readable, report), report };
    } finally {
      readable.close();
    }
  } finally {
    temp.remove();
  }
}

/** The heading's words for a verified bundle: the same verdict `bundle verify` prints, and what proved it. */
export function bundleIntegrity(report: VerifyReport): string {
  if (report.verdict === 'AUTHENTIC') return `AUTHENTIC (${report.authenticatedBy.map((b) => (b === 'pinned-key' ? 'signature valid for the pinned key' : 'SHA-256 matches the recorded one')).join(', ')})`;
  return `CONSISTENT (origin not proven: ${report.signature === 'unchecked' ? 'signed, key not pinned' : 'unsigned'})`;
}
