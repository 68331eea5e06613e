import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFileInRoot } from '../../src/adapters/collect/read-in-root.js';
import { makeTempDir } from '../helpers/cli.js';
import { rootFor } from '../helpers/prerequisites.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** A temp dir standing in for /proc/<pid>/root, with the files a container would show. */
function fakeRoot(t: import('node:test').TestContext): string {
  const { dir, cleanup } = makeTempDir('kustody-root-');
  t.after(cleanup);
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'etc', 'shadow'), 'inner-shadow\n');
  writeFileSync(join(dir, 'etc', 'hostname'), 'inner-host\n');
  mkdirSync(join(dir, 'var/run/secrets/kubernetes.io/serviceaccount'), { recursive: true });
  return dir;
}

const TOKEN_DIR = 'var/run/secrets/kubernetes.io/serviceaccount';
const TOKEN = `/${TOKEN_DIR}/token`;

test('a plain file below the root is read whole', (t) => {
  const root = fakeRoot(t);
  writeFileSync(join(root, TOKEN_DIR, 'token'), 'eyJ.token');
  const read = readFileInRoot(root, TOKEN);
  assert.equal(read.error, undefined);
  assert.equal(text(read.bytes), 'eyJ.token');
  assert.equal(read.resolved, undefined, 'no symlink was followed');
});

test('token -> /etc/shadow resolves inside the root, never to the host\'s /etc/shadow', (t) => {
  const root = fakeRoot(t);
  symlinkSync('/etc/shadow', join(root, TOKEN_DIR, 'token'));
  const read = readFileInRoot(root, TOKEN);
  assert.equal(text(read.bytes), 'inner-shadow\n');
  assert.equal(read.resolved, '/etc/shadow');
  assert.notDeepEqual(Buffer.from(read.bytes), readFileSync('/etc/shadow'));
});

test('an absolute link to a file the root lacks is missing, even when the host has it', (t) => {
  const root = fakeRoot(t);
  symlinkSync('/etc/passwd', join(root, TOKEN_DIR, 'token'));
  assert.equal(readFileInRoot(root, TOKEN).error, 'ENOENT');
});

test('dir -> / re-anchors at the root, so dir/etc/hostname is the root\'s file', (t) => {
  const root = fakeRoot(t);
  symlinkSync('/', join(root, TOKEN_DIR, 'up'));
  const read = readFileInRoot(root, `/${TOKEN_DIR}/up/etc/hostname`);
  assert.equal(text(read.bytes), 'inner-host\n');
  assert.equal(read.resolved, '/etc/hostname');
});

test('.. chains stop at the root, in the path and inside relative links', (t) => {
  const root = fakeRoot(t);
  assert.equal(text(readFileInRoot(root, '/../../../../../../etc/hostname').bytes), 'inner-host\n');
  assert.equal(text(readFileInRoot(root, `/${TOKEN_DIR}/../../../../../../../../etc/hostname`).bytes), 'inner-host\n');
  symlinkSync('../../../../../../../../../../etc/hostname', join(root, TOKEN_DIR, 'token'));
  const read = readFileInRoot(root, TOKEN);
  assert.equal(text(read.bytes), 'inner-host\n');
  assert.equal(read.resolved, '/etc/hostname');
  // A relative link climbs from its own directory: ../shadow from etc/sub is etc/shadow.
  mkdirSync(join(root, 'etc', 'sub'));
  symlinkSync('../shadow', join(root, 'etc', 'sub', 'link'));
  assert.equal(text(readFileInRoot(root, '/etc/sub/link').bytes), 'inner-shadow\n');
});

test('a link loop and a chain longer than 40 links end with ELOOP; 40 links still resolve', (t) => {
  const root = fakeRoot(t);
  symlinkSync('b', join(root, 'a'));
  symlinkSync('a', join(root, 'b'));
  assert.equal(readFileInRoot(root, '/a').error, 'ELOOP');
  for (let i = 0; i < 41; i += 1) symlinkSync(i === 0 ? '/etc/hostname' : `/l${i - 1}`, join(root, `l${i}`));
  assert.equal(text(readFileInRoot(root, '/l39').bytes), 'inner-host\n');
  assert.equal(readFileInRoot(root, '/l40').error, 'ELOOP');
});

test('a FIFO is never opened, directly or through a link, and the read does not block', async (t) => {
  const root = fakeRoot(t);
  const fifo = join(root, TOKEN_DIR, 'fifo');
  execFileSync('mkfifo', [fifo]);
  symlinkSync(`/${TOKEN_DIR}/fifo`, join(root, TOKEN_DIR, 'token'));
  // A writer blocks in open() until some reader opens the FIFO: it tells whether anyone did.
  // It says `ready` just before open(), so the probe below runs while it waits (however slowly it started).
  const writer = spawn('python3', ['-c', 'import sys; print("ready", flush=True); open(sys.argv[1], "w"); print("opened", flush=True)', fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => {
    if (writer.exitCode === null && writer.pid !== undefined) process.kill(writer.pid, 'SIGKILL');
  });
  let said = '';
  const exited = new Promise((r) => writer.once('exit', r));
  await new Promise<void>((resolve) => writer.stdout?.on('data', (chunk: Buffer) => {
    said += chunk.toString();
    if (said.startsWith('ready\n')) resolve();
  }));
  await new Promise((r) => setTimeout(r, 100));
  for (const path of [`/${TOKEN_DIR}/fifo`, TOKEN]) {
    const read = readFileInRoot(root, path);
    assert.equal(read.error, 'not a regular file (fifo)', path);
    assert.equal(read.bytes.length, 0);
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(said, 'ready\n', 'the FIFO was opened');
  // Control: opening it ourselves does wake the writer, so the probe above could have failed. The
  // reader stays open until the writer is gone, so the writer cannot miss it and block forever.
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    await exited;
  } finally {
    closeSync(reader);
  }
  assert.equal(said, 'ready\nopened\n');
});

test('/dev/zero is never read, whether named directly or through token -> /dev/zero', (t) => {
  const root = fakeRoot(t);
  symlinkSync('/dev/zero', join(root, TOKEN_DIR, 'token'));
  // Inside the fake root there is no /dev/zero: the host's is not reached.
  assert.equal(readFileInRoot(root, TOKEN).error, 'ENOENT');
  // With the real root as the root, the device is found and refused by type, not read.
  const read = readFileInRoot('/', '/dev/zero');
  assert.equal(read.error, 'not a regular file (character device)');
  assert.equal(read.bytes.length, 0);
  if (rootFor(t, 'mknod of a device inside the fake root')) {
    mkdirSync(join(root, 'dev'));
    execFileSync('mknod', [join(root, 'dev', 'zero'), 'c', '1', '5']);
    assert.equal(readFileInRoot(root, TOKEN).error, 'not a regular file (character device)');
  }
});

test('files past the size cap are cut and flagged, and non-directories in the middle are ENOTDIR', (t) => {
  const root = fakeRoot(t);
  writeFileSync(join(root, 'big'), Buffer.alloc(64 * 1024 + 1, 0x41));
  const big = readFileInRoot(root, '/big');
  assert.equal(big.truncated, true);
  assert.equal(big.bytes.length, 64 * 1024);
  writeFileSync(join(root, 'exact'), Buffer.alloc(64 * 1024, 0x41));
  assert.equal(readFileInRoot(root, '/exact').truncated, false);
  assert.equal(readFileInRoot(root, '/etc/hostname/x').error, 'ENOTDIR');
  assert.equal(readFileInRoot(root, '/etc').error, 'EISDIR');
  assert.equal(readFileInRoot(join(root, 'missing'), '/etc/hostname').error, 'ENOENT');
});
