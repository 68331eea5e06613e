/**
 * Verifies a received bundle, treating every byte as hostile: bounded tar headers, member hashes
 * against SHA256SUMS and the manifest, the pinned Ed25519 signature, then a private read-only copy
 * of evidence.db (integrity_check first, exact schema, custody chain, artifact hashes).
 */
import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { BUNDLE_MEMBERS, SMALL_MEMBER_LIMITS, manifestProblem, parseSha256Sums, type BundleManifest } from '../../core/bundle/manifest.js';
import { UnreadableInputError } from '../../core/errors.js';
import { checkEvidenceDb } from './check-evidence-db.js';
import { copyMember, readSmallMember, type ReadMember } from './read-members.js';
import { prescanTar } from './tar-prescan.js';
import { MAX_KEY_FILE_BYTES, describeFileType, readRegularFile } from '../system/input-path.js';
import { makeOwnedTempDir, type OwnedTempDir } from '../system/owned-temp-dir.js';
import { chooseScratchParent } from '../system/scratch-dir.js';

/** One thing verification found wrong. */
export interface VerifyFinding {
  code: string;
  message: string;
}

/**
 * What verification established: AUTHENTIC (intact, and tied to its origin by a signature checked
 * against a pinned key or by a SHA-256 recorded outside the bundle), CONSISTENT (intact in itself,
 * origin not proven: whoever rewrote the whole bundle could produce the same), TAMPERED, UNREADABLE.
 */
export type VerifyVerdict = 'AUTHENTIC' | 'CONSISTENT' | 'TAMPERED' | 'UNREADABLE';

/** The outcome of `bundle verify`. */
export interface VerifyReport {
  status: 'intact' | 'tampered' | 'unreadable';
  verdict: VerifyVerdict;
  /** What proved the origin, when the verdict is AUTHENTIC: the pinned key, the recorded SHA-256, or both. */
  authenticatedBy: ('pinned-key' | 'recorded-sha256')[];
  caseId: string | null;
  signature: 'valid' | 'invalid' | 'absent' | 'unchecked';
  custodyHead: { seq: number; hash: string } | null;
  counts: Record<string, number> | null;
  findings: VerifyFinding[];
  notes: string[];
}

/** Options for verification: the pinned public key, and the largest evidence.db accepted. */
export interface VerifyOptions {
  pubkeyPath?: string;
  maxDbBytes?: number;
  /** The bundle's SHA-256 as recorded outside it (ticket, chat, the export row of the case): a replaced but self-consistent bundle differs. */
  expectedSha256?: string;
}

const DEFAULT_MAX_DB_BYTES = 64 * 1024 ** 3;

/** Verifies the bundle at `path`; never throws for a bad bundle, only for a bad key file. */
export async function verifyBundle(path: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const pubkey = options.pubkeyPath === undefined ? undefined : loadPublicKey(options.pubkeyPath);
  const report: VerifyReport = { status: 'intact', verdict: 'CONSISTENT', authenticatedBy: [], caseId: null, signature: 'absent', custodyHead: null, counts: null, findings: [], notes: [] };
  let sha256Matched = false;
  const tampered = (code: string, message: string) => report.findings.push({ code, message });
  let temp: OwnedTempDir | null = null;
  try {
    const scan = scanBundle(path, options.maxDbBytes ?? DEFAULT_MAX_DB_BYTES);
    if (scan.problem !== null) {
      report.findings.push({ code: scan.problem.code, message: scan.problem.message });
      report.status = scan.problem.severity;
      return finish(report, false);
    }
    if (options.expectedSha256 !== undefined) {
      const actual = sha256OfFile(path);
      sha256Matched = actual === options.expectedSha256.toLowerCase();
      if (!sha256Matched) tampered('BUNDLE_HASH_MISMATCH', `the bundle's SHA-256 is ${actual}, not the ${options.expectedSha256.slice(0, 64)} recorded outside it: this is not the bundle that was exported (an older or replaced copy)`);
    }
    const byName = new Map(scan.members.map((m) => [m.name, m]));
    for (const required of [BUNDLE_MEMBERS.db, BUNDLE_MEMBERS.manifest, BUNDLE_MEMBERS.sums]) {
      if (!byName.has(required)) tampered('BUNDLE_MISSING_MEMBER', `the bundle has no ${required}`);
    }
    if (report.findings.length > 0) return finish(report, sha256Matched);

    // The private copy goes where chooseScratchParent says: TMPDIR if set, else a tmpfs with room.
    temp = makeOwnedTempDir('kustody-verify-', chooseScratchParent(byName.get(BUNDLE_MEMBERS.db)?.size ?? 0).parent);
    const read = new Map<string, ReadMember>();
    for (const member of scan.members) {
      read.set(member.name, member.name === BUNDLE_MEMBERS.db ? await copyMember(path, member, temp.path, 'evidence.db') : readSmallMember(path, member));
    }
    const manifest = checkSumsAndManifest(read, tampered);
    report.signature = checkSignature(read, pubkey, tampered, report.notes);
    if (manifest !== null) {
      report.caseId = manifest.case.id;
      const db = read.get(BUNDLE_MEMBERS.db);
      if (db?.copyPath !== undefined) {
        const dbReport = await checkEvidenceDb(db.copyPath, manifest);
        for (const finding of dbReport.findings) tampered(finding.code, finding.message);
        report.custodyHead = dbReport.head;
        report.counts = dbReport.counts;
      }
    }
    return finish(report, sha256Matched);
  } finally {
    temp?.remove();
  }
}

function finish(report: VerifyReport, sha256Matched: boolean): VerifyReport {
  if (report.findings.length > 0 && report.status === 'intact') report.status = 'tampered';
  report.authenticatedBy = [];
  if (report.status === 'intact') {
    if (report.signature === 'valid') report.authenticatedBy.push('pinned-key');
    if (sha256Matched) report.authenticatedBy.push('recorded-sha256');
  }
  report.verdict = report.status === 'tampered' ? 'TAMPERED' : report.status === 'unreadable' ? 'UNREADABLE' : report.authenticatedBy.length > 0 ? 'AUTHENTIC' : 'CONSISTENT';
  return report;
}

function scanBundle(path: string, maxDbBytes: number) {
  let fd: number;
  try {
    // Non-blocking: a FIFO opens at once (and is refused below) instead of waiting for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown';
    return { members: [], problem: { code: 'BUNDLE_UNREADABLE', severity: 'unreadable' as const, message: `${basename(path)} cannot be opened (${code}${code === 'ENXIO' ? ': it is a socket, not a bundle file' : ''})` } };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { members: [], problem: { code: 'BUNDLE_UNREADABLE', severity: 'unreadable' as const, message: `${basename(path)} is ${describeFileType(stat)}, not a bundle file: only regular files are read` } };
    const allowed = new Set<string>(Object.values(BUNDLE_MEMBERS));
    return prescanTar(fd, stat.size, allowed, {
      maxMembers: allowed.size,
      maxMemberSize: (name) => SMALL_MEMBER_LIMITS[name] ?? maxDbBytes,
    });
  } finally {
    closeSync(fd);
  }
}

function checkSumsAndManifest(read: Map<string, ReadMember>, tampered: (code: string, message: string) => void): BundleManifest | null {
  const sumsText = read.get(BUNDLE_MEMBERS.sums)?.bytes?.toString('utf8') ?? '';
  const sums = parseSha256Sums(sumsText);
  if (sums === null) {
    tampered('BUNDLE_SUMS_MALFORMED', 'SHA256SUMS is not in the `sha256sum` format kustody writes');
  } else {
    for (const [name, member] of read) {
      if (name === BUNDLE_MEMBERS.sums) continue;
      const listed = sums.get(name);
      if (listed === undefined) tampered('BUNDLE_SUMS_MISSING', `${name} is not listed in SHA256SUMS`);
      else if (listed !== member.sha256) tampered('MEMBER_HASH_MISMATCH', `${name} does not match its SHA-256 in SHA256SUMS: its content was changed`);
    }
    for (const name of sums.keys()) if (!read.has(name)) tampered('BUNDLE_SUMS_EXTRA', `SHA256SUMS lists ${name}, which the bundle does not hold`);
  }
  const manifestBytes = read.get(BUNDLE_MEMBERS.manifest)?.bytes;
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestBytes?.toString('utf8') ?? '');
  } catch {
    tampered('MANIFEST_MALFORMED', 'manifest.json is not valid JSON');
    return null;
  }
  const problem = manifestProblem(manifest);
  if (problem !== null) {
    tampered('MANIFEST_MALFORMED', problem);
    return null;
  }
  const valid = manifest as BundleManifest;
  const db = read.get(BUNDLE_MEMBERS.db);
  const listed = valid.members.find((m) => m.name === BUNDLE_MEMBERS.db);
  if (listed === undefined || valid.members.length !== 1) tampered('MANIFEST_MEMBERS', 'manifest.json does not list exactly the evidence.db member');
  else if (db !== undefined && (listed.sha256 !== db.sha256 || listed.size !== db.size)) tampered('MEMBER_HASH_MISMATCH', 'evidence.db does not match the SHA-256 and size in manifest.json');
  return valid;
}

function checkSignature(read: Map<string, ReadMember>, pubkey: KeyObject | undefined, tampered: (code: string, message: string) => void, notes: string[]): VerifyReport['signature'] {
  const signature = read.get(BUNDLE_MEMBERS.signature)?.bytes;
  const manifest = read.get(BUNDLE_MEMBERS.manifest)?.bytes ?? Buffer.alloc(0);
  if (pubkey === undefined) {
    if (signature !== undefined) notes.push('The bundle is signed, but no --pubkey was given, so the signature was not checked.');
    return signature === undefined ? 'absent' : 'unchecked';
  }
  if (signature === undefined) {
    tampered('SIGNATURE_MISSING', 'a public key was pinned with --pubkey but the bundle carries no manifest.sig');
    return 'absent';
  }
  if (!verifySignature(null, manifest, pubkey, signature)) {
    tampered('SIGNATURE_INVALID', 'manifest.sig does not verify with the pinned public key: the manifest was changed or signed by another key');
    return 'invalid';
  }
  return 'valid';
}

function loadPublicKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(readRegularFile(path, MAX_KEY_FILE_BYTES, { what: 'public key', nextStep: 'Pass the Ed25519 public key in PEM.' }));
  } catch (error) {
    throw new UnreadableInputError('PUBKEY_UNREADABLE', `${basename(path)} is not a readable PEM public key.`, 'Export it from the signing key with: openssl pkey -in key.pem -pubout -out key.pub', error);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new UnreadableInputError('PUBKEY_TYPE', `${basename(path)} is a ${String(key.asymmetricKeyType)} key; bundles are signed with Ed25519.`, 'Pass the Ed25519 public key that matches the signing key.');
  }
  return key;
}

/** SHA-256 of a whole file, read in 4 MiB chunks. */
function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (let got = readSync(fd, buffer, 0, buffer.length, null); got > 0; got = readSync(fd, buffer, 0, buffer.length, null)) hash.update(buffer.subarray(0, got));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
