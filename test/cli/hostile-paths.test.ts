// FIFOs, devices and sockets given where kustody expects a bundle, a case, a playbook or a key are
// refused at once with exit 2 and a message naming what they are; `case new` into a place that cannot
// hold a folder (/proc, /sys, under a device or a file) fails at once. Every run has a deadline that
// a hang (a FIFO open waiting for a writer, a mkdir retried forever) would hit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { KUSTODY_BIN, makeTempDir, newCase } from '../helpers/cli.js';

const DEADLINE_MS = 20_000;

async function runWithDeadline(args: readonly string[]) {
  const result = await execa(process.execPath, [KUSTODY_BIN, ...args], { reject: false, stdin: 'ignore', timeout: DEADLINE_MS });
  assert.equal(result.timedOut, false, `kustody ${args.join(' ')} was still running after ${DEADLINE_MS} ms`);
  return { exitCode: result.exitCode, output: `${result.stdout}\n${result.stderr}` };
}

function listen(path: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.end());
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}

async function specialFiles(dir: string, t: { after: (fn: () => unknown) => void }) {
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const socket = join(dir, 'listening.sock');
  const server = await listen(socket);
  t.after(() => server.close());
  return [
    { path: fifo, kind: /FIFO/ },
    { path: '/dev/null', kind: /character device/ },
    { path: '/dev/zero', kind: /character device/ },
    { path: socket, kind: /socket/ },
  ];
}

test('a FIFO, /dev/null, /dev/zero or a listening socket given as a bundle is refused at once by verify and review, exit 2', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  for (const special of await specialFiles(dir, t)) {
    for (const args of [['bundle', 'verify', special.path], ['bundle', 'verify', special.path, '--json'], ['review', special.path, '--json']]) {
      const run = await runWithDeadline(args);
      assert.equal(run.exitCode, 2, `${args.join(' ')}: ${run.output}`);
      assert.match(run.output, special.kind, `${args.join(' ')} does not say what ${special.path} is: ${run.output}`);
    }
  }
});

test('a FIFO, device or socket given as a case, or planted as a case\'s evidence.db, is refused at once, exit 2', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  for (const special of await specialFiles(dir, t)) {
    for (const args of [['case', 'show', special.path], ['case', 'note', special.path, 'text'], ['bundle', 'export', special.path, '-o', join(dir, 'x.tar')]]) {
      const run = await runWithDeadline(args);
      assert.equal(run.exitCode, 2, `${args.join(' ')}: ${run.output}`);
      assert.match(run.output, special.kind, `${args.join(' ')}: ${run.output}`);
    }
  }
  const created = await newCase(join(dir, 'cases'));
  rmSync(join(created.path, 'evidence.db'));
  execFileSync('mkfifo', [join(created.path, 'evidence.db')]);
  for (const args of [['case', 'show', created.path], ['case', 'note', created.path, 'text'], ['bundle', 'export', created.path, '-o', join(dir, 'y.tar')]]) {
    const run = await runWithDeadline(args);
    assert.equal(run.exitCode, 2, `${args.join(' ')}: ${run.output}`);
    assert.match(run.output, /FIFO/, `${args.join(' ')}: ${run.output}`);
  }
});

test('a FIFO, device or socket given as a playbook, a signing key, a public key or a token file is refused at once, exit 2', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(join(dir, 'cases'));
  const bundle = join(dir, 'ok.tar');
  assert.equal((await runWithDeadline(['bundle', 'export', created.path, '-o', bundle])).exitCode, 0);
  for (const special of await specialFiles(dir, t)) {
    const runs = [
      ['playbook', 'validate', special.path],
      ['bundle', 'export', created.path, '-o', join(dir, 'signed.tar'), '--sign-key', special.path],
      ['bundle', 'verify', bundle, '--pubkey', special.path],
    ];
    for (const args of runs) {
      const run = await runWithDeadline(args);
      assert.equal(run.exitCode, 2, `${args.join(' ')}: ${run.output}`);
    }
    const playbook = await runWithDeadline(['playbook', 'validate', special.path]);
    assert.match(playbook.output, special.kind, playbook.output);
  }
  assert.ok(!readdirSync(dir).includes('signed.tar'));
});

test('case new into /proc, /sys, under a device or under a file fails at once with exit 2 and says why', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const file = join(dir, 'plain-file');
  execFileSync('touch', [file]);
  mkdirSync(join(dir, 'ok'));
  const places = [
    { dir: '/proc/x', why: /\/proc\/x/ },
    { dir: '/proc/self/x/y', why: /\/proc\/self\/x/ },
    { dir: '/sys/x', why: /\/sys\/x/ },
    { dir: '/dev/null/x', why: /\/dev\/null is a character device/ },
    { dir: join(file, 'x'), why: /plain-file is a regular file/ },
  ];
  for (const place of places) {
    const run = await runWithDeadline(['case', 'new', '--dir', place.dir, '--title', 't']);
    assert.equal(run.exitCode, 2, `case new --dir ${place.dir}: ${run.output}`);
    assert.match(run.output, place.why, run.output);
    assert.match(run.output, /cannot hold cases/, run.output);
  }
  const nested = await runWithDeadline(['case', 'new', '--dir', join(dir, 'ok', 'a', 'b'), '--title', 't', '--json']);
  assert.equal(nested.exitCode, 0, nested.output);
});
