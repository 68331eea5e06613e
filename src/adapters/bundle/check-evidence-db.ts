/**
 * Checks the private copy of a received evidence.db: header, integrity_check first, then the exact
 * schema (so no trigger or view of the sender's can run), the custody chain and every row digest it
 * commits to (streamed together, constant memory), the manifest's counts and head, and every
 * artifact's SHA-256. It opens the copy read-only with defensive settings.
 */
import Database from 'better-sqlite3';
import { webcrypto } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { BundleManifest } from '../../core/bundle/manifest.js';
import { canonicalJson, type JsonValue } from '../../core/custody/canonical-json.js';
import { verifyChain, type StoredActionRow } from '../../core/custody/chain.js';
import { blobMemoryBudget } from '../system/memory-pressure.js';
import { countRows } from '../store/case-store.js';
import { expectedSchema, readSchema, schemaDifference } from '../store/expected-schema.js';
import { LATEST_SCHEMA_VERSION } from '../store/migrations/index.js';
import { KUSTODY_APPLICATION_ID, type ReadableDb } from '../store/open-store.js';
import { StoredRowsCheck } from './check-stored-rows.js';
import type { VerifyFinding } from './verify-bundle.js';

/** What the database check found, and the facts it read. */
export interface DbCheck {
  findings: VerifyFinding[];
  head: { seq: number; hash: string } | null;
  counts: Record<string, number> | null;
}

/** Checks the evidence.db copy at `path` against the manifest that came with it. */
export async function checkEvidenceDb(path: string, manifest: BundleManifest): Promise<DbCheck> {
  const findings: VerifyFinding[] = [];
  const headerProblem = checkHeader(path);
  if (headerProblem !== null) return { findings: [{ code: 'DB_HEADER', message: headerProblem }], head: null, counts: null };
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return { findings: [{ code: 'DB_UNREADABLE', message: 'evidence.db cannot be opened by SQLite' }], head: null, counts: null };
  }
  try {
    db.pragma('trusted_schema = OFF');
    db.pragma('cell_size_check = ON');
    db.pragma('mmap_size = 0');
    db.pragma('query_only = ON');
    const integrity = db.pragma('integrity_check(20)', { simple: false }) as { integrity_check: string }[];
    const problems = integrity.map((r) => r.integrity_check).filter((m) => m !== 'ok');
    if (problems.length > 0) return { findings: [{ code: 'DB_INTEGRITY', message: `evidence.db fails integrity_check: ${problems.slice(0, 3).join('; ')}` }], head: null, counts: null };
    const structural = checkIdentity(db);
    if (structural !== null) return { findings: [{ code: 'DB_SCHEMA', message: structural }], head: null, counts: null };
    const readable = db as ReadableDb;
    const head = checkChain(readable, manifest, findings);
    const counts = countRows(readable);
    for (const [table, count] of Object.entries(counts)) {
      if (manifest.counts[table] !== count) findings.push({ code: 'DB_COUNT_MISMATCH', message: `evidence.db has ${count} rows in ${table}; manifest.json says ${String(manifest.counts[table])}: rows were added or removed` });
    }
    checkCaseRow(db, manifest, findings);
    await checkArtifacts(db, findings);
    return { findings, head, counts };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    return { findings: [...findings, { code: 'DB_UNREADABLE', message: `evidence.db could not be read to the end (${code})` }], head: null, counts: null };
  } finally {
    db.close();
  }
}

function checkHeader(path: string): string | null {
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (read < 100 || header.toString('latin1', 0, 16) !== 'SQLite format 3\0') return 'evidence.db is not a SQLite database';
  // Bytes 18 and 19 are 1 for rollback-journal files; kustody never exports a WAL-mode file.
  if (header[18] !== 1 || header[19] !== 1) return 'evidence.db is in WAL mode or has an unknown file format version; kustody exports self-contained rollback-journal files';
  return null;
}

function checkIdentity(db: Database.Database): string | null {
  if (Number(db.pragma('application_id', { simple: true })) !== KUSTODY_APPLICATION_ID) return 'evidence.db is not a kustody case database (wrong application_id)';
  const version = Number(db.pragma('user_version', { simple: true }));
  if (!Number.isSafeInteger(version) || version < 1 || version > LATEST_SCHEMA_VERSION) return `evidence.db has schema version ${version}, which this kustody does not know`;
  return schemaDifference(expectedSchema(version), readSchema(db));
}

function checkChain(db: ReadableDb, manifest: BundleManifest, findings: VerifyFinding[]): { seq: number; hash: string } | null {
  const rowsCheck = new StoredRowsCheck(db, findings);
  let last: StoredActionRow | undefined;
  try {
    const chain = verifyChain(walkActions(db, findings, (row) => {
      rowsCheck.onAction(row);
      last = row;
    }), MAX_CHAIN_FINDINGS);
    for (const broken of chain.breaks) findings.push({ code: 'CHAIN_BROKEN', message: `custody log row ${broken.seq}: ${broken.problem}` });
    rowsCheck.finish();
    const head = last as StoredActionRow | undefined;
    if (chain.count !== manifest.custody.actions || (head?.seq ?? 0) !== manifest.custody.head_seq || chain.head !== manifest.custody.head_hash) {
      findings.push({ code: 'CHAIN_HEAD_MISMATCH', message: `the custody log ends at row ${head?.seq ?? 0} with hash ${chain.head.slice(0, 16)}…; manifest.json says row ${manifest.custody.head_seq} with ${manifest.custody.head_hash.slice(0, 16)}…` });
    }
    return head === undefined ? null : { seq: head.seq, hash: head.hash };
  } finally {
    rowsCheck.close();
  }
}

const MAX_CHAIN_FINDINGS = 20;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Streams the custody log one row at a time (text read as bytes and decoded as strict UTF-8), checks
 * each detail is in canonical form, and hands every row to `each` before the chain check sees it.
 */
function* walkActions(db: ReadableDb, findings: VerifyFinding[], each: (row: StoredActionRow) => void): Generator<StoredActionRow> {
  const statement = db.prepare('SELECT seq, CAST(at AS BLOB) AS at, CAST(actor AS BLOB) AS actor, CAST(kind AS BLOB) AS kind, CAST(target AS BLOB) AS target, CAST(detail AS BLOB) AS detail, CAST(outcome AS BLOB) AS outcome, CAST(prev_hash AS BLOB) AS prev_hash, CAST(hash AS BLOB) AS hash FROM actions ORDER BY seq');
  let reported = 0;
  const report = (seq: number, problem: string) => {
    if (reported++ < MAX_CHAIN_FINDINGS) findings.push({ code: 'CHAIN_BROKEN', message: `custody log row ${seq}: ${problem}` });
  };
  for (const raw of statement.iterate() as Iterable<Record<string, unknown>>) {
    const seq = Number(raw.seq);
    const text = (name: string): string => {
      const value = raw[name];
      if (!Buffer.isBuffer(value)) return String(value);
      try {
        return strictUtf8.decode(value);
      } catch {
        report(seq, `${name} holds bytes that are not UTF-8 text: it was edited outside SQLite`);
        return value.toString('latin1');
      }
    };
    const detailText = text('detail');
    let detail: JsonValue;
    try {
      detail = JSON.parse(detailText) as JsonValue;
      if (canonicalJson(detail) !== detailText) report(seq, 'detail is not in the canonical form kustody writes: it was edited');
    } catch {
      report(seq, 'detail is not valid JSON: it was edited');
      detail = { unparseable_detail: detailText.slice(0, 200) };
    }
    const row: StoredActionRow = { seq, at: text('at'), actor: text('actor'), kind: text('kind'), target: text('target'), detail, outcome: text('outcome'), prev_hash: text('prev_hash'), hash: text('hash') };
    each(row);
    yield row;
  }
}

function checkCaseRow(db: Database.Database, manifest: BundleManifest, findings: VerifyFinding[]): void {
  const rows = db.prepare('SELECT id, created_at FROM cases').all() as { id: string; created_at: string }[];
  const row = rows[0];
  if (rows.length !== 1 || row === undefined) findings.push({ code: 'DB_CASE_ROW', message: `evidence.db holds ${rows.length} case records instead of one` });
  else if (row.id !== manifest.case.id || row.created_at !== manifest.case.created_at) findings.push({ code: 'DB_CASE_ROW', message: 'the case id or creation time in evidence.db differs from manifest.json' });
}

/**
 * Hashes every stored artifact's content, one row at a time: content must hash to its sha256 and
 * size, and be present exactly on the first row of each sha256 (later rows point back to it). The
 * other columns are covered by rows_sha256.artifacts of the custody row that stored them.
 * Reading and hashing overlap: each BLOB is hashed on the thread pool (WebCrypto copies it there)
 * while SQLite reads the next one on this thread, so at most two BLOBs are held at a time.
 */
async function checkArtifacts(db: Database.Database, findings: VerifyFinding[]): Promise<void> {
  const earlierWithContent = db.prepare('SELECT 1 FROM artifacts WHERE sha256 = ? AND id < ? AND content IS NOT NULL LIMIT 1').pluck();
  // A scavenge after every 16 MiB: with the BLOB being hashed and the one being read, at most
  // about two artifacts' bytes stay alive instead of the three or four a lazier pace leaves.
  const spent = blobMemoryBudget(16 * 1024 * 1024);
  let reported = 0;
  const report = (message: string) => {
    if (reported++ < 20) findings.push({ code: 'ARTIFACT_MISMATCH', message });
  };
  let hashing: HashingArtifact | null = null;
  for (const row of db.prepare('SELECT id, sha256, size, content FROM artifacts ORDER BY id').iterate() as Iterable<{ id: number; sha256: string; size: number; content: Buffer | null }>) {
    const earlier = earlierWithContent.get(row.sha256, row.id) !== undefined;
    if (row.content !== null) {
      const next: HashingArtifact = { id: row.id, sha256: row.sha256, sizeMatches: row.content.length === Number(row.size), earlier, digest: webcrypto.subtle.digest('SHA-256', row.content) };
      if (hashing !== null) await settleArtifact(hashing, report);
      // Counted once the previous BLOB is hashed: it is garbage now, so the scavenge frees it before
      // the next BLOB is read (counted earlier, it was still alive and lived on until the next one).
      spent(row.content.length);
      hashing = next;
    } else if (!earlier) {
      report(`artifact ${row.id}: no earlier artifact holds the bytes of ${row.sha256.slice(0, 16)}…: content was removed`);
    }
  }
  if (hashing !== null) await settleArtifact(hashing, report);
}

interface HashingArtifact {
  id: number;
  sha256: string;
  sizeMatches: boolean;
  earlier: boolean;
  digest: Promise<ArrayBuffer>;
}

async function settleArtifact(artifact: HashingArtifact, report: (message: string) => void): Promise<void> {
  const actual = Buffer.from(await artifact.digest).toString('hex');
  if (actual !== artifact.sha256 || !artifact.sizeMatches) report(`artifact ${artifact.id}: its content does not hash to its recorded SHA-256: it was changed`);
  else if (artifact.earlier) report(`artifact ${artifact.id}: an earlier artifact already holds the bytes of ${artifact.sha256.slice(0, 16)}…, so kustody stored none here: content was added`);
}
