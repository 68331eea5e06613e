// Every hashing thread ends, also when the work it was started for fails before any byte is hashed:
// a thread left running keeps its process alive (a script or test never exits; the review browser
// gains one thread per failed open). Each case runs in its own node process, which must exit by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, REPO_ROOT } from '../../helpers/cli.js';

/** Runs `source` (TypeScript, importing kustody's modules from src/) in a new node process; at most a minute. */
async function runAlone(dir: string, source: string, ...args: string[]) {
  const script = join(dir, 'script.mts');
  writeFileSync(script, source);
  return execa(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, reject: false, timeout: 60_000, stdin: 'ignore' });
}

test('a TarWriter whose file cannot be created ends its hashing thread, so its process exits by itself', async (t) => {
  const { dir, cleanup } = makeTempDir('kustody-hash-thread-');
  t.after(cleanup);
  const taken = join(dir, 'taken.tar');
  writeFileSync(taken, '');
  const run = await runAlone(dir, `
import { TarWriter } from ${JSON.stringify(join(REPO_ROOT, 'src/adapters/bundle/tar-writer.ts'))};
try {
  new TarWriter(process.argv[2]!, new Date(0));
  console.log('created');
} catch (error) {
  console.log('refused', (error as { code?: string }).code);
}
`, taken);
  assert.equal(run.timedOut, false, 'the process was still running after a minute: a hashing thread was left behind');
  assert.equal(run.stdout.trim(), 'refused EEXIST', run.stderr);
  assert.equal(run.exitCode, 0, run.stderr);
});

test('copying a member out of an archive that is gone ends its hashing thread, so its process exits by itself', async (t) => {
  const { dir, cleanup } = makeTempDir('kustody-hash-thread-');
  t.after(cleanup);
  const run = await runAlone(dir, `
import { copyMember } from ${JSON.stringify(join(REPO_ROOT, 'src/adapters/bundle/read-members.ts'))};
try {
  await copyMember(process.argv[2]!, { name: 'evidence.db', size: 4096, dataOffset: 512 }, process.argv[3]!, 'evidence.db');
  console.log('copied');
} catch (error) {
  console.log('refused', (error as { code?: string }).code);
}
`, join(dir, 'gone.tar'), dir);
  assert.equal(run.timedOut, false, 'the process was still running after a minute: a hashing thread was left behind');
  assert.equal(run.stdout.trim(), 'refused ENOENT', run.stderr);
  assert.equal(run.exitCode, 0, run.stderr);
});
