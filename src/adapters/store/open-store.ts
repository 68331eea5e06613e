/**
 * Opens case databases with the settings evidence needs: WAL with synchronous=FULL (read back, since
 * this build defaults WAL to NORMAL), secure_delete, foreign keys, and append-only migrations. An
 * existing case must have exactly the schema kustody creates, checked before anything is read or written.
 */
import Database from 'better-sqlite3';
import { accessSync, closeSync, constants, copyFileSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KustodyError, UnreadableInputError } from '../../core/errors.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.js';
import { translateSqliteError } from './sqlite-errors.js';
import { assertExpectedSchema } from './case-guard.js';
import { describeFileType } from '../system/input-path.js';
import { makeOwnedTempDir } from '../system/owned-temp-dir.js';

/** A case database that may only be read. */
export type ReadableDb = Database.Database & { readonly __readableDb: never };
/** A case database that kustody may append to. */
export type WritableDb = ReadableDb & { readonly __writableDb: never };

/** `PRAGMA application_id` of every kustody case file: "KUST" in ASCII. */
export const KUSTODY_APPLICATION_ID = 0x4b555354;

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** Creates a new, empty case database at a path that must not exist yet, with every migration applied. */
export function createDb(path: string): WritableDb {
  // 'wx' refuses to reuse an existing file; 0600 keeps evidence private to the responder.
  const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  closeSync(fd);
  const db = new Database(path, { fileMustExist: true });
  try {
    applyWritablePragmas(db);
    db.pragma(`application_id = ${KUSTODY_APPLICATION_ID}`);
    migrate(db);
    return db as WritableDb;
  } catch (error) {
    db.close();
    throw translateSqliteError(error, path);
  }
}

/** Opens an existing case database for appending, migrating it forward if it is older. */
export function openWritableDb(path: string): WritableDb {
  assertLooksLikeSqlite(path);
  try {
    // Checked first so a read-only case is named as such instead of surfacing as SQLITE_CANTOPEN.
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
  } catch (error) {
    throw translateSqliteError(error, path);
  }
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true });
  } catch (error) {
    throw translateSqliteError(error, path);
  }
  try {
    assertKustodyCase(db, path);
    // Before any write: a foreign trigger would fire on the first row kustody appends.
    assertExpectedSchema(db, path);
    applyWritablePragmas(db);
    migrate(db);
    return db as WritableDb;
  } catch (error) {
    db.close();
    throw translateSqliteError(error, path);
  }
}

/** Opens an existing case database read-only, without writing anything to it. */
export function openReadableDb(path: string): ReadableDb {
  assertLooksLikeSqlite(path);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    // SQLite opens lazily: this first read is where a missing -shm on read-only media shows up.
    db.pragma('application_id', { simple: true });
  } catch (error) {
    // A WAL case on read-only media cannot get its -shm file: read a private copy instead.
    if ((error as { code?: string }).code !== 'SQLITE_CANTOPEN') throw translateSqliteError(error, path);
    db = openPrivateCopy(path);
  }
  try {
    assertKustodyCase(db, path);
    assertExpectedSchema(db, path);
    db.pragma('query_only = ON');
    return db as ReadableDb;
  } catch (error) {
    db.close();
    throw translateSqliteError(error, path);
  }
}

/** Copies evidence.db (and its -wal, which holds committed rows) into a 0700 temporary folder and opens the copy read-only. */
function openPrivateCopy(path: string): Database.Database {
  // Kept while the database is open (until exit); removed then, or on SIGINT/SIGTERM/SIGHUP.
  const dir = makeOwnedTempDir('kustody-readonly-').path;
  try {
    copyFileSync(path, join(dir, 'evidence.db'));
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, join(dir, 'evidence.db-wal'));
    return new Database(join(dir, 'evidence.db'), { readonly: true, fileMustExist: true });
  } catch (error) {
    throw translateSqliteError(error, path);
  }
}

function applyWritablePragmas(db: Database.Database): void {
  db.pragma('busy_timeout = 5000');
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (String(mode).toLowerCase() !== 'wal') {
    throw new KustodyError('CASE_STORAGE', `SQLite refused WAL mode for the case (got ${String(mode)}).`, {
      nextStep: 'Keep cases on a local disk; network and some FUSE file systems cannot hold them.',
    });
  }
  db.pragma('synchronous = FULL');
  const sync = Number(db.pragma('synchronous', { simple: true }));
  // 2 is FULL; anything less could lose an acknowledged row on power loss.
  if (sync !== 2) throw new KustodyError('CASE_STORAGE', `SQLite kept synchronous=${sync} instead of FULL.`);
  db.pragma('secure_delete = ON');
  db.pragma('foreign_keys = ON');
  db.pragma('trusted_schema = OFF');
}

function migrate(db: Database.Database): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > LATEST_SCHEMA_VERSION) {
    throw new KustodyError('CASE_TOO_NEW', `This case has schema version ${current}; this kustody knows up to ${LATEST_SCHEMA_VERSION}.`, {
      nextStep: 'Open it with a newer kustody.',
    });
  }
  for (const migration of MIGRATIONS) {
    if (migration.id <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.id}`);
    }).immediate();
  }
}

function assertKustodyCase(db: Database.Database, path: string): void {
  const appId = Number(db.pragma('application_id', { simple: true }));
  if (appId !== KUSTODY_APPLICATION_ID) {
    throw new UnreadableInputError('NOT_A_CASE', `${path} is a SQLite database but not a kustody case.`, 'Pass the case directory that `kustody case new` printed.');
  }
}

/** Reads the first 16 bytes so a non-SQLite file is refused before SQLite touches it. */
function assertLooksLikeSqlite(path: string): void {
  let fd: number;
  try {
    // Non-blocking, so a FIFO planted as evidence.db is refused below instead of waiting for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw translateSqliteError(error, path);
  }
  try {
    if (!fstatSync(fd).isFile()) {
      throw new UnreadableInputError('NOT_A_CASE', `${path} is ${describeFileType(fstatSync(fd))}, not a regular file.`, 'Pass the case directory that `kustody case new` printed.');
    }
    const header = Buffer.alloc(16);
    const read = readSync(fd, header, 0, 16, 0);
    if (read < 16 || !header.equals(SQLITE_MAGIC)) {
      throw new UnreadableInputError('NOT_A_CASE', `${path} is not a SQLite database, so it is not a kustody case.`, 'Pass the case directory that `kustody case new` printed.');
    }
  } finally {
    closeSync(fd);
  }
}
