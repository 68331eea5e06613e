/**
 * Makes the self-contained evidence.db that goes into a bundle: a consistent copy of the live case
 * (VACUUM INTO), without the trailing `export` rows, in rollback-journal mode, integrity-checked and
 * fsynced. The same case content always yields the same bytes (a test exports an unchanged case
 * twice and compares the tars).
 */
import Database from 'better-sqlite3';
import { closeSync, constants, fsyncSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KustodyError } from '../../core/errors.js';
import type { ReadableDb } from '../store/open-store.js';
import { fsyncDir } from '../store/case-store.js';
import { translateSqliteError } from '../store/sqlite-errors.js';

/** The custody head of the snapshot: the last row a bundle contains. */
export interface SnapshotHead {
  actions: number;
  headSeq: number;
  headHash: string;
}

/**
 * Writes the bundle copy of a case into `workDir/evidence.db` and returns its custody head.
 * Trailing `export` rows are left out so that exporting an unchanged case twice gives identical bytes.
 */
export async function snapshotCaseDb(live: ReadableDb, workDir: string): Promise<{ path: string; head: SnapshotHead }> {
  const stagePath = join(workDir, 'stage.db');
  const finalPath = join(workDir, 'evidence.db');
  try {
    const trailingExports = Number(live.prepare(`SELECT count(*) FROM actions WHERE seq > (${LAST_KEPT_SEQ})`).pluck().get());
    if (trailingExports === 0) {
      live.prepare('VACUUM INTO ?').run(finalPath);
    } else {
      // Drop the trailing export rows in a private page-for-page backup, then VACUUM INTO as above.
      // The backup resets the schema cookie, which VACUUM INTO carries over (+1); restoring the live
      // value makes the bytes equal to an export taken before those rows. Safe: nobody else has this file.
      const cookie = Number(live.pragma('schema_version', { simple: true }));
      await live.backup(stagePath);
      const stage = new Database(stagePath);
      try {
        stage.unsafeMode(true);
        stage.pragma(`schema_version = ${cookie}`);
        stage.unsafeMode(false);
        stage.prepare(`DELETE FROM actions WHERE seq > (${LAST_KEPT_SEQ})`).run();
        stage.prepare('VACUUM INTO ?').run(finalPath);
      } finally {
        stage.close();
      }
      rmSync(stagePath, { force: true });
      rmSync(`${stagePath}-wal`, { force: true });
      rmSync(`${stagePath}-shm`, { force: true });
    }
    const head = finishSnapshot(finalPath);
    fsyncFile(finalPath);
    fsyncDir(workDir);
    return { path: finalPath, head };
  } catch (error) {
    throw translateSqliteError(error, finalPath);
  }
}

const LAST_KEPT_SEQ = "SELECT coalesce(max(seq), 0) FROM actions WHERE kind <> 'export'";

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
