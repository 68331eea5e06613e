import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { startNamespacedWorkload } from '../helpers/namespaced-workload.js';
import { lacks, needsRoot } from '../helpers/prerequisites.js';

const missing = needsRoot('for unshare and to read other processes');

function query(db: string, sql: string): string[][] {
  const out = execFileSync('sqlite3', ['-separator', '\t', db, sql], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** Host view of the tree below a PID, from ps: the outside judge for pid, ppid and comm. */
function psTree(root: number): Map<number, { ppid: number; comm: string }> {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' }).trim().split('\n').map((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l);
    return { pid: Number(m?.[1]), ppid: Number(m?.[2]), comm: m?.[3] ?? '' };
  });
  const tree = new Map<number, { ppid: number; comm: string }>();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    const row = rows.find((r) => r.pid === pid);
    if (row === undefined) continue;
    tree.set(pid, { ppid: row.ppid, comm: row.comm });
    queue.push(...rows.filter((r) => r.ppid === pid).map((r) => r.pid));
  }
  return tree;
}

test('capture local stores the namespaced workload as ps, ss and findmnt see it', { timeout: 60_000 }, async (t) => {
  if (lacks(t, missing)) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const canary = `kustody-canary-${Math.random().toString(36).slice(2)}`;
  const workload = await startNamespacedWorkload(dir, canary);
  t.after(workload.stop);
  const created = await newCase(join(dir, 'cases'));
  const run = await runKustody(['capture', 'local', '--pid', String(workload.rootPid), '--case', created.path, '--json']);
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const summary = JSON.parse(run.stdout) as { status: string; counts: Record<string, number> };
  assert.equal(summary.status, 'complete');
  const db = join(created.path, 'evidence.db');

  // Processes: exactly the tree ps shows, with the same parents and names.
  const judged = psTree(workload.rootPid);
  const stored = new Map(query(db, 'SELECT pid, ppid, comm FROM processes').map(([pid, ppid, comm]) => [Number(pid), { ppid: Number(ppid), comm: comm ?? '' }]));
  assert.deepEqual([...stored.keys()].sort(), [...judged.keys()].sort());
  for (const [pid, row] of judged) assert.deepEqual(stored.get(pid), row, `pid ${pid}`);

  // The deleted executable: flagged, and hashed from the still-running inode (a copy of /bin/sleep).
  const deleted = query(db, 'SELECT exe, exe_sha256 FROM processes WHERE exe_deleted = 1');
  assert.equal(deleted.length, 1, JSON.stringify(deleted));
  assert.match(deleted[0]?.[0] ?? '', /evil \(deleted\)$/);
  assert.equal(deleted[0]?.[1], createHash('sha256').update(readFileSync('/bin/sleep')).digest('hex'));

  // TCP: the same sockets, states, addresses and inodes as ss run inside the namespace.
  const ss = execFileSync('nsenter', ['-t', String(workload.innerPid), '-n', 'ss', '-tanHe'], { encoding: 'utf8' }).trim().split('\n').map((l) => {
    const f = l.trim().split(/\s+/);
    const inode = /ino:(\d+)/.exec(l)?.[1] ?? '0';
    return `${f[0] === 'ESTAB' ? 'ESTABLISHED' : f[0]} ${f[3]} ${f[4]} ${inode}`;
  }).sort();
  const ours = [...new Set(query(db, "SELECT state, local_addr || ':' || local_port, remote_addr || ':' || remote_port, inode FROM connections WHERE proto = 'tcp'").map((r) => {
    const remote = r[2] === '0.0.0.0:0' ? '0.0.0.0:*' : r[2];
    return `${r[0]} ${r[1]} ${remote} ${r[3]}`;
  }))].sort();
  assert.deepEqual(ours, ss);
  const held = query(db, "SELECT DISTINCT c.pid FROM connections c WHERE proto = 'tcp' AND state = 'ESTABLISHED'");
  assert.equal(held.length, 1, 'both ends of the connection are held by the python process');

  // Unix: the listening socket bound in the tmpfs, as ss -x sees it.
  const ssUnix = execFileSync('nsenter', ['-t', String(workload.innerPid), '-n', 'ss', '-xlHn'], { encoding: 'utf8' });
  assert.match(ssUnix, /agent\.sock/);
  assert.equal(query(db, "SELECT count(*) FROM connections WHERE proto = 'unix' AND state = 'LISTEN' AND local_addr LIKE '%agent.sock'")[0]?.[0], '1');

  // Mounts: the namespace's mount points match findmnt run inside it, and the tmpfs is there.
  const findmnt = execFileSync('nsenter', ['-t', String(workload.innerPid), '-m', '-p', 'findmnt', '-rn', '-o', 'TARGET,FSTYPE'], { encoding: 'utf8' }).trim().split('\n').map((l) => l.replace(/\\x20/g, ' ')).sort();
  const innerNs = query(db, `SELECT mnt_ns FROM processes WHERE pid = ${workload.innerPid}`)[0]?.[0];
  const mounts = query(db, `SELECT mount_point, fs_type FROM mounts WHERE mnt_ns = '${innerNs}'`).map((r) => `${r[0]} ${r[1]}`).sort();
  assert.deepEqual(mounts, findmnt);
  assert.ok(mounts.includes(`${workload.tmpfsDir} tmpfs`));

  // No file kustody wrote holds the token planted in the workload.
  for (const file of [db, `${db}-wal`]) {
    try {
      assert.equal(readFileSync(file).includes(canary), false, `${file} holds the canary`);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
  }
  assert.equal(run.stdout.includes(canary), false);
});
