/**
 * bench:ui — time to the first screen and keystroke-to-redraw latency of the evidence browser over a
 * case holding 10,000 processes and 10,000 connections, printed in one run.
 * Targets (issue 6): first screen under 300 ms, keystroke to redraw under 50 ms.
 *
 * Three measurements:
 *   1. in process: open the case read-only, build the tabs, render with ink to a TTY-like stream;
 *   2. keystrokes in process: each key written to stdin until ink writes the changed frame, keys spaced
 *      40 ms apart (25 keys/s, faster than anyone types; ink draws at most 60 frames/s);
 *   3. the real CLI in a pseudo-terminal (`script`): from spawning `kustody review CASE` until the
 *      first frame holding the table appears on the terminal (Node start-up and module loading included);
 *   4. the threat model's A9 floods (50,000 combining marks, a 1 MiB line, 10^5 emoji): escaped and
 *      rendered through Ink, best of 5 each (target under 50 ms; the tests check only what is shown).
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { createElement } from 'react';
import { Box, Text, render } from 'ink';
import { render as renderToFrame } from 'ink-testing-library';
import { escapeUntrusted } from '../src/core/display/index.js';
import { createCase, recordAction } from '../src/adapters/store/case-store.js';
import { openCaseForReview } from '../src/adapters/ui-data/open-review.js';
import { evidenceTables } from '../src/core/ui/evidence-tables.js';
import { reviewHeading } from '../src/core/ui/review-view.js';
import { EvidenceBrowser } from '../src/ui/screens/EvidenceBrowser.js';
import { KUSTODY_BIN, makeTempDir } from '../test/helpers/cli.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const COLUMNS = 120;
const LINES = 40;

/** A stdout ink treats as a terminal; resolves waiters when a frame containing a marker is written. */
class TtyOut extends Writable {
  isTTY = true;
  columns = COLUMNS;
  rows = LINES;
  private waiters: { test: (s: string) => boolean; resolve: (at: number) => void }[] = [];
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    const text = chunk.toString();
    const at = performance.now();
    this.waiters = this.waiters.filter((w) => (w.test(text) ? (w.resolve(at), false) : true));
    done();
  }
  next(test: (s: string) => boolean): Promise<number> {
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }
}

/** A stdin ink treats as a terminal in raw mode. */
class TtyIn extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  setRawMode(): this { return this; }
  setEncoding(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
  resume(): this { return this; }
  pause(): this { return this; }
  read(): string | null { const d = this.data; this.data = null; return d; }
  type(key: string): void { this.data = key; this.emit('readable'); }
}

function makeCase(parent: string): string {
  const created = createCase({ parentDir: parent, title: 'bench: 10k rows', host: 'bench', osUser: 'bench', now: new Date().toISOString(), toolName: 'kustody', toolVersion: 'bench' });
  const db = created.db;
  recordAction(db, { at: new Date().toISOString(), actor: 'bench', kind: 'observe', target: 'pod:bench/suspect', detail: { rows: ROWS }, outcome: 'ok' }, () => {
    const proc = db.prepare('INSERT INTO processes (capture_id, target, pid, ppid, uid, comm, cmdline, exe, exe_deleted, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)');
    const conn = db.prepare('INSERT INTO connections (capture_id, target, proto, local_addr, local_port, remote_addr, remote_port, state, inode, pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (let pid = 1; pid <= ROWS; pid++) {
      proc.run('cap-bench', 'pod:bench/suspect', pid, pid === 1 ? 0 : Math.max(1, Math.floor(pid / 4)), 1000, pid % 101 === 0 ? 'xmrig' : `worker-${pid}`, `/usr/bin/worker --id ${pid} --shard ${pid % 16} --pool stratum+tcp://10.9.${pid % 250}.${pid % 200}:3333`, '/usr/bin/worker', 'S');
      conn.run('cap-bench', 'pod:bench/suspect', 'tcp', '10.244.0.9', 30000 + (pid % 30000), `10.9.${pid % 250}.${pid % 200}`, 3333, 'ESTABLISHED', 100000 + pid, pid);
    }
  });
  db.close();
  return created.path;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1] ?? NaN };
};

async function inProcess(caseDir: string) {
  const t0 = performance.now();
  const opening = openCaseForReview(caseDir, caseDir);
  if (!opening.ok) throw new Error('the bench case did not open');
  const t1 = performance.now();
  const tables = evidenceTables(opening.data, { now: Date.now() });
  const t2 = performance.now();
  const out = new TtyOut();
  const input = new TtyIn();
  const first = out.next((s) => s.includes('PROCESS'));
  const instance = render(createElement(EvidenceBrowser, { tables, heading: reviewHeading(opening.data), onQuit: () => undefined }), {
    stdout: out as unknown as NodeJS.WriteStream, stdin: input as unknown as NodeJS.ReadStream, exitOnCtrlC: false, patchConsole: false, maxFps: 60,
  });
  const t3 = await first;
  const keys: [string, string, (s: string) => boolean][] = [];
  for (let i = 0; i < 30; i++) keys.push([`down ${i + 1}`, 'j', () => true]);
  for (let i = 0; i < 10; i++) keys.push([`page ${i + 1}`, '\x1b[6~', () => true]);
  keys.push(['end', '\x1b[F', (s) => s.includes(`of ${ROWS}`)]);
  keys.push(['filter /', '/', (s) => s.includes('filter: /')]);
  for (const ch of 'xmrig') keys.push([`filter ${ch}`, ch, (s) => s.includes('filter: /')]);
  keys.push(['keep filter', '\r', () => true]);
  keys.push(['tab 2', '2', (s) => s.includes('LOCAL')]);
  keys.push(['tab 1', '1', (s) => s.includes('PROCESS')]);
  keys.push(['clear filter', '\x1b', () => true]);
  keys.push(['help', '?', (s) => s.includes('Evidence browser')]);
  keys.push(['close help', '?', (s) => s.includes('PROCESS')]);
  const latencies: number[] = [];
  for (const [, key, test] of keys) {
    await new Promise((resolve) => setTimeout(resolve, 40));
    const drawn = out.next(test);
    const sent = performance.now();
    input.type(key);
    latencies.push((await drawn) - sent);
  }
  instance.unmount();
  return { open: t1 - t0, tables: t2 - t1, firstFrame: t3 - t2, total: t3 - t0, latencies, keys: keys.length };
}

function wholeProcess(caseDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.CI;
    const started = performance.now();
    const command = `stty cols ${COLUMNS} rows ${LINES}; exec ${process.execPath} ${KUSTODY_BIN} review ${caseDir}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let seen = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no first screen within 10 s:\n${seen.slice(-500)}`)); }, 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('PROCESS') && seen.includes(`of ${ROWS}`)) {
        const at = performance.now() - started;
        clearTimeout(timer);
        child.stdin.write('q');
        child.on('exit', () => resolve(at));
        seen = '';
      }
    });
  });
}

/** Best of five: escaping one flood and rendering it through Ink into a 100-column line. */
function floodRender(flood: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 5; k++) {
    const start = performance.now();
    const { unmount } = renderToFrame(createElement(Box, { width: 100 }, createElement(Text, { wrap: 'truncate' }, escapeUntrusted(flood, { maxColumns: 100 }))));
    unmount();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const { dir, cleanup } = makeTempDir('kustody-bench-ui-');
try {
  const caseDir = makeCase(dir);
  const run = await inProcess(caseDir);
  const cli = [await wholeProcess(caseDir), await wholeProcess(caseDir), await wholeProcess(caseDir)];
  const lat = stats(run.latencies);
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(`bench:ui — evidence browser over ${ROWS} processes and ${ROWS} connections, ${COLUMNS}x${LINES} terminal`);
  console.log(`  first screen, in process      ${ms(run.total)}  (open case ${ms(run.open)}, build tabs ${ms(run.tables)}, first frame ${ms(run.firstFrame)})   target < 300 ms: ${run.total < 300 ? 'met' : 'MISSED'}`);
  console.log(`  first screen, kustody review  ${ms(stats(cli).median)} median of 3 (${cli.map(ms).join(', ')}), from spawn in a pty incl. Node start-up`);
  const floods: Array<[string, string]> = [['50,000 combining marks', `x${'\u0301'.repeat(50_000)}`], ['1 MiB line', 'A'.repeat(1 << 20)], ['10^5 emoji', '😀'.repeat(100_000)]];
  const floodMs = floods.map(([name, flood]) => [name, floodRender(flood)] as const);
  console.log(`  A9 floods, escape + Ink render ${floodMs.map(([name, t]) => `${name} ${ms(t)}`).join(', ')}   target < 50 ms each: ${floodMs.every(([, t]) => t < 50) ? 'met' : 'MISSED'}`);
  console.log(`  keystroke to redraw           median ${ms(lat.median)}, p95 ${ms(lat.p95)}, max ${ms(lat.max)} over ${run.keys} keys (move, page, end, filter, tabs, help)   target < 50 ms: ${lat.max < 50 ? 'met' : 'MISSED'}`);
} finally {
  cleanup();
}
