/**
 * Writes a case out as a bundle: a tar of evidence.db, manifest.json, an optional Ed25519
 * manifest.sig and SHA256SUMS, with fixed names, mode 0444, owner 0 and the case's creation time as
 * mtime, so that the same case always gives the same bytes. The tar is written beside its
 * destination, fsynced and renamed into place; its own SHA-256 is computed while it is written.
 */
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { closeSync, constants, createWriteStream, openSync, readSync, renameSync } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { BUNDLE_FORMAT, BUNDLE_MEMBERS, encodeManifest, encodeSha256Sums, type BundleManifest } from '../../core/bundle/manifest.js';
import { KustodyError, UnreadableInputError } from '../../core/errors.js';
import { readCaseMetadata } from '../store/case-reader.js';
import { countRows, fsyncDir } from '../store/case-store.js';
import { openReadableDb, type ReadableDb } from '../store/open-store.js';
import { MAX_KEY_FILE_BYTES, readRegularFile } from '../system/input-path.js';
import { makeOwnedTempDir } from '../system/owned-temp-dir.js';
import { pausePoint } from '../../runner/pause-points.js';
import { fsyncFile, snapshotCaseDb } from './snapshot-db.js';

type TarPack = ReturnType<typeof tar.pack>;
type EntryHeader = Parameters<TarPack['entry']>[0];

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
  try {
    const snapshot = await snapshotCaseDb(live, workDir);
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
    temp.remove();
  }
}

async function writeTar(tarPath: string, dbPath: string, base: Omit<BundleManifest, 'members'>, mtime: Date, key: KeyObject | undefined) {
  const pack = tar.pack();
  const tarHash = createHash('sha256');
  let tarSize = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      tarHash.update(chunk);
      tarSize += chunk.length;
      callback(null, chunk);
    },
  });
  const sink = pipeline(pack, hashing, createWriteStream(tarPath, { flags: 'wx', mode: 0o600 }));
  const header = (name: string, size: number) => ({ name, size, mode: 0o444, mtime, uid: 0, gid: 0, uname: 'kustody', gname: 'kustody', type: 'file' as const });

  const db = await addStreamedMember(pack, header(BUNDLE_MEMBERS.db, await fileSize(dbPath)), dbPath);
  const manifest: BundleManifest = { ...base, members: [{ name: BUNDLE_MEMBERS.db, size: db.size, sha256: db.sha256 }] };
  const manifestBytes = encodeManifest(manifest);
  const sums: { name: string; sha256: string }[] = [{ name: BUNDLE_MEMBERS.db, sha256: db.sha256 }, { name: BUNDLE_MEMBERS.manifest, sha256: sha256Hex(manifestBytes) }];
  await addMember(pack, header(BUNDLE_MEMBERS.manifest, manifestBytes.length), manifestBytes);
  if (key !== undefined) {
    // Ed25519 is deterministic, so a signed re-export is byte-identical too; raw 64 bytes so `openssl pkeyutl -verify -rawin` checks it.
    const signature = sign(null, manifestBytes, key);
    await addMember(pack, header(BUNDLE_MEMBERS.signature, signature.length), signature);
    sums.push({ name: BUNDLE_MEMBERS.signature, sha256: sha256Hex(signature) });
  }
  const sumsBytes = encodeSha256Sums(sums);
  await addMember(pack, header(BUNDLE_MEMBERS.sums, sumsBytes.length), sumsBytes);
  pack.finalize();
  await sink;
  return { sha256: tarHash.digest('hex'), size: tarSize, manifest, manifestSha256: sha256Hex(manifestBytes) };
}

function addMember(pack: TarPack, header: EntryHeader, content: Buffer): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    pack.entry(header, content, (error) => (error ? reject(error) : resolvePromise()));
  });
}

async function addStreamedMember(pack: TarPack, header: EntryHeader, path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const done = deferred();
  const entry = pack.entry(header, (error) => (error ? done.reject(error) : done.resolve()));
  const fd = openSync(path, constants.O_RDONLY);
  try {
    for (;;) {
      // A fresh buffer per chunk: tar-stream keeps a reference until the chunk is written out.
      const chunk = Buffer.allocUnsafe(CHUNK);
      const got = readSync(fd, chunk, 0, CHUNK, size);
      if (got === 0) break;
      const data = chunk.subarray(0, got);
      hash.update(data);
      size += got;
      if (!entry.write(data)) await once(entry, 'drain');
    }
  } finally {
    closeSync(fd);
  }
  // streamx's end() takes an optional final chunk; there is none here.
  entry.end(undefined);
  await done.promise;
  return { size, sha256: hash.digest('hex') };
}

const CHUNK = 4 * 1024 * 1024;

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } {
  let resolveFn!: () => void;
  let rejectFn!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolveFn = res;
    rejectFn = rej;
  });
  return { promise, resolve: resolveFn, reject: rejectFn };
}

async function fileSize(path: string): Promise<number> {
  const { stat } = await import('node:fs/promises');
  return (await stat(path)).size;
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
