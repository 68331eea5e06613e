// Appends notes to a case in a loop and prints "ack <seq> <text>" after each one is committed.
// The crash test kills this process with SIGKILL at random points. It uses the built dist/ code.
import { join } from 'node:path';
import { openWritableDb } from '../../dist/adapters/store/open-store.js';
import { recordAction } from '../../dist/adapters/store/case-store.js';

const [caseDir, runId] = process.argv.slice(2);
const db = openWritableDb(join(caseDir, 'evidence.db'));
for (let i = 0; ; i += 1) {
  const text = `run ${runId} note ${i}`;
  const row = recordAction(db, { at: new Date().toISOString(), actor: 'crash-test', kind: 'note', target: 'crash', detail: { text }, outcome: 'ok' });
  process.stdout.write(`ack ${row.seq} ${text}\n`);
}
