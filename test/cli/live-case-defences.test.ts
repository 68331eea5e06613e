import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody, type CliRun } from '../helpers/cli.js';

function sql(db: string, statement: string): string {
  return execFileSync('sqlite3', [db, statement], { encoding: 'utf8' }).trim();
}

/**
 * A TCP listener standing in for the API server address: it only counts connections and closes
 * them. A kubeconfig pointing at it tells whether a command contacted "the cluster" at all.
 */
async function tripwire(t: TestContext, dir: string): Promise<{ kubeconfig: string; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const kubeconfig = join(dir, 'tripwire.kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'k', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 'tripwire' } }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
  }), { mode: 0o600 });
  return { kubeconfig, connections: () => count };
}

/** Every command that opens a case, for reading or writing, as argv lists. */
function caseCommands(casePath: string, kubeconfig: string, outDir: string): string[][] {
  return [
    ['case', 'note', casePath, 'a note'],
    ['case', 'show', casePath],
    ['capture', 'local', '--pid', String(process.pid), '--case', casePath],
    ['bundle', 'export', casePath, '-o', join(outDir, 'out.tar')],
    ['review', casePath, '--json'],
    ['release', 'shop/web', '--case', casePath, '--kubeconfig', kubeconfig, '--yes'],
    ['run', 'compromised-pod', '--target', 'shop/web', '--case', casePath, '--resume', '--yes', '--kubeconfig', kubeconfig],
  ];
}

const PLANTS: Record<string, string> = {
  // Fires on every custody row kustody appends, inserting a row the attacker chose.
  trigger: "CREATE TRIGGER evil AFTER INSERT ON actions BEGIN INSERT INTO capture_warnings (capture_id, target, step, pid, code, message) VALUES ('x', 'x', 'x', NULL, 'PLANTED', 'the trigger ran'); END;",
  view: 'CREATE VIEW evil_view AS SELECT seq, hash FROM actions;',
  table: 'CREATE TABLE evil_table (x TEXT);',
  index: 'CREATE INDEX evil_index ON actions (actor);',
};

for (const [kind, plant] of Object.entries(PLANTS)) {
  test(`${kind === 'index' ? 'an' : 'a'} ${kind} planted in a live case with sqlite3 makes every command refuse, before anything runs or reaches the cluster`, async (t) => {
    const { dir, cleanup } = makeTempDir();
    t.after(cleanup);
    const created = await newCase(join(dir, 'cases'));
    const db = join(created.path, 'evidence.db');
    sql(db, plant);
    const wire = await tripwire(t, dir);
    const before = sql(db, 'SELECT count(*) FROM actions');
    for (const argv of caseCommands(created.path, wire.kubeconfig, dir)) {
      const run = await runKustody(argv);
      assert.equal(run.exitCode, 1, `${argv.slice(0, 2).join(' ')}: ${run.stdout}${run.stderr}`);
      const said = run.stderr + run.stdout;
      assert.match(said, new RegExp(`holds an? ${kind} \\\\?"evil`), `${argv.slice(0, 2).join(' ')}: ${said}`);
      assert.match(said, /sqlite3 -readonly .*\.schema/);
    }
    assert.equal(sql(db, 'SELECT count(*) FROM actions'), before, 'a command appended to the tampered case');
    assert.equal(sql(db, "SELECT count(*) FROM capture_warnings WHERE code = 'PLANTED'"), '0', 'the planted trigger ran');
    assert.equal(existsSync(join(dir, 'out.tar')), false, 'a bundle was written');
    assert.equal(wire.connections(), 0, 'a command contacted the cluster');
    if (kind === 'trigger') {
      // The outside judge: the same trigger does fire on an insert made by the sqlite3 shell.
      const copy = join(dir, 'copy.db');
      copyFileSync(db, copy);
      sql(copy, "INSERT INTO actions (seq, at, actor, kind, target, detail, outcome, prev_hash, hash) VALUES (999, 'a', 'a', 'note', 't', '{}', 'ok', 'p', 'h')");
      assert.equal(sql(copy, "SELECT count(*) FROM capture_warnings WHERE code = 'PLANTED'"), '1');
    }
  });
}

test('a custody row edited in a live case is refused by export, release, run --resume and review, naming the row, and nothing reaches the cluster', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(join(dir, 'cases'));
  for (const text of ['first', 'second', 'third']) assert.equal((await runKustody(['case', 'note', created.path, text])).exitCode, 0);
  const wire = await tripwire(t, dir);
  // Positive control: on the intact case, release does contact the address in the kubeconfig.
  await runKustody(['release', 'shop/web', '--case', created.path, '--kubeconfig', wire.kubeconfig]);
  assert.ok(wire.connections() > 0, 'the tripwire saw no connection from an intact release');
  const seen = wire.connections();
  const db = join(created.path, 'evidence.db');
  sql(db, "UPDATE actions SET detail = '{\"text\":\"edited\"}' WHERE seq = 3");
  const refusals: CliRun[] = [];
  for (const argv of caseCommands(created.path, wire.kubeconfig, dir).filter((a) => ['bundle', 'review', 'release', 'run'].includes(a[0] ?? ''))) {
    const run = await runKustody(argv);
    refusals.push(run);
    assert.equal(run.exitCode, 1, `${argv[0]}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr + run.stdout, /custody log of this case is broken at row 3 \(hash does not match the row content/, `${argv[0]}: ${run.stderr}`);
  }
  assert.equal(refusals.length, 4);
  assert.equal(existsSync(join(dir, 'out.tar')), false, 'export wrote a bundle of a broken chain');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tar')), []);
  assert.equal(wire.connections(), seen, 'release or run --resume contacted the cluster with a broken chain');
  const shown = await runKustody(['case', 'show', created.path]);
  assert.equal(shown.exitCode, 0, shown.stderr);
  assert.match(shown.stdout, /Chain {5}BROKEN at row 3: hash does not match the row content/);
  const json = JSON.parse((await runKustody(['case', 'show', created.path, '--json'])).stdout) as { chain: { intact: boolean; broken?: { seq: number } } };
  assert.deepEqual([json.chain.intact, json.chain.broken?.seq], [false, 3]);
});

test('case show says the chain is intact with its head, and export of an intact case still works', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(join(dir, 'cases'));
  await runKustody(['case', 'note', created.path, 'one']);
  const head = sql(join(created.path, 'evidence.db'), 'SELECT hash FROM actions ORDER BY seq DESC LIMIT 1');
  const shown = await runKustody(['case', 'show', created.path]);
  assert.match(shown.stdout, new RegExp(`Chain {5}intact, 2 rows, head 2 ${head}`));
  const exported = await runKustody(['bundle', 'export', created.path, '-o', join(dir, 'ok.tar')]);
  assert.equal(exported.exitCode, 0, exported.stderr);
});

/** Runs the commands that read or write a case and asserts each refuses with `fix` in its next step. */
async function assertAllRefuse(casePath: string, dir: string, message: RegExp, fix: string): Promise<void> {
  for (const argv of [['case', 'note', casePath, 'x'], ['case', 'show', casePath], ['capture', 'local', '--pid', String(process.pid), '--case', casePath], ['bundle', 'export', casePath, '-o', join(dir, 'p.tar')], ['review', casePath, '--json']]) {
    const run = await runKustody(argv);
    assert.equal(run.exitCode, 1, `${argv.slice(0, 2).join(' ')}: ${run.stdout}${run.stderr}`);
    const said = run.stderr + run.stdout;
    assert.match(said, message, argv.join(' '));
    assert.ok(said.includes(fix), `${argv.slice(0, 2).join(' ')} did not say ${fix}: ${said}`);
  }
  assert.equal(existsSync(join(dir, 'p.tar')), false);
}

test('a case folder open to others (0777, 0750) is refused by every command with the chmod that fixes it; after it, the case works', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(join(dir, 'cases'));
  const rows = sql(join(created.path, 'evidence.db'), 'SELECT count(*) FROM actions');
  for (const mode of [0o777, 0o750]) {
    chmodSync(created.path, mode);
    await assertAllRefuse(created.path, dir, new RegExp(`open to other users \\(mode 0${mode.toString(8)}\\)`), `chmod 700 ${created.path}`);
  }
  assert.equal(sql(join(created.path, 'evidence.db'), 'SELECT count(*) FROM actions'), rows);
  execFileSync('chmod', ['700', created.path]);
  assert.equal((await runKustody(['case', 'note', created.path, 'fixed'])).exitCode, 0);
});

test('a case.key readable by others (0666, 0640) is refused by every command with the chmod that fixes it', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(join(dir, 'cases'));
  const key = join(created.path, 'case.key');
  for (const mode of [0o666, 0o640]) {
    chmodSync(key, mode);
    await assertAllRefuse(created.path, dir, new RegExp(`case.key is readable or writable by other users \\(mode 0${mode.toString(8)}\\)`), `chmod 600 ${key}`);
  }
  execFileSync('chmod', ['600', key]);
  assert.equal((await runKustody(['case', 'note', created.path, 'fixed'])).exitCode, 0);
});

test('a case.key replaced by a symbolic link is refused by every command, and capture never fingerprints with the linked key', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(join(dir, 'cases'));
  const key = join(created.path, 'case.key');
  const elsewhere = join(dir, 'attacker.key');
  renameSync(key, elsewhere);
  symlinkSync(elsewhere, key);
  await assertAllRefuse(created.path, dir, /case\.key is a symbolic link/, `cp --remove-destination BACKUP/case.key ${key}`);
  assert.equal(sql(join(created.path, 'evidence.db'), 'SELECT count(*) FROM captures'), '0');
});
