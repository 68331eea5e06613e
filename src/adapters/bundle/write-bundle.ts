/**
 * Writes a case out as a bundle: a tar of evidence.db, manifest.json, an optional Ed25519
 * manifest.sig and SHA256SUMS, with fixed names, mode 0444, owner 0 and the case's creation time as
 * mtime, so that the same case always gives the same bytes. The tar is written beside its
 * destination, fsynced and renamed into place; its own SHA-256 is computed while it is written.
 */
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { renameSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { BUNDLE_FORMAT, BUNDLE_MEMBERS, encodeManifest, encodeSha256Sums, type BundleManifest } from '../../core/bundle/manifest.js';
import { KustodyError, UnreadableInputError } from '../../core/errors.js';
import { readCaseMetadata } from '../store/case-reader.js';
import { countRows, fsyncDir } from '../store/case-store.js';
import { openReadableDb, type ReadableDb } from '../store/open-store.js';
import { MAX_KEY_FILE_BYTES, readRegularFile } from '../system/input-path.js';
import { makeOwnedTempDir } from '../system/owned-temp-dir.js';
import { chooseScratchParent } from '../system/scratch-dir.js';
import { pausePoint } from '../../runner/pause-points.js';
import { fsyncFile, snapshotCaseDb } from './snapshot-db.js';
import { TarWriter } from './tar-writer.js';

/** What an export produced, for the custody log and the user. */
export interface ExportResult {
  path: string;
  sha256: string;
  size: number;
  manifest: BundleManifest;
  manifestSha256: string;
  signed: boolean;
}

/** Exports the case behind `live` to `outPath`, signing the manifest when a private key is given. */
export async function writeBundle(live: ReadableDb, outPath: string, tool: { name: string; version: string }, signKeyPath?: string): Promise<ExportResult> {
  const signingKey = signKeyPath === undefined ? undefined : loadSigningKey(signKeyPath);
  const target = resolve(outPath);
  const temp = makeOwnedTempDir('.kustody-export-', dirname(target));
  const workDir = temp.path;
  // The rebuilt evidence.db is read once, into the tar: it goes where chooseScratchParent says
  // (TMPDIR if set, else a tmpfs with room), the tar beside its destination so the rename is atomic.
  const scratch = makeOwnedTempDir('kustody-export-', chooseScratchParent(liveDbBytes(live)).parent);
  try {
    const snapshot = await snapshotCaseDb(live, scratch.path);
    const snapshotDb = openReadableDb(snapshot.path);
    let manifestBase: Omit<BundleManifest, 'members'>;
    let mtime: Date;
    try {
      const meta = readCaseMetadata(snapshotDb);
      mtime = new Date(meta.created_at);
      manifestBase = {
        format: BUNDLE_FORMAT,
        case: { id: meta.id, title: meta.title, created_at: meta.created_at },
        tool,
        sqlite_version: String(snapshotDb.prepare('SELECT sqlite_version()').pluck().get()),
        schema_version: Number(snapshotDb.pragma('user_version', { simple: true })),
        counts: countRows(snapshotDb),
        custody: { actions: snapshot.head.actions, head_seq: snapshot.head.headSeq, head_hash: snapshot.head.headHash },
      };
    } finally {
      snapshotDb.close();
    }
    const tmpTar = join(workDir, 'bundle.tar');
    const written = await writeTar(tmpTar, snapshot.path, manifestBase, mtime, signingKey);
    await pausePoint('export:tar-written');
    fsyncFile(tmpTar);
    renameSync(tmpTar, target);
    fsyncDir(dirname(target));
    return { path: target, ...written, signed: signingKey !== undefined };
  } finally {
    scratch.remove();
    temp.remove();
  }
}

/** The live case's size, database pages plus WAL: an upper bound of its rebuilt copy. */
function liveDbBytes(live: ReadableDb): number {
  const pages = Number(live.pragma('page_count', { simple: true })) * Number(live.pragma('page_size', { simple: true }));
  try {
    return pages + statSync(`${live.name}-wal`).size;
  } catch {
    return pages;
  }
}

async function writeTar(tarPath: string, dbPath: string, base: Omit<BundleManifest, 'members'>, mtime: Date, key: KeyObject | undefined) {
  const tar = new TarWriter(tarPath, mtime);
  try {
    const db = await tar.addFile(BUNDLE_MEMBERS.db, dbPath);
    const manifest: BundleManifest = { ...base, members: [{ name: BUNDLE_MEMBERS.db, size: db.size, sha256: db.sha256 }] };
    const manifestBytes = encodeManifest(manifest);
    const sums: { name: string; sha256: string }[] = [{ name: BUNDLE_MEMBERS.db, sha256: db.sha256 }, { name: BUNDLE_MEMBERS.manifest, sha256: sha256Hex(manifestBytes) }];
    await tar.addBytes(BUNDLE_MEMBERS.manifest, manifestBytes);
    if (key !== undefined) {
      // Ed25519 is deterministic, so a signed re-export is byte-identical too; raw 64 bytes so `openssl pkeyutl -verify -rawin` checks it.
      const signature = sign(null, manifestBytes, key);
      await tar.addBytes(BUNDLE_MEMBERS.signature, signature);
      sums.push({ name: BUNDLE_MEMBERS.signature, sha256: sha256Hex(signature) });
    }
    await tar.addBytes(BUNDLE_MEMBERS.sums, encodeSha256Sums(sums));
    const whole = await tar.finish();
    return { sha256: whole.sha256, size: whole.size, manifest, manifestSha256: sha256Hex(manifestBytes) };
  } finally {
    await tar.close();
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function loadSigningKey(path: string): KeyObject {
  let pem: Buffer;
  try {
    pem = readRegularFile(path, MAX_KEY_FILE_BYTES, { what: 'signing key', nextStep: 'Pass an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519 -out key.pem).' });
  } catch (error) {
    if (error instanceof UnreadableInputError && error.code !== 'INPUT_UNREADABLE') throw error;
    throw new UnreadableInputError('SIGN_KEY_UNREADABLE', `The signing key ${basename(path)} cannot be read.`, 'Pass a readable Ed25519 private key in PEM (openssl genpkey -algorithm ed25519 -out key.pem).', error);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    // The key's bytes are never echoed: the message names the file only.
    throw new UnreadableInputError('SIGN_KEY_INVALID', `${basename(path)} is not a PEM private key.`, 'Create one with: openssl genpkey -algorithm ed25519 -out key.pem', error);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new KustodyError('SIGN_KEY_TYPE', `${basename(path)} is a ${String(key.asymmetricKeyType)} key; bundles are signed with Ed25519.`, { kind: 'usage', nextStep: 'Create one with: openssl genpkey -algorithm ed25519 -out key.pem' });
  }
  return key;
}
