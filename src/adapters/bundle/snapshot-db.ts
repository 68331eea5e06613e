/**
 * Makes the self-contained evidence.db that goes into a bundle: a canonical rebuild of the live case
 * in one pass and one transaction, without the trailing `export` rows, in rollback-journal mode,
 * integrity-checked.
 *
 * Why a rebuild and not a page copy: SQLite pages keep bytes of cells that were moved or deleted
 * (balancing leaves stale cell bytes in free space unless secure_delete is on), so a copy's bytes
 * depend on the history of the file, not only on its rows. The rebuild writes a fresh file with
 * secure_delete on, the schema statements in their stored order, every table's rows in rowid order,
 * then the indexes, so the same rows always give the same bytes: re-exporting an unchanged case is
 * byte-identical whatever happened in between (checkpoints, freed pages, earlier exports).
 */
import Database from 'better-sqlite3';
import { closeSync, constants, fsyncSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { KustodyError } from '../../core/errors.js';
import { AUDIT_LOOKUP_INDEXES } from '../store/migrations/0003-audit-events.js';
import type { ReadableDb } from '../store/open-store.js';
import { translateSqliteError } from '../store/sqlite-errors.js';

/** The custody head of the snapshot: the last row a bundle contains. */
export interface SnapshotHead {
  actions: number;
  headSeq: number;
  headHash: string;
}

interface SchemaRow {
  type: string;
  name: string;
  sql: string;
}

/**
 * Writes the bundle copy of a case into `workDir/evidence.db` and returns its custody head.
 * Trailing `export` rows are left out so that exporting an unchanged case twice gives identical bytes.
 */
export async function snapshotCaseDb(live: ReadableDb, workDir: string): Promise<{ path: string; head: SnapshotHead }> {
  const finalPath = join(workDir, 'evidence.db');
  try {
    rebuildInto(live, finalPath);
    // Not fsynced: it is a private work file, read back from the page cache; the tar made from it is fsynced.
    const head = finishSnapshot(finalPath);
    return { path: finalPath, head };
  } catch (error) {
    throw translateSqliteError(error, finalPath);
  }
}

/** Rebuilds the live case into a new file at `path`, reading it through its own read transaction. */
function rebuildInto(live: ReadableDb, path: string): void {
  const snap = new Database(path);
  try {
    snap.pragma('trusted_schema = OFF');
    snap.pragma(`page_size = ${Number(live.pragma('page_size', { simple: true }))}`);
    snap.pragma('secure_delete = ON');
    // A private work file: no journal and no syncs; a crash leaves only the work folder behind.
    snap.pragma('journal_mode = OFF');
    snap.pragma('synchronous = OFF');
    snap.prepare('ATTACH DATABASE ? AS live').run(live.name);
    snap.transaction(() => {
      const schema = snap.prepare("SELECT type, name, sql FROM live.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid").all() as SchemaRow[];
      const tables = schema.filter((o) => o.type === 'table');
      for (const table of tables) snap.exec(table.sql);
      for (const table of tables) {
        const name = quoteIdentifier(table.name);
        const keep = table.name === 'actions' ? ` WHERE seq <= (${LAST_KEPT_SEQ})` : '';
        snap.exec(`INSERT INTO main.${name} SELECT * FROM live.${name}${keep} ORDER BY rowid`);
      }
      // Indexes, then anything else the case holds (a view or trigger kustody never makes is carried
      // over so that verify names it, rather than silently dropped).
      for (const object of schema) if (object.type === 'index') snap.exec(object.sql);
      // Lookup indexes an interrupted ingest left unbuilt (audit-indexes.ts): a bundle always has the full schema.
      const names = new Set(schema.map((object) => object.name));
      if (names.has('audit_events')) for (const index of AUDIT_LOOKUP_INDEXES) if (!names.has(index.name)) snap.exec(index.sql);
      for (const object of schema) if (object.type !== 'table' && object.type !== 'index') snap.exec(object.sql);
      for (const pragma of ['user_version', 'application_id']) snap.pragma(`main.${pragma} = ${Number(snap.pragma(`live.${pragma}`, { simple: true }))}`);
    }).immediate();
    snap.exec('DETACH DATABASE live');
  } finally {
    snap.close();
  }
}

const LAST_KEPT_SEQ = "SELECT coalesce(max(seq), 0) FROM live.actions WHERE kind <> 'export'";

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function finishSnapshot(path: string): SnapshotHead {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = DELETE');
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new KustodyError('EXPORT_INTEGRITY', `The exported copy of the case failed integrity_check: ${String(check)}.`, { nextStep: 'Run `kustody case show` on the case and keep it for examination.' });
    const head = db.prepare('SELECT count(*) AS actions, coalesce(max(seq), 0) AS headSeq, (SELECT hash FROM actions ORDER BY seq DESC LIMIT 1) AS headHash FROM actions').get() as { actions: number; headSeq: number; headHash: string | null };
    return { actions: Number(head.actions), headSeq: Number(head.headSeq), headHash: head.headHash ?? '0'.repeat(64) };
  } finally {
    db.close();
  }
}

/** fsyncs a file's data and metadata. */
export function fsyncFile(path: string): void {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
