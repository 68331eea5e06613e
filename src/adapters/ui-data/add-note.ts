/**
 * Adds a responder note from the browser to a live case folder: the same custody row `kustody case
 * note` writes (kind note, the OS user at this host, the text in its detail), returned in the shape
 * the browser lists. Bundles are never written: the caller only has a case folder to pass here.
 */
import { join } from 'node:path';
import { canonicalJson } from '../../core/custody/canonical-json.js';
import type { CustodyRecord } from '../../core/ui/evidence-records.js';
import { recordNote } from '../store/case-notes.js';
import { CASE_DB_FILE } from '../store/case-store.js';
import { openWritableDb } from '../store/open-store.js';

/** Records `text` as a note in the case at `caseDir` and returns its custody row. */
export function addCaseNote(caseDir: string, text: string): CustodyRecord {
  const db = openWritableDb(join(caseDir, CASE_DB_FILE));
  try {
    const row = recordNote(db, caseDir, text);
    return { seq: row.seq, at: row.at, actor: row.actor, kind: row.kind, target: row.target, outcome: row.outcome, detail: canonicalJson(row.detail), hash: row.hash };
  } finally {
    db.close();
  }
}
