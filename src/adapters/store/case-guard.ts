/**
 * The defences a live case gets before kustody reads or writes it, the same a received bundle gets:
 * a private folder and key (no one else can read the key or append rows), a key that is a regular
 * file and not a link, and a database whose schema is exactly the one kustody creates (no foreign
 * trigger, view, table or index can run or hide rows).
 */
import type Database from 'better-sqlite3';
import { lstatSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { KustodyError } from '../../core/errors.js';
import { shellQuote } from '../../core/revoke/planned-command.js';
import { DEFERRABLE_INDEX_NAMES } from './audit-indexes.js';
import { expectedSchema, readSchema, schemaDifference, type SchemaObject } from './expected-schema.js';
import { LATEST_SCHEMA_VERSION } from './migrations/index.js';

/** Permission bits that let the group or others read, write or enter. */
const SHARED_BITS = 0o077;

/** Refuses a case folder, or a case.key, that others may use, or a case.key that is a link; names the command that fixes it. */
export function assertCasePrivate(caseDir: string, keyFile: string): void {
  const folder = statOrNull(caseDir);
  if (folder !== null && (folder.mode & SHARED_BITS) !== 0) {
    throw new KustodyError('CASE_NOT_PRIVATE', `The case folder ${caseDir} is open to other users (mode ${modeText(folder)}): they could read case.key or append custody rows.`, {
      nextStep: `Run: chmod 700 ${shellQuote(caseDir)}  (then check that nothing in the folder was changed: kustody case show)`,
    });
  }
  const keyPath = join(caseDir, keyFile);
  const key = statOrNull(keyPath);
  if (key === null) return;
  if (key.isSymbolicLink()) {
    throw new KustodyError('CASE_KEY_LINK', `${keyPath} is a symbolic link, not the case's own key file: whoever controls its target controls the case's fingerprints.`, {
      nextStep: `Replace the link with your backup of the key: cp --remove-destination BACKUP/case.key ${shellQuote(keyPath)} && chmod 600 ${shellQuote(keyPath)}`,
    });
  }
  if (!key.isFile()) {
    throw new KustodyError('CASE_KEY', `${keyPath} is not a regular file.`, { nextStep: 'Restore case.key from your backup of the case folder.' });
  }
  if ((key.mode & SHARED_BITS) !== 0) {
    throw new KustodyError('CASE_NOT_PRIVATE', `${keyPath} is readable or writable by other users (mode ${modeText(key)}): with it anyone can match fingerprints to guessed secrets.`, {
      nextStep: `Run: chmod 600 ${shellQuote(keyPath)}  (treat the fingerprints of this case as exposed to the users who could read it)`,
    });
  }
}

const expectedByVersion = new Map<number, SchemaObject[]>();

/**
 * Refuses a case database whose schema differs in any object from what kustody's migrations create
 * for its version. The one difference accepted is the absence of audit lookup indexes an ingest
 * stopped before rebuilding (audit-indexes.ts): a missing index runs nothing and hides no row.
 */
export function assertExpectedSchema(db: Database.Database, path: string): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new KustodyError('CASE_SCHEMA_CHANGED', `${path} has schema version ${version}; kustody never creates that.`, { nextStep: 'Keep the file for examination and open a new case.' });
  }
  if (version > LATEST_SCHEMA_VERSION) {
    throw new KustodyError('CASE_TOO_NEW', `This case has schema version ${version}; this kustody knows up to ${LATEST_SCHEMA_VERSION}.`, { nextStep: 'Open it with a newer kustody.' });
  }
  let expected = expectedByVersion.get(version);
  if (expected === undefined) {
    expected = expectedSchema(version);
    expectedByVersion.set(version, expected);
  }
  const actual = readSchema(db);
  const present = new Set(actual.map((o) => `${o.type} ${o.name}`));
  const required = expected.filter((o) => !(o.type === 'index' && DEFERRABLE_INDEX_NAMES.has(o.name) && !present.has(`index ${o.name}`)));
  let difference = schemaDifference(required, actual);
  if (difference === null) return;
  const known = new Set(expected.map((o) => `${o.type} ${o.name}`));
  const foreign = actual.filter((o) => !known.has(`${o.type} ${o.name}`)).map((o) => `${o.type} "${o.name.slice(0, 80)}"`);
  if (foreign.length > 1) difference += ` (all it holds that kustody never creates: ${foreign.slice(0, 10).join(', ')}${foreign.length > 10 ? ', …' : ''})`;
  throw new KustodyError('CASE_SCHEMA_CHANGED', `Refusing to open ${path}: ${difference}. Something other than kustody changed the case database, and its code could run on every write.`, {
    nextStep: `Keep the case folder unchanged for examination (see what differs with: sqlite3 -readonly ${shellQuote(path)} .schema); continue in a new case or from a verified bundle.`,
  });
}

function statOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
}

function modeText(stat: Stats): string {
  return `0${(stat.mode & 0o777).toString(8)}`;
}
