/**
 * The case: a private directory holding `evidence.db` and `case.key` (the per-case fingerprint key,
 * which never travels in a bundle). Every write goes through `recordAction`, one synchronous
 * transaction that stores the data and the custody row describing it together.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { GENESIS_HASH, hashActionRow, type ActionRow } from '../../core/custody/chain.js';
import { canonicalJson, type JsonValue } from '../../core/custody/canonical-json.js';
import { KustodyError, UnreadableInputError } from '../../core/errors.js';
import { assertCasePrivate } from './case-guard.js';
import { createDb, type ReadableDb, type WritableDb } from './open-store.js';
import { translateSqliteError } from './sqlite-errors.js';
import { describeFileType } from '../system/input-path.js';
import { makeDirs } from '../system/make-dirs.js';
import { digestInserted, rowidMarks } from './stored-rows.js';
import type { DigestedTable } from '../../core/evidence/table-coverage.js';

/** File name of the case database inside a case directory. */
export const CASE_DB_FILE = 'evidence.db';
/** File name of the per-case HMAC key inside a case directory. */
export const CASE_KEY_FILE = 'case.key';

/** What the responder supplies when opening a case. */
export interface NewCaseInput {
  parentDir: string;
  title: string;
  host: string;
  osUser: string;
  now: string;
  toolName: string;
  toolVersion: string;
}

/** One custody log entry to append. */
export interface ActionInput {
  at: string;
  actor: string;
  kind: string;
  target: string;
  detail: JsonValue;
  outcome: string;
}

/** Raw evidence bytes, already hashed while they were read. */
export interface ArtifactInput {
  sha256: string;
  size: number;
  mediaType: string;
  source: string;
  vantage: string;
  collectedAt: string;
  captureId?: string;
  truncated?: boolean;
  error?: string;
  content: Uint8Array;
  /** When `content` is a redacted copy: the hash and size of the bytes as received, and how many values were replaced. */
  received?: { sha256: string; size: number; redactions: number };
}

/** The stored custody row, hash included. */
export interface RecordedAction extends ActionRow {
  hash: string;
}

/** Makes a case id that sorts by creation time and cannot collide in practice. */
export function newCaseId(now: string): string {
  const stamp = now.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `case-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Creates a new case directory (0700) with its database and key, and records the opening action. */
export function createCase(input: NewCaseInput): { id: string; path: string; db: WritableDb } {
  const id = newCaseId(input.now);
  const parent = resolve(input.parentDir);
  const path = join(parent, id);
  try {
    makeDirs(parent, 'cases');
    mkdirSync(path, { mode: 0o700 });
    writeNewFile(join(path, CASE_KEY_FILE), randomBytes(32));
  } catch (error) {
    throw translateSqliteError(error, path);
  }
  const db = createDb(join(path, CASE_DB_FILE));
  try {
    const sqliteVersion = String(db.prepare('SELECT sqlite_version()').pluck().get());
    const clockNote = 'responder clock (UTC, not yet compared with a reference clock)';
    recordAction(db, {
      at: input.now,
      actor: `${input.osUser}@${input.host}`,
      kind: 'case-open',
      target: id,
      detail: { title: input.title, tool: `${input.toolName} ${input.toolVersion}`, sqlite_version: sqliteVersion, host: input.host, os_user: input.osUser },
      outcome: 'ok',
    }, () => {
      db.prepare(`INSERT INTO cases (id, title, created_at, tool_name, tool_version, sqlite_version, host, os_user, clock_note)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(id, input.title, input.now, input.toolName, input.toolVersion, sqliteVersion, input.host, input.osUser, clockNote);
    });
    fsyncDir(path);
    fsyncDir(parent);
    return { id, path, db };
  } catch (error) {
    db.close();
    throw translateSqliteError(error, path);
  }
}

/** Rows a writer inserted into one table and digested from the values it bound, so they need not be read back. */
export interface InsertedRows {
  table: DigestedTable;
  count: number;
  sha256: string;
}

/**
 * Appends one custody row and, in the same immediate transaction, whatever data it describes
 * (artifacts, and any rows `writeData` inserts). Either all of it is stored or none of it.
 * `writeData` may return the digest of the rows it inserted (one table); it is taken only when the
 * tables' rowids show exactly that many new rows there and none elsewhere, else the rows are read back.
 */
export function recordAction(db: WritableDb, action: ActionInput, writeData?: (seq: number) => InsertedRows | void, artifacts: readonly ArtifactInput[] = []): RecordedAction {
  const insertAction = db.prepare(`INSERT INTO actions (seq, at, actor, kind, target, detail, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const lastRow = db.prepare('SELECT seq, hash FROM actions ORDER BY seq DESC LIMIT 1');
  const knownContent = db.prepare('SELECT 1 FROM artifacts WHERE sha256 = ? AND content IS NOT NULL LIMIT 1').pluck();
  const insertArtifact = db.prepare(`INSERT INTO artifacts (sha256, size, media_type, source, vantage, collected_at, capture_id, truncated, error, action_seq, content)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const listed = artifacts.length === 0 ? action.detail : withArtifactList(action.detail, artifacts);
  const run = db.transaction((): RecordedAction => {
    const last = lastRow.get() as { seq: number | bigint; hash: string } | undefined;
    const seq = last === undefined ? 1 : Number(last.seq) + 1;
    // The data goes in first so the custody row can carry the digest of the rows as stored; artifacts
    // reference this row, so their foreign key is checked at commit.
    db.pragma('defer_foreign_keys = ON');
    const marks = rowidMarks(db);
    for (const artifact of artifacts) {
      // Content-addressed: the bytes are stored once; later sightings of the same sha256 keep content NULL.
      const content = knownContent.get(artifact.sha256) === undefined ? Buffer.from(artifact.content) : null;
      insertArtifact.run(artifact.sha256, artifact.size, artifact.mediaType, artifact.source, artifact.vantage, artifact.collectedAt,
        artifact.captureId ?? null, artifact.truncated === true ? 1 : 0, artifact.error ?? null, seq, content);
    }
    const claimed = writeData?.(seq);
    const detail = withStoredRows(listed, claimed === undefined ? digestInserted(db, marks) : vouchedRows(db, marks, claimed));
    const row: ActionRow = { seq, at: action.at, actor: action.actor, kind: action.kind, target: action.target, detail, outcome: action.outcome, prev_hash: last?.hash ?? GENESIS_HASH };
    const hash = hashActionRow(row);
    insertAction.run(seq, row.at, row.actor, row.kind, row.target, canonicalJson(row.detail), row.outcome, row.prev_hash, hash);
    return { ...row, hash };
  });
  try {
    return run.immediate();
  } catch (error) {
    throw translateSqliteError(error, db.name);
  }
}

/** The writer's own digest when the rowids agree with its count (rowids grow by one per insert); else the stored rows' digest. */
function vouchedRows(db: WritableDb, marks: Map<DigestedTable, bigint>, claimed: InsertedRows): { rows: Record<string, number>; rows_sha256: Record<string, string> } {
  const now = rowidMarks(db);
  const agrees = [...marks].every(([table, mark]) => (now.get(table) ?? 0n) - mark === (table === claimed.table ? BigInt(claimed.count) : 0n));
  if (!agrees || claimed.count === 0) return digestInserted(db, marks);
  return { rows: { [claimed.table]: claimed.count }, rows_sha256: { [claimed.table]: claimed.sha256 } };
}

/** Adds `rows` and `rows_sha256` (count and row digest per table the transaction inserted into) to the detail. */
function withStoredRows(detail: JsonValue, stored: { rows: Record<string, number>; rows_sha256: Record<string, string> }): JsonValue {
  if (Object.keys(stored.rows).length === 0) return detail;
  if (detail !== null && typeof detail === 'object' && !Array.isArray(detail)) return { ...detail, ...stored };
  return { value: detail, ...stored };
}

function withArtifactList(detail: JsonValue, artifacts: readonly ArtifactInput[]): JsonValue {
  const list = artifacts.map((a): JsonValue => {
    const entry = { sha256: a.sha256, size: a.size, source: a.source };
    return a.received === undefined ? entry : { ...entry, received_sha256: a.received.sha256, received_size: a.received.size, redactions: a.received.redactions };
  });
  if (detail !== null && typeof detail === 'object' && !Array.isArray(detail)) return { ...detail, artifacts: list };
  return { value: detail, artifacts: list };
}

/** Resolves what the user typed as CASE (a case directory, its evidence.db, or a bare case id) to the case directory, refusing one that is not private. */
export function resolveCaseDir(argument: string, defaultParent: string): string {
  const candidates = [resolve(argument)];
  if (!argument.includes('/')) candidates.push(resolve(defaultParent, argument));
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const stat = statSync(candidate);
    const dir = stat.isDirectory() && existsSync(join(candidate, CASE_DB_FILE)) ? candidate : stat.isFile() && basename(candidate) === CASE_DB_FILE ? dirname(candidate) : null;
    if (!stat.isDirectory() && !stat.isFile()) throw new UnreadableInputError('CASE_NOT_FOUND', `${argument} is ${describeFileType(stat)}, not a case folder.`, 'Pass the case directory printed by `kustody case new` (it holds evidence.db).');
    if (dir === null) continue;
    assertCasePrivate(dir, CASE_KEY_FILE);
    return dir;
  }
  throw new UnreadableInputError('CASE_NOT_FOUND', `No case found at ${argument}.`, 'Pass the case directory printed by `kustody case new` (it holds evidence.db).');
}

/** Reads the per-case fingerprint key; it exists only beside the case, never in a bundle. */
export function readCaseKey(caseDir: string): Buffer {
  assertCasePrivate(caseDir, CASE_KEY_FILE);
  let key: Buffer;
  // O_NOFOLLOW: a link swapped in after the check above is refused, not followed.
  const fd = openSync(join(caseDir, CASE_KEY_FILE), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new KustodyError('CASE_KEY', `The case key in ${caseDir} is not a regular file.`, { nextStep: 'Restore case.key from your backup of the case directory.' });
    key = readFileSync(fd);
  } finally {
    closeSync(fd);
  }
  if (key.length !== 32) throw new KustodyError('CASE_KEY', `The case key in ${caseDir} is damaged.`, { nextStep: 'Restore case.key from your backup of the case directory.' });
  return key;
}

/** Counts of rows per evidence table, for summaries and manifests. */
export function countRows(db: ReadableDb): Record<string, number> {
  const counts: Record<string, number> = {};
  const present = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  for (const table of EVIDENCE_TABLES) {
    if (!present.has(table)) continue;
    counts[table] = Number(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
  }
  return counts;
}

/** The tables a case summary and a bundle manifest count, in a fixed order. */
export const EVIDENCE_TABLES = ['actions', 'artifacts', 'captures', 'processes', 'connections', 'mounts', 'credentials', 'k8s_objects', 'capture_warnings', 'audit_events'] as const;

function writeNewFile(path: string, content: Uint8Array): void {
  const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a directory entry so a crash cannot lose a file just created in it. */
export function fsyncDir(path: string): void {
  const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
