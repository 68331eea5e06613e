import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesFromText } from '../../src/core/evidence/parsers/index.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { lacks, needsRoot } from '../helpers/prerequisites.js';

const missing = needsRoot('to read /proc of every process');

function query(db: string, sql: string): string[][] {
  return execFileSync('sqlite3', ['-separator', '\t', db, sql], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

const hex = (value: string | Buffer) => (typeof value === 'string' ? Buffer.from(value, 'latin1') : value).toString('hex');
// 9 arguments of 120,000 bytes: past 1 MiB in all, each under the kernel's 128 KiB cap per argument.
const BIG = Buffer.from('line\n\x1b[31mred\x1b[0m ) ( '.repeat(6000).slice(0, 120_000), 'latin1');

/** What each hostile child calls itself: comm (15 bytes at most), argv[0] and the other arguments, as latin1 strings of raw bytes. */
const SPECS = [
  { label: 'parentheses and newlines', comm: 'a) b (c', argv0: 'a) b (c\n) 1 2 3 (', args: ['x)\ny', ')', '((', ')) S 1 1'] },
  { label: 'escape sequences', comm: '\x1b[2J\x1b]0;T\x07', argv0: '\x1b]0;pwned\x07\x1b]52;c;aGVsbG8=\x07', args: ['\x1b[2J\x1b[1A\x1b[2K', '\rkube-proxy', '\xc2\x9b31m', '\xe2\x80\xaegnp.exe', '\x1bP1;2|x\x1b\\'] },
  { label: 'invalid UTF-8', comm: '\xff\xfe\xc3(\xed\xa0\x80', argv0: '\xff\xfe', args: ['\xc3\x28', '\xe2\x82', 'ok\x80'] },
  { label: '1 MiB of text', comm: 'big', argv0: 'big', args: Array.from({ length: 9 }, () => BIG.toString('latin1')) },
];

const TREE = String.raw`
import json, os, sys, time
specs = json.load(open('specs.json'))
child = "import ctypes, os, sys, time; ctypes.CDLL(None).prctl(1, 9); open('/proc/self/comm', 'wb').write(bytes.fromhex(sys.argv[1])); open(sys.argv[2], 'w').write(str(os.getpid())); time.sleep(100000)"
for i, spec in enumerate(specs):
    if os.fork() == 0:
        argv = [bytes.fromhex(spec['argv0']), b'-c', child.encode(), spec['comm'].encode(), ('ready-%d' % i).encode()]
        os.execv(sys.executable, argv + [bytes.fromhex(a) for a in spec['args']])
while True:
    time.sleep(1000)
`;

// Raw C0 (but newline), DEL, C1, bidi controls and invalid UTF-8 must never reach the terminal.
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffd]/;

test('process names and cmdlines with ESC sequences, newlines, ")", invalid UTF-8 and 1 MiB of text are stored exactly and shown escaped', { timeout: 60_000 }, async (t) => {
  if (lacks(t, missing)) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const specs = SPECS.map((s) => ({ comm: hex(s.comm), argv0: hex(s.argv0), args: s.args.map((a) => hex(a)) }));
  writeFileSync(join(dir, 'specs.json'), JSON.stringify(specs));
  // Relative names and the temp dir as cwd: a random temp path in argv could look like a secret and be redacted.
  const tree = spawn('python3', ['-c', TREE], { cwd: dir, stdio: 'ignore' });
  const rootPid = tree.pid;
  assert.ok(rootPid !== undefined);
  // Children die with the root (PR_SET_PDEATHSIG); PIDs are kept in memory, as the temp dir may be gone when this runs.
  const childPids: number[] = [];
  t.after(() => {
    for (const pid of [...childPids, rootPid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
  const deadline = Date.now() + 10_000;
  while (childPids.length < SPECS.length) {
    const i = childPids.length;
    if (existsSync(join(dir, `ready-${i}`)) && readFileSync(join(dir, `ready-${i}`), 'utf8') !== '') childPids.push(Number(readFileSync(join(dir, `ready-${i}`), 'utf8')));
    else {
      assert.ok(Date.now() < deadline, 'the hostile children did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const created = await newCase(join(dir, 'cases'));
  const capture = await runKustody(['capture', 'local', '--pid', String(rootPid), '--case', created.path]);
  assert.equal(capture.exitCode, 0, capture.stdout + capture.stderr);
  const db = join(created.path, 'evidence.db');

  for (const [i, pid] of childPids.entries()) {
    const label = SPECS[i]?.label ?? '';
    const [row] = query(db, `SELECT ppid, state, comm, argv_json FROM processes WHERE pid = ${pid}`);
    assert.ok(row !== undefined, `${label}: no row`);
    const [ppid, state, comm, argvJson] = row;
    // ps parses stat its own way; the kernel's comm and cmdline files are the judges for the bytes.
    assert.equal(Number(ppid), Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim()), `${label}: ppid`);
    assert.equal(state, 'S', `${label}: state`);
    const kernelComm = readFileSync(`/proc/${pid}/comm`).subarray(0, -1);
    assert.deepEqual(kernelComm, Buffer.from(SPECS[i]?.comm ?? '', 'latin1').subarray(0, 15), `${label}: the child did not take its hostile name`);
    assert.deepEqual(Buffer.from(bytesFromText(comm ?? '')), kernelComm, `${label}: comm`);
    const kernelArgv = readFileSync(`/proc/${pid}/cmdline`).toString('latin1').replace(/\0$/, '').split('\0');
    const storedArgv = (JSON.parse(argvJson ?? '[]') as string[]).map((a) => Buffer.from(bytesFromText(a)).toString('latin1'));
    assert.equal(kernelArgv[0], SPECS[i]?.argv0, `${label}: the child did not take its hostile argv[0]`);
    assert.equal(storedArgv.length, kernelArgv.length, `${label}: argument count`);
    assert.deepEqual(storedArgv.map((a) => a.slice(0, 200)), kernelArgv.map((a) => a.slice(0, 200)), `${label}: arguments differ`);
    assert.ok(storedArgv.every((a, j) => a === kernelArgv[j]), `${label}: arguments differ`);
  }
  assert.ok(Number(query(db, `SELECT length(CAST(cmdline AS BLOB)) FROM processes WHERE pid = ${childPids[3]}`)[0]?.[0]) > 1024 * 1024);
  const tooLarge = query(db, `SELECT code FROM capture_warnings WHERE pid = ${childPids[3]} AND code IN ('TRUNCATED', 'SIZE_LIMIT')`);
  assert.deepEqual(tooLarge, [], '1 MiB is inside the caps and stored whole');

  // Nothing kustody prints about this case carries a raw control byte.
  const shown = await runKustody(['case', 'show', created.path]);
  const shownJson = await runKustody(['case', 'show', created.path, '--json']);
  for (const [name, run] of Object.entries({ capture, shown, shownJson })) {
    assert.equal(run.exitCode, 0, `${name}: ${run.stderr}`);
    assert.doesNotMatch(run.stdout + run.stderr, RAW_CONTROL, `${name} printed a raw control byte`);
  }
});
