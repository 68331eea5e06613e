// Temporary copies of evidence do not outlive an interrupted or failed verify, review or export:
// SIGINT and SIGTERM while a 1 GiB bundle is half copied leave nothing in TMPDIR (pointed at a private
// folder), and the process still ends as killed by the signal. The run is held at an exact place by
// the test harness's pause hook, so the signal always lands while the copy exists.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { chooseScratchParent } from '../../../src/adapters/system/scratch-dir.js';
import { execa } from 'execa';
import { createCase, recordAction } from '../../../src/adapters/store/case-store.js';
import { openWritableDb } from '../../../src/adapters/store/open-store.js';
import { exportCase } from '../../../src/runner/run-export.js';
import { REPO_ROOT, makeTempDir, runKustody } from '../../helpers/cli.js';
import { makeCaseWithEvidence, tarLayout } from '../../helpers/bundle-fixtures.js';

const PAUSABLE = join(REPO_ROOT, 'test', 'helpers', 'pausable-kustody.mjs');
const BUNDLE_MIB = Number(process.env.KUSTODY_INTERRUPT_MIB ?? 1024);
const CHUNK_MIB = 16;

let root: { dir: string; cleanup: () => void };
let bundle: string;
let casePath: string;

before(async () => {
  root = makeTempDir('kustody-interrupt-');
  const created = createCase({ parentDir: join(root.dir, 'cases'), title: 'large', host: 'test-host', osUser: 'tester', now: '2026-11-27T04:00:00.000Z', toolName: 'kustody', toolVersion: '0.0.0-test' });
  created.db.pragma('synchronous = OFF'); // building the fixture only
  const at = '2026-11-27T04:00:01.000Z';
  for (let i = 0; i < BUNDLE_MIB / CHUNK_MIB; i += 1) {
    const content = randomBytes(CHUNK_MIB * 1024 * 1024);
    const sha256 = createHash('sha256').update(content).digest('hex');
    recordAction(created.db, { at, actor: 'tester@test-host', kind: 'observe', target: `blob ${i}`, detail: { i }, outcome: 'ok' }, undefined, [
      { sha256, size: content.length, mediaType: 'application/octet-stream', source: `test/${i}`, vantage: 'local', collectedAt: at, content },
    ]);
  }
  created.db.close();
  casePath = created.path;
  bundle = join(root.dir, 'large.tar');
  const db = openWritableDb(join(casePath, 'evidence.db'));
  try {
    await exportCase(db, bundle, undefined, 'tester@test-host');
  } finally {
    db.close();
  }
});

after(() => root.cleanup());

/** Runs kustody held at `point`, checks the temporary copy exists there, sends `signal`, and returns how it ended. */
async function interruptAt(args: string[], point: string, signal: 'SIGINT' | 'SIGTERM', tmp: string) {
  const child = execa(process.execPath, [PAUSABLE, ...args], { reject: false, stdin: 'ignore', env: { TMPDIR: tmp, KUSTODY_TEST_PAUSE: point }, timeout: 300_000 });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (stderr.includes(`KUSTODY_TEST_PAUSED ${point}`)) resolve();
    });
    child.once('exit', () => reject(new Error(`kustody ended before reaching ${point}: ${stderr}`)));
  });
  const held = bytesUnder(tmp) + bytesUnder(root.dir, (name) => name.startsWith('.kustody-export-'));
  child.kill(signal);
  const result = await child;
  return { held, result };
}

function bytesUnder(dir: string, keep: (name: string) => boolean = () => true): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && keep(join(entry.parentPath, entry.name).slice(dir.length + 1))) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

function privateTmp(name: string): string {
  const tmp = join(root.dir, name);
  mkdirSync(tmp, { mode: 0o700 });
  return tmp;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} while verify has half copied a ${BUNDLE_MIB} MiB bundle's evidence.db removes the copy and ends the process by ${signal}`, async () => {
    const tmp = privateTmp(`tmp-verify-${signal}`);
    const { held, result } = await interruptAt(['bundle', 'verify', bundle], 'copy-member:evidence.db:half', signal, tmp);
    assert.ok(held >= (BUNDLE_MIB / 2) * 1024 * 1024, `only ${held} bytes were in TMPDIR when the signal was sent`);
    assert.equal(result.signal, signal, `verify ended with ${String(result.exitCode)} / ${String(result.signal)}: ${result.stderr}`);
    assert.equal(result.stdout, '', 'verify printed a verdict although it was interrupted');
    assert.deepEqual(readdirSync(tmp), [], 'a temporary copy was left in TMPDIR');
  });
}

/** Runs kustody without TMPDIR, held at `point`; returns the child and the files it has open there. */
async function pausedWithoutTmpdir(args: string[], point: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'TMPDIR'));
  const child = execa(process.execPath, [PAUSABLE, ...args], { reject: false, stdin: 'ignore', extendEnv: false, env: { ...env, KUSTODY_TEST_PAUSE: point }, timeout: 300_000 });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (stderr.includes(`KUSTODY_TEST_PAUSED ${point}`)) resolve();
    });
    child.once('exit', () => reject(new Error(`kustody ended before reaching ${point}: ${stderr}`)));
  });
  // Read from the kernel's list of the paused process's open files.
  const fdDir = `/proc/${String(child.pid)}/fd`;
  return { child, open: readdirSync(fdDir).map((fd) => readlinkOrEmpty(join(fdDir, fd))) };
}

function readlinkOrEmpty(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function expectedTmpfs(bytes: number): string {
  const expected = chooseScratchParent(bytes, { env: {} });
  assert.ok(expected.inMemory, `this test needs a tmpfs with room for a ${BUNDLE_MIB} MiB copy (twice that free in /dev/shm and in memory): ${expected.reason}`);
  return expected.parent;
}

test('without TMPDIR, verify copies evidence.db into the tmpfs chooseScratchParent picks, and SIGTERM there removes the copy', async () => {
  const dbMember = tarLayout(readFileSync(bundle).subarray(0, 1024)).find((m) => m.name === 'evidence.db');
  assert.ok(dbMember !== undefined);
  const parent = expectedTmpfs(dbMember.size);
  const { child, open } = await pausedWithoutTmpdir(['bundle', 'verify', bundle], 'copy-member:evidence.db:half');
  const copy = open.find((target) => target.endsWith('/evidence.db') && dirname(dirname(target)) === parent && basename(dirname(target)).startsWith('kustody-verify-'));
  assert.ok(copy !== undefined, `no open copy in ${parent}: ${open.join(', ')}`);
  assert.ok(statSync(copy).size >= (BUNDLE_MIB / 2) * 1024 * 1024, 'the copy was not half written when the signal was sent');
  child.kill('SIGTERM');
  const result = await child;
  assert.equal(result.signal, 'SIGTERM', result.stderr);
  assert.equal(existsSync(dirname(copy)), false, `${dirname(copy)} was left behind`);
});

test('without TMPDIR, export rebuilds evidence.db in the tmpfs and writes its tar beside the destination; SIGINT removes both', async () => {
  const parent = expectedTmpfs(statSync(join(casePath, 'evidence.db')).size);
  const out = join(root.dir, 'interrupted-tmpfs.tar');
  const before = readdirSync(parent).filter((name) => name.startsWith('kustody-export-'));
  const { child, open } = await pausedWithoutTmpdir(['bundle', 'export', casePath, '-o', out], 'export:tar-written');
  const ours = (name: string) => name.startsWith('kustody-export-') && !before.includes(name) && (statOrNull(join(parent, name, 'evidence.db'))?.size ?? 0) >= BUNDLE_MIB * 1024 * 1024;
  const snapshots = readdirSync(parent).filter(ours);
  assert.equal(snapshots.length, 1, `expected one new snapshot folder in ${parent}: ${snapshots.join(', ')} (open: ${open.join(', ')})`);
  const snapshot = join(parent, snapshots[0]!);
  assert.equal(readdirSync(root.dir).filter((name) => name.startsWith('.kustody-export-')).length, 1, 'the tar is not written beside its destination');
  child.kill('SIGINT');
  const result = await child;
  assert.equal(result.signal, 'SIGINT', result.stderr);
  assert.equal(existsSync(snapshot), false, `${snapshot} was left behind`);
  assert.deepEqual(readdirSync(root.dir).filter((name) => name.startsWith('.kustody-export-') || name === 'interrupted-tmpfs.tar'), []);
});

test('SIGTERM while review verifies a bundle removes both its copy of the bundle and verify\'s copy of evidence.db', async () => {
  const tmp = privateTmp('tmp-review');
  const { held, result } = await interruptAt(['review', bundle, '--json'], 'copy-member:evidence.db:half', 'SIGTERM', tmp);
  assert.ok(held >= BUNDLE_MIB * 1024 * 1024, `only ${held} bytes were in TMPDIR when the signal was sent`);
  assert.equal(result.signal, 'SIGTERM', result.stderr);
  assert.deepEqual(readdirSync(tmp), []);
});

test('SIGINT after export wrote its tar but before it moved it into place leaves no work folder, no tar and no export row', async () => {
  const tmp = privateTmp('tmp-export');
  const out = join(root.dir, 'interrupted.tar');
  const before = (await runKustody(['case', 'show', casePath, '--json'])).stdout;
  const { held, result } = await interruptAt(['bundle', 'export', casePath, '-o', out], 'export:tar-written', 'SIGINT', tmp);
  assert.ok(held >= BUNDLE_MIB * 1024 * 1024, `only ${held} bytes of work files existed when the signal was sent`);
  assert.equal(result.signal, 'SIGINT', result.stderr);
  assert.deepEqual(readdirSync(root.dir).filter((name) => name.startsWith('.kustody-export-') || name === 'interrupted.tar'), []);
  assert.deepEqual(readdirSync(tmp), []);
  assert.equal((await runKustody(['case', 'show', casePath, '--json'])).stdout, before, 'the interrupted export changed the case');
});

test('a verify that finds a damaged evidence.db removes its temporary copy', async () => {
  const tmp = privateTmp('tmp-damaged');
  const small = makeCaseWithEvidence(join(root.dir, 'small-cases'));
  const good = join(root.dir, 'small.tar');
  assert.equal((await runKustody(['bundle', 'export', small, '-o', good])).exitCode, 0);
  const bytes = readFileSync(good);
  const db = tarLayout(bytes).find((m) => m.name === 'evidence.db');
  assert.ok(db !== undefined);
  const at = db.dataOffset + 100; // inside the SQLite header: the copy is made, then found damaged
  bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
  const damaged = join(root.dir, 'damaged.tar');
  writeFileSync(damaged, bytes);
  const run = await execa(process.execPath, [PAUSABLE, 'bundle', 'verify', damaged], { reject: false, env: { TMPDIR: tmp } });
  assert.equal(run.exitCode, 1, run.stdout + run.stderr);
  assert.deepEqual(readdirSync(tmp), []);
});
