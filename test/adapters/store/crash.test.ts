import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { openReadableDb } from '../../../src/adapters/store/open-store.js';
import { iterateActions } from '../../../src/adapters/store/case-reader.js';
import { verifyChain } from '../../../src/core/custody/chain.js';
import { makeTempDir, newCase } from '../../helpers/cli.js';

const KILLS = Number(process.env.KUSTODY_CRASH_KILLS ?? 200);
const CHILD = new URL('../../helpers/append-notes-child.mjs', import.meta.url).pathname;

/** Starts the appender, waits for its first ack, lets it run a random while, then SIGKILLs it. */
function appendThenKill(caseDir: string, runId: number, acked: Map<number, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, caseDir, String(runId)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let armed = false;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^ack (\d+) (.*)$/.exec(line);
        if (match?.[1] !== undefined && match[2] !== undefined) acked.set(Number(match[1]), match[2]);
      }
      if (!armed) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 40));
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`appender ended on its own (code ${String(code)}): ${stderr}`));
    });
  });
}

test(`SIGKILL at ${KILLS} random points loses no acknowledged note and never breaks the case`, { timeout: 600_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir, 'crash sweep');
  const acked = new Map<number, string>();
  for (let run = 0; run < KILLS; run += 1) {
    await appendThenKill(created.path, run, acked);
    if (run % 50 === 49 || run === KILLS - 1) {
      // The sqlite3 shell is the outside judge of the file's integrity after each batch of crashes.
      const check = execFileSync('sqlite3', [join(created.path, 'evidence.db'), 'PRAGMA integrity_check;'], { encoding: 'utf8' });
      assert.equal(check, 'ok\n', `integrity_check after ${run + 1} kills`);
    }
  }
  const db = openReadableDb(join(created.path, 'evidence.db'));
  try {
    const rows = [...iterateActions(db)];
    const chain = verifyChain(rows);
    assert.deepEqual(chain.breaks, []);
    const stored = new Map(rows.map((r) => [r.seq, (r.detail as { text?: string }).text]));
    assert.ok(acked.size >= KILLS, `only ${acked.size} notes were acknowledged`);
    for (const [seq, text] of acked) assert.equal(stored.get(seq), text, `acknowledged note ${seq} is missing or changed`);
  } finally {
    db.close();
  }
});
