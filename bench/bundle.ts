/**
 * bench:bundle — exports and verifies a case holding 1 GiB of artifacts and prints kustody's
 * throughput and peak memory next to sha256sum over the same bytes, in one run.
 * Target (issue 2): export and verify each at least 0.8 of sha256sum's throughput, under 200 MiB peak.
 */
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createCase, recordAction } from '../src/adapters/store/case-store.js';
import { makeTempDir, KUSTODY_BIN } from '../test/helpers/cli.js';
import { measure, mibPerSecond } from './measure.js';

const TOTAL_MIB = Number(process.env.BENCH_MIB ?? 1024);
const ARTIFACT_MIB = 16;

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
  created.db.close();
  const dbPath = join(created.path, 'evidence.db');
  const dbBytes = statSync(dbPath).size;
  const bundle = join(dir, 'bench.tar');

  const exported = measure([process.execPath, KUSTODY_BIN, 'bundle', 'export', created.path, '-o', bundle, '--json']);
  const tarBytes = statSync(bundle).size;
  const verified = measure([process.execPath, KUSTODY_BIN, 'bundle', 'verify', bundle, '--json']);
  if (!verified.stdout.includes('"status":"intact"')) throw new Error(`verify did not report intact: ${verified.stdout.slice(0, 300)}`);
  const shaDb = measure(['sha256sum', dbPath]);
  const shaTar = measure(['sha256sum', bundle]);

  const rows = [
    ['export (case → tar)', dbBytes, exported, shaDb],
    ['verify (tar)', tarBytes, verified, shaTar],
  ] as const;
  console.log(`bench:bundle  ${TOTAL_MIB} MiB of artifacts, evidence.db ${(dbBytes / 2 ** 20).toFixed(0)} MiB, tar ${(tarBytes / 2 ** 20).toFixed(0)} MiB`);
  console.log('operation             kustody                      sha256sum (same bytes)       ratio   target');
  for (const [name, bytes, ours, theirs] of rows) {
    const ratio = theirs.seconds / ours.seconds;
    console.log(`${name.padEnd(22)}${`${ours.seconds.toFixed(2)} s ${mibPerSecond(bytes, ours.seconds)} ${ours.peakMiB.toFixed(0)} MiB`.padEnd(29)}${`${theirs.seconds.toFixed(2)} s ${mibPerSecond(bytes, theirs.seconds)}`.padEnd(29)}${ratio.toFixed(2).padEnd(8)}>= 0.80, < 200 MiB`);
  }
} finally {
  cleanup();
}
