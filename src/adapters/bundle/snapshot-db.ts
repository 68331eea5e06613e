/**
 * Makes the self-contained evidence.db that goes into a bundle: a consistent copy of the live case
 * (VACUUM INTO), without the trailing `export` rows, in rollback-journal mode, integrity-checked and
 * fsynced. The same case content always yields the same bytes, because the final file is always a
 * fresh VACUUM INTO of identical content.
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
export function snapshotCaseDb(live: ReadableDb, workDir: string): { path: string; head: SnapshotHead } {
  const stagePath = join(workDir, 'stage.db');
  const finalPath = join(workDir, 'evidence.db');
  try {
    live.prepare('VACUUM INTO ?').run(stagePath);
    const stage = new Database(stagePath);
    try {
      stage.pragma('journal_mode = DELETE');
      stage.pragma('secure_delete = ON');
      const lastKept = stage.prepare("SELECT coalesce(max(seq), 0) FROM actions WHERE kind <> 'export'").pluck().get();
      stage.prepare('DELETE FROM actions WHERE seq > ?').run(lastKept);
      stage.prepare('VACUUM INTO ?').run(finalPath);
    } finally {
      stage.close();
    }
    rmSync(stagePath);
    const head = finishSnapshot(finalPath);
    fsyncFile(finalPath);
    fsyncDir(workDir);
    return { path: finalPath, head };
  } catch (error) {
    throw translateSqliteError(error, finalPath);
  }
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
