/**
 * bench:report — `kustody report` over a case of 100,000 rows (processes, connections, mounts,
 * credentials, capture warnings, artifacts and custody rows), in HTML, Markdown and JSON, from the case
 * folder and from its exported bundle (verification included). Prints wall time and peak resident
 * memory of each run. Targets (issue 12): under 10 s and under 300 MiB. Printed, not asserted.
 * The floor, measured in the same run: `sqlite3` dumping the same tables to a file (for the bundle, after
 * `tar -x` and `sha256sum -c`), which is what reading the case costs with no findings, timeline or layout.
 * BENCH_ROWS sets the row count, BENCH_NOTE_BYTES the size of each custody note (default 120).
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { beginCapture, commitCaptureStep, finishCapture, type StepRows } from '../src/adapters/store/capture-store.js';
import { createCase, type ArtifactInput } from '../src/adapters/store/case-store.js';
import type { CaptureWarning, ConnectionRow, CredentialRow, MountRow, ProcessRow } from '../src/core/capture/capture-rows.js';
import { appendChainedNotes } from '../test/helpers/big-custody.js';
import { KUSTODY_BIN, makeTempDir } from '../test/helpers/cli.js';
import { measure, type Measurement } from './measure.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const NOTE_BYTES = Number(process.env.BENCH_NOTE_BYTES ?? 120);
const SHARE = { processes: 0.25, connections: 0.25, mounts: 0.1, credentials: 0.05, capture_warnings: 0.05, artifacts: 0.1, actions: 0.2 } as const;

/** A redacted environment as capture stores it (values of secret-looking names replaced by fingerprints). */
const ENV_JSON = JSON.stringify(Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`VAR_${i}`, i % 6 === 0 ? `[redacted hmac-sha256:${'c'.repeat(16)}]` : `/opt/app/value-${i}`])));

function makeCase(parent: string): string {
  const n = (table: keyof typeof SHARE) => Math.round(ROWS * SHARE[table]);
  const created = createCase({ parentDir: parent, title: `bench: ${ROWS} rows`, host: 'bench', osUser: 'bench', now: new Date().toISOString(), toolName: 'kustody', toolVersion: 'bench' });
  const db = created.db;
  const at = '2026-12-01T00:00:00.000Z';
  const stamp = { at, actor: 'bench' };
  const capture = { captureId: 'cap-bench', target: 'pod:bench/suspect', vantage: 'exec', detail: {} };
  const step = (name: string, rows: StepRows, warnings: CaptureWarning[] = [], artifacts: ArtifactInput[] = []) => commitCaptureStep(db, { captureId: capture.captureId, target: capture.target, step: name, rows, warnings, artifacts }, stamp);
  beginCapture(db, capture, stamp);
  const processes: ProcessRow[] = [];
  for (let pid = 1; pid <= n('processes'); pid++) {
    processes.push({ pid, ppid: Math.max(1, pid >> 2), uid: 1000, gid: 1000, comm: pid % 101 === 0 ? 'xmrig' : `worker-${pid}`, cmdline: `/usr/bin/worker --id ${pid} --config /etc/worker/config.yaml --log-level info --listen 0.0.0.0:${8000 + (pid % 400)}`, argv_json: null, exe: pid % 997 === 0 ? `/tmp/.x${pid} (deleted)` : '/usr/bin/worker', exe_sha256: 'ab'.repeat(32), exe_deleted: pid % 997 === 0 ? 1 : 0, cwd: '/', root: '/', start_time: BigInt(pid * 10), state: 'S', cap_eff: pid % 503 === 0 ? '00000000a82425fb' : '00000000a80425fb', cap_prm: null, cap_bnd: null, no_new_privs: 0, seccomp: pid % 3, container_id: 'c', pod_uid: 'u', nspid_json: null, net_ns: 'net:[1]', mnt_ns: 'mnt:[1]', pid_ns: 'pid:[1]', env_json: ENV_JSON, warnings_json: '[]' });
  }
  const warnings: CaptureWarning[] = [];
  for (let i = 1; i <= n('capture_warnings'); i++) warnings.push({ pid: i, code: `CODE_${i % 40}`, message: `process ${i} exited while it was read` });
  const artifacts: ArtifactInput[] = [];
  for (let i = 1; i <= n('artifacts'); i++) {
    const content = Buffer.from(`Name:\tworker-${i}\nState:\tS\n`);
    artifacts.push({ sha256: createHash('sha256').update(content).digest('hex'), size: content.length, mediaType: 'text/plain', source: `/proc/${i}/status`, vantage: 'exec', collectedAt: at, captureId: capture.captureId, content });
  }
  step('processes', { processes }, warnings, artifacts);
  const connections: ConnectionRow[] = [];
  for (let i = 1; i <= n('connections'); i++) {
    const listen = i % 50 === 0;
    connections.push({ proto: 'tcp', local_addr: '10.244.0.9', local_port: listen ? 8000 + (i % 400) : 30000 + (i % 30000), remote_addr: listen ? null : `10.9.${i % 250}.${i % 200}`, remote_port: listen ? null : 3333, state: listen ? 'LISTEN' : 'ESTABLISHED', inode: BigInt(100000 + i), pid: 1 + (i % n('processes')), fd: 3, net_ns: 'net:[1]', uid: 1000 });
  }
  step('connections', { connections });
  const mounts: MountRow[] = [];
  for (let i = 1; i <= n('mounts'); i++) mounts.push({ pid: i, mount_point: `/data/${i % 300}`, fs_type: 'ext4', source: '/dev/sda1', options: 'rw,relatime', flagged: i % 100 === 0 ? 'host-path' : null, root: '/', mnt_ns: `mnt:[${i}]`, super_options: 'rw' });
  step('mounts', { mounts });
  const credentials: CredentialRow[] = [];
  for (let i = 1; i <= n('credentials'); i++) credentials.push({ kind: 'secret-env', location: `env:KEY_${i % 500}`, subject: null, fingerprint: `hmac-sha256:${(i % 700).toString(16).padStart(64, '0')}`, expires_at: null, claims_json: null, pid: i });
  step('credentials', { credentials });
  finishCapture(db, { captureId: capture.captureId, target: capture.target, status: 'complete', unfinished: [], notes: ['vantage exec: used'] }, stamp);
  db.close();
  appendChainedNotes(created.path, n('actions'), NOTE_BYTES);
  return created.path;
}

const TABLES = ['processes', 'connections', 'mounts', 'credentials', 'capture_warnings', 'actions'] as const;
const DUMP = [...TABLES.map((t) => `SELECT * FROM ${t};`), 'SELECT id, sha256, size, media_type, source, vantage, collected_at FROM artifacts;'].join(' ');

function line(label: string, m: Measurement, out: string, target: boolean): void {
  const verdict = target ? (m.seconds < 10 && m.peakMiB < 300 ? '  within target (< 10 s, < 300 MiB)' : '  OVER target (< 10 s, < 300 MiB)') : '  floor';
  console.log(`  ${label.padEnd(24)} ${m.seconds.toFixed(2).padStart(6)} s  cpu ${m.cpuSeconds.toFixed(2).padStart(5)} s  peak ${m.peakMiB.toFixed(0).padStart(4)} MiB  output ${(statSync(out).size / 1024 / 1024).toFixed(1).padStart(5)} MiB${verdict}`);
}

const { dir, cleanup } = makeTempDir('kustody-bench-report-');
try {
  const casePath = makeCase(dir);
  const db = join(casePath, 'evidence.db');
  console.log(`bench:report — a case of ${ROWS} rows (${Object.entries(SHARE).map(([t, s]) => `${t} ${Math.round(ROWS * s)}`).join(', ')}; notes of ${NOTE_BYTES} characters), evidence.db ${(statSync(db).size / 1024 / 1024).toFixed(0)} MiB`);
  const bundle = join(dir, 'bench.tar');
  measure([process.execPath, KUSTODY_BIN, 'bundle', 'export', casePath, '-o', bundle]);
  console.log(`  load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores (wall time includes waiting for the CPU; cpu = user + system)`);
  for (const [label, source] of ([['case', casePath], ['bundle', bundle]] as const).filter(([l]) => process.env.BENCH_ONLY === undefined || process.env.BENCH_ONLY === l)) {
    const dump = join(dir, `dump-${label}.txt`);
    const floor = label === 'case'
      ? measure(['sqlite3', '-readonly', db, `.output ${dump}`, DUMP])
      : measure(['bash', '-c', `set -e; x=$(mktemp -d "$1/x.XXXX"); tar -xf "$2" -C "$x"; (cd "$x" && sha256sum --quiet -c SHA256SUMS); sqlite3 -readonly "$x/evidence.db" ".output $3" "$4"; rm -rf "$x"`, 'floor', dir, bundle, dump, DUMP]);
    line(`${label} sqlite3 dump`, floor, dump, false);
    for (const format of ['html', 'md', 'json']) {
      const out = join(dir, `report-${label}.${format}`);
      line(`${label} report ${format}`, measure([process.execPath, KUSTODY_BIN, 'report', source, '--format', format, '-o', out], { quiet: true }), out, true);
    }
  }
} finally {
  if (process.env.BENCH_KEEP === undefined) cleanup();
  else console.log(`kept ${dir}`);
}
