/**
 * Opens a case folder or a bundle for `kustody report`, read-only. A bundle is copied into a private
 * folder, hashed while copied, verified with verifyBundle (refused with its findings unless intact),
 * and its evidence.db is read from that same verified copy. A case folder's custody chain must recompute.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, createWriteStream, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BUNDLE_MEMBERS, SMALL_MEMBER_LIMITS } from '../../core/bundle/manifest.js';
import { explainVerdict } from '../../core/bundle/verdict.js';
import type { ReportIntegrity, ReportModel } from '../../core/report/model.js';
import { copyMember } from '../bundle/read-members.js';
import { prescanTar } from '../bundle/tar-prescan.js';
import { verifyBundle, type VerifyReport } from '../bundle/verify-bundle.js';
import { assertChainIntact, readChainState } from '../store/case-chain.js';
import { CASE_DB_FILE, resolveCaseDir } from '../store/case-store.js';
import { openReadableDb, type ReadableDb } from '../store/open-store.js';
import { openRegularFile } from '../system/input-path.js';
import { makeOwnedTempDir } from '../system/owned-temp-dir.js';
import { readReportModel } from './read-report.js';

/** A report, or the verification that refused the bundle. */
export type ReportOpening = { readonly ok: true; readonly model: ReportModel } | { readonly ok: false; readonly report: VerifyReport };

/** Builds the report of a live case folder (its chain must be intact). */
export function reportFromCase(argument: string, defaultParent: string, now: string): ReportOpening {
  const dir = resolveCaseDir(argument, defaultParent);
  const db: ReadableDb = openReadableDb(join(dir, CASE_DB_FILE));
  try {
    const state = readChainState(db);
    // Recomputed a second time only to refuse with the shared message when the chain is broken.
    if (!state.intact) assertChainIntact(db, 'report on this case');
    const integrity: ReportIntegrity = {
      source: 'case', path: dir, verdict: 'INTACT CHAIN', sha256: null, signature: null,
      explanation: 'the custody log of the live case recomputes from row 1 to its head; export a signed bundle to prove its origin to others',
      custodyHead: state.intact ? state.head : null, notes: [],
    };
    return { ok: true, model: readReportModel(db, integrity, now) };
  } finally {
    db.close();
  }
}

/** Verifies a bundle and, when intact, builds its report from the verified copy. */
export async function reportFromBundle(path: string, options: { pubkeyPath?: string; expectedSha256?: string }, now: string): Promise<ReportOpening> {
  const temp = makeOwnedTempDir('kustody-report-');
  try {
    const copy = join(temp.path, 'bundle.tar');
    const { fd } = openRegularFile(path, { what: 'bundle', nextStep: 'Pass a bundle .tar written by `kustody bundle export`, or a case folder.' });
    const hash = createHash('sha256');
    try {
      const hasher = new Transform({ transform(chunk: Buffer, _enc, done) { hash.update(chunk); done(null, chunk); } });
      await pipeline(createReadStream('', { fd, autoClose: false }), hasher, createWriteStream(copy, { flags: 'wx', mode: 0o600 }));
    } finally {
      closeSync(fd);
    }
    const sha256 = hash.digest('hex');
    const report = await verifyBundle(copy, { pubkeyPath: options.pubkeyPath, expectedSha256: options.expectedSha256 });
    if (report.status !== 'intact') return { ok: false, report };
    const tarFd = openSync(copy, constants.O_RDONLY | constants.O_NOFOLLOW);
    let dbPath: string;
    try {
      const allowed = new Set<string>(Object.values(BUNDLE_MEMBERS));
      const scan = prescanTar(tarFd, fstatSync(tarFd).size, allowed, { maxMembers: allowed.size, maxMemberSize: (name) => SMALL_MEMBER_LIMITS[name] ?? Number.MAX_SAFE_INTEGER });
      const member = scan.members.find((m) => m.name === BUNDLE_MEMBERS.db);
      if (member === undefined) throw new Error('the verified bundle lost its evidence.db');
      dbPath = (await copyMember(copy, member, temp.path, 'evidence.db')).copyPath ?? join(temp.path, 'evidence.db');
    } finally {
      closeSync(tarFd);
    }
    const db = openReadableDb(dbPath);
    try {
      const integrity: ReportIntegrity = {
        source: 'bundle', path, verdict: report.verdict, explanation: explainVerdict(report), sha256,
        signature: report.signature, custodyHead: report.custodyHead, notes: report.notes,
      };
      return { ok: true, model: readReportModel(db, integrity, now) };
    } finally {
      db.close();
    }
  } finally {
    temp.remove();
  }
}
