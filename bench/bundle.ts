/**
 * bench:bundle — exports and verifies a case holding 1 GiB of artifacts, several rounds, and prints
 * kustody's throughput and peak memory next to sha256sum over the same bytes, and next to SQLite's own
 * copies of the case (`sqlite3 .backup`, `VACUUM INTO`), which bound what any export can do.
 * Targets (issue 9): export >= 0.8x and verify >= 0.9x sha256sum, both under 200 MiB peak.
 * kustody runs without TMPDIR, so its private copies of evidence.db go where chooseScratchParent puts
 * them (a tmpfs with room: RAM that peak RSS does not count, printed beside it), and once more with
 * TMPDIR on the bench's disk folder, to show what the copies cost on disk.
 * Each round runs every command once, in turn, so load from other processes falls on all of them;
 * the best round and the spread are printed, in wall time and in CPU time (user + system).
 */
import { createHash, randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createCase, recordAction } from '../src/adapters/store/case-store.js';
import { chooseScratchParent } from '../src/adapters/system/scratch-dir.js';
import { makeTempDir, KUSTODY_BIN } from '../test/helpers/cli.js';
import { measure, mibPerSecond, type Measurement } from './measure.js';

const TOTAL_MIB = Number(process.env.BENCH_MIB ?? 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ARTIFACT_MIB = 16;

type Name = 'export' | 'verify' | 'export TMPDIR=disk' | 'verify TMPDIR=disk' | 'sha256sum db' | 'sha256sum tar' | 'sqlite3 .backup' | 'sqlite3 VACUUM INTO';

const { dir, cleanup } = makeTempDir('kustody-bench-bundle-');
try {
  const created = createCase({ parentDir: dir, title: 'bench', host: 'bench', osUser: 'bench', now: new Date().toISOString(), toolName: 'kustody', toolVersion: 'bench' });
  for (let i = 0; i < TOTAL_MIB / ARTIFACT_MIB; i += 1) {
    const content = randomBytes(ARTIFACT_MIB * 1024 * 1024);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const at = new Date().toISOString();
    recordAction(created.db, { at, actor: 'bench', kind: 'observe', target: `blob ${i}`, detail: { i }, outcome: 'ok' }, undefined, [
      { sha256, size: content.length, mediaType: 'application/octet-stream', source: `bench/${i}`, vantage: 'local', collectedAt: at, content },
    ]);
  }
  created.db.pragma('wal_checkpoint(TRUNCATE)');
  created.db.close();
  const dbPath = join(created.path, 'evidence.db');
  const dbBytes = statSync(dbPath).size;
  const bundle = join(dir, 'bench.tar');
  const copy = join(dir, 'copy.db');
  const load = [loadavg()[0] ?? 0];

  const runs = new Map<Name, Measurement[]>();
  const record = (name: Name, m: Measurement) => runs.set(name, [...(runs.get(name) ?? []), m]);
  let tarBytes = 0;
  const withoutTmpdir = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'TMPDIR'));
  const onDisk = { ...withoutTmpdir, TMPDIR: dir };
  const scratch = chooseScratchParent(dbBytes, { env: withoutTmpdir });
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [exportName, verifyName, env] of [['export', 'verify', withoutTmpdir], ['export TMPDIR=disk', 'verify TMPDIR=disk', onDisk]] as const) {
      rmSync(bundle, { force: true });
      record(exportName, measure([process.execPath, KUSTODY_BIN, 'bundle', 'export', created.path, '-o', bundle, '--json'], { env }));
      tarBytes = statSync(bundle).size;
      // Export writes the tar past the page cache (O_DIRECT): read it once, untimed, so that verify
      // and `sha256sum tar` both start from a cached tar, as after a download.
      measure(['dd', `if=${bundle}`, 'of=/dev/null', 'bs=8M', 'status=none']);
      const verified = measure([process.execPath, KUSTODY_BIN, 'bundle', 'verify', bundle, '--json'], { env });
      if (!verified.stdout.includes('"status":"intact"')) throw new Error(`verify did not report intact: ${verified.stdout.slice(0, 300)}`);
      record(verifyName, verified);
    }
    record('sha256sum db', measure(['sha256sum', dbPath]));
    record('sha256sum tar', measure(['sha256sum', bundle]));
    rmSync(copy, { force: true });
    record('sqlite3 .backup', measure(['sqlite3', dbPath, `.backup '${copy}'`]));
    rmSync(copy, { force: true });
    record('sqlite3 VACUUM INTO', measure(['sqlite3', dbPath, `VACUUM INTO '${copy}'`]));
    rmSync(copy, { force: true });
    load.push(loadavg()[0] ?? 0);
  }

  const best = (name: Name, key: 'seconds' | 'cpuSeconds') => Math.min(...(runs.get(name) ?? []).map((m) => m[key]));
  const spread = (name: Name) => {
    const s = (runs.get(name) ?? []).map((m) => m.seconds).sort((a, b) => a - b);
    return `${(s[0] ?? NaN).toFixed(2)}..${(s[s.length - 1] ?? NaN).toFixed(2)} s`;
  };
  const peak = (name: Name) => Math.max(...(runs.get(name) ?? []).map((m) => m.peakMiB));
  const perRound = (ours: Name, theirs: Name) => {
    const a = runs.get(ours) ?? [];
    const b = runs.get(theirs) ?? [];
    const ratios = a.map((m, i) => (b[i]?.seconds ?? NaN) / m.seconds).sort((x, y) => x - y);
    return `${(ratios[0] ?? NaN).toFixed(2)}..${(ratios[ratios.length - 1] ?? NaN).toFixed(2)}`;
  };

  console.log(`bench:bundle  ${TOTAL_MIB} MiB of artifacts, evidence.db ${(dbBytes / 2 ** 20).toFixed(0)} MiB, tar ${(tarBytes / 2 ** 20).toFixed(0)} MiB, ${ROUNDS} rounds`);
  console.log(`load average (1 min) during the rounds: ${load.map((l) => l.toFixed(1)).join(' ')} on a machine shared with other work; wall times are noisy, CPU times less so`);
  console.log('operation            best wall (MiB/s)     spread (wall)      best CPU   peak RSS');
  const line = (name: Name, bytes: number) => console.log(`${name.padEnd(21)}${`${best(name, 'seconds').toFixed(2)} s (${mibPerSecond(bytes, best(name, 'seconds'))})`.padEnd(22)}${spread(name).padEnd(19)}${`${best(name, 'cpuSeconds').toFixed(2)} s`.padEnd(11)}${peak(name).toFixed(0)} MiB`);
  for (const name of ['export', 'export TMPDIR=disk', 'sha256sum db', 'sqlite3 .backup', 'sqlite3 VACUUM INTO'] as const) line(name, dbBytes);
  for (const name of ['verify', 'verify TMPDIR=disk', 'sha256sum tar'] as const) line(name, tarBytes);
  console.log('');
  console.log('ratio to sha256sum   best wall / best wall   per-round range   best CPU / best CPU   target');
  for (const [ours, theirs, target] of [['export', 'sha256sum db', 0.8], ['verify', 'sha256sum tar', 0.9], ['export TMPDIR=disk', 'sha256sum db', 0.8], ['verify TMPDIR=disk', 'sha256sum tar', 0.9]] as const) {
    const wall = best(theirs, 'seconds') / best(ours, 'seconds');
    const cpu = best(theirs, 'cpuSeconds') / best(ours, 'cpuSeconds');
    console.log(`${ours.padEnd(21)}${wall.toFixed(2).padEnd(24)}${perRound(ours, theirs).padEnd(18)}${cpu.toFixed(2).padEnd(22)}>= ${target.toFixed(2)}, peak ${peak(ours).toFixed(0)} < 200 MiB`);
  }
  const copyMiB = dbBytes / 2 ** 20;
  console.log(scratch.inMemory
    ? `export's rebuilt evidence.db and verify's private copy (${copyMiB.toFixed(0)} MiB each) were held in ${scratch.parent}, a tmpfs: that is RAM (Shmem) while the command runs, NOT counted in peak RSS; RSS + copy: export ${(peak('export') + copyMiB).toFixed(0)} MiB, verify ${(peak('verify') + copyMiB).toFixed(0)} MiB. With TMPDIR set, the copies go there instead (the TMPDIR=disk lines).`
    : `export's and verify's copies of evidence.db went to ${scratch.parent} on disk (${scratch.reason}).`);
  console.log(`(sqlite3 is the system shell, SQLite ${measure(['sqlite3', '--version']).stdout.split(' ')[0] ?? '?'}; kustody embeds its own build through better-sqlite3)`);
} finally {
  cleanup();
}
