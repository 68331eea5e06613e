/** Shared helpers for the playbook runner tests: lab namespaces, runs paused at a test point, and reading the case back. */
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { isolationNames } from '../../src/core/contain/plan-isolation.js';
import { verifyChain, type StoredActionRow } from '../../src/core/custody/chain.js';
import { KUSTODY_BIN } from '../helpers/cli.js';
import { applyScenario, kubectl, type LabEnv } from '../helpers/lab.js';

/** A fresh shop namespace (web, client, suspect), deleted after the test with the case's cluster-scoped guard. */
export async function shopNamespace(t: TestContext, lab: LabEnv, prefix: string, caseId: () => string | null): Promise<string> {
  const ns = `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
  await applyScenario('shop', ns);
  t.after(async () => {
    const id = caseId();
    // The guard is cluster-scoped and would block the namespace controller from deleting the pod: remove it first.
    if (id !== null) await kubectl(lab, 'admin', ['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', isolationNames(id, 'suspect').guard, '--ignore-not-found']);
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  return ns;
}

/** Every custody row of a case, in order, with the detail parsed. */
export function custodyRows(casePath: string): StoredActionRow[] {
  const db = new Database(join(casePath, 'evidence.db'), { readonly: true });
  try {
    return (db.prepare('SELECT seq, at, actor, kind, target, detail, outcome, prev_hash, hash FROM actions ORDER BY seq').all() as Array<Record<string, unknown>>).map((r) => ({
      seq: Number(r.seq), at: String(r.at), actor: String(r.actor), kind: String(r.kind), target: String(r.target),
      detail: JSON.parse(String(r.detail)) as StoredActionRow['detail'], outcome: String(r.outcome), prev_hash: String(r.prev_hash), hash: String(r.hash),
    }));
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` of the case database and whether its custody chain verifies. */
export function caseConsistency(casePath: string): { integrity: string; chainBreaks: number; rows: number } {
  const db = new Database(join(casePath, 'evidence.db'), { readonly: true });
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const chain = verifyChain(custodyRows(casePath));
    return { integrity, chainBreaks: chain.breaks.length, rows: chain.count };
  } finally {
    db.close();
  }
}

/** How many `applied` custody rows each change has, keyed `plan/change_id`. */
export function appliedCounts(rows: readonly StoredActionRow[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const d = row.detail as { plan?: string; change_id?: string } | null;
    if ((row.kind === 'contain' || row.kind === 'revoke') && row.outcome === 'applied' && d?.change_id) counts.set(`${d.plan}/${d.change_id}`, (counts.get(`${d.plan}/${d.change_id}`) ?? 0) + 1);
  }
  return counts;
}

/** The intent-log rows (kind `playbook`) as `step:state` strings, run-level rows as `*:state`. */
export function intentTrail(rows: readonly StoredActionRow[]): string[] {
  return rows.filter((r) => r.kind === 'playbook').map((r) => `${(r.detail as { step_id?: string | null }).step_id ?? '*'}:${r.outcome}`);
}

/** A kustody run started in the background. */
export interface BackgroundRun {
  child: ResultPromise<{ reject: false; env: Record<string, string>; stdin: 'ignore' }>;
  stderr: () => string;
  stdout: () => string;
}

/** The built CLI with the crash tests' pause hook installed (the shipped bin/kustody.js has none). */
const PAUSABLE_KUSTODY = new URL('../helpers/pausable-kustody.mjs', import.meta.url).pathname;

/** Starts `kustody ...args` in the background and collects its output; with KUSTODY_TEST_PAUSE in `env`, a pausable build. */
export function startKustody(args: readonly string[], env: Record<string, string>): BackgroundRun {
  const bin = env.KUSTODY_TEST_PAUSE === undefined ? KUSTODY_BIN : PAUSABLE_KUSTODY;
  const child = execa(process.execPath, [bin, ...args], { reject: false, env, stdin: 'ignore' });
  let err = '';
  let out = '';
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  return { child, stderr: () => err, stdout: () => out };
}

/** Resolves once the run printed the test pause marker for `point` (fails if it exits first or takes over `ms`). */
export async function waitForPause(run: BackgroundRun, point: string, ms = 120_000): Promise<void> {
  const marker = `KUSTODY_TEST_PAUSED ${point}\n`;
  const deadline = Date.now() + ms;
  let exited = false;
  void run.child.then(() => { exited = true; });
  while (!run.stderr().includes(marker)) {
    if (exited) throw new Error(`the run exited before ${point}:\n${run.stdout()}\n${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no pause at ${point} within ${ms} ms:\n${run.stdout()}\n${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once the run's stdout matches `pattern` (fails if it exits first or takes over `ms`). */
export async function waitForOutput(run: BackgroundRun, pattern: RegExp, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  let exited = false;
  void run.child.then(() => { exited = true; });
  while (!pattern.test(run.stdout())) {
    if (exited) throw new Error(`the run exited before printing ${pattern}:\n${run.stdout()}\n${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms:\n${run.stdout()}\n${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
