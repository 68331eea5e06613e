/** Responder notes: one custody row of kind `note`, chained like every other action, with who wrote it. */
import { basename } from 'node:path';
import { readResponderIdentity, utcNow } from '../system/responder-env.js';
import { recordAction, type RecordedAction } from './case-store.js';
import type { WritableDb } from './open-store.js';

/** Appends a note to a case's custody log as the OS user at this host; `caseDir` names the case in the row's target. */
export function recordNote(db: WritableDb, caseDir: string, text: string): RecordedAction {
  const who = readResponderIdentity();
  return recordAction(db, { at: utcNow(), actor: `${who.osUser}@${who.host}`, kind: 'note', target: basename(caseDir), detail: { text }, outcome: 'ok' });
}
