import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildCapture } from '../../src/core/capture/build-capture.js';
import { parseCollectorOutput } from '../../src/core/capture/parse-collector-output.js';
import { parseCollectorTar } from '../../src/core/capture/collector-tar-records.js';
import { readTarStream } from '../../src/adapters/transport/read-tar-stream.js';
import { makeTempDir } from '../helpers/cli.js';
import { startNamespacedWorkload } from '../helpers/namespaced-workload.js';
import { firstMissing, lacks, needsBusybox, needsRoot } from '../helpers/prerequisites.js';

const SCRIPT = readFileSync(new URL('../../collector/kustody-collector.sh', import.meta.url), 'utf8');
const missing = firstMissing(needsRoot('for unshare and nsenter'), needsBusybox());
const runs = Number(process.env.KUSTODY_FC_RUNS ?? 2000);

for (const format of ['lines', 'tar'] as const) {
  test(`the collector (${format} format) run by BusyBox sh inside a workload's namespaces sees what ps and ss see there`, { timeout: 60_000 }, async (t) => {
    if (lacks(t, missing)) return;
    const { dir, cleanup } = makeTempDir();
    t.after(cleanup);
    const canary = `kustody-canary-${Math.random().toString(36).slice(2)}`;
    const workload = await startNamespacedWorkload(dir, canary);
    t.after(workload.stop);
    const tokenPath = join(workload.tmpfsDir, 'serviceaccount', 'token');
    // Like `kubectl exec`: a new process joining the container's PID, mount and network namespaces.
    const output = execFileSync('nsenter', ['-t', String(workload.innerPid), '-p', '-m', '-n', 'busybox', 'sh', '-c', SCRIPT, 'kustody-collector', format, 'exec', tokenPath], { maxBuffer: 64 * 1024 * 1024 });
    const context = { vantage: 'exec' as const, target: 'test', exclusiveNetns: true };
    const parsed = format === 'lines'
      ? parseCollectorOutput(output, context)
      : await (async () => {
        const read = await readTarStream((async function* () {
          yield output;
        })());
        assert.equal(read.stopped, null);
        return parseCollectorTar(read.entries, null, context);
      })();
    assert.equal(parsed.complete, true, parsed.raw.notes.join('; '));
    const built = buildCapture(parsed.raw, () => '[fp]');

    const ps = execFileSync('nsenter', ['-t', String(workload.innerPid), '-p', '-m', 'ps', '-e', '-o', 'pid=,comm='], { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim().split(/\s+/, 2))
      .filter(([, comm]) => !['ps', 'busybox', 'sh', 'cat', 'mkdir', 'readlink', 'ln', 'dirname', 'sha256sum', 'tar'].includes(comm ?? ''));
    const ours = built.processes.rows.map((r) => [String(r.pid), r.comm ?? '']).filter(([, comm]) => comm !== 'busybox' && comm !== 'sh');
    assert.deepEqual(ours.sort(), ps.sort());
    assert.equal(built.processes.rows.filter((r) => r.exe_deleted === 1).length, 1);
    assert.equal(built.processes.rows.filter((r) => r.exe_sha256 !== null).length, built.processes.rows.length);

    const ss = execFileSync('nsenter', ['-t', String(workload.innerPid), '-n', 'ss', '-tanH'], { encoding: 'utf8' }).trim().split('\n').map((l) => {
      const f = l.trim().split(/\s+/);
      return `${f[0] === 'ESTAB' ? 'ESTABLISHED' : f[0]} ${f[3]}`;
    }).sort();
    const tcp = [...new Set(built.connections.rows.filter((r) => r.proto === 'tcp').map((r) => `${r.state} ${r.local_addr}:${r.local_port}`))].sort();
    assert.deepEqual(tcp, ss);

    // The credential path from the command line came back in memory, to be fingerprinted, not stored.
    assert.equal(Buffer.from(parsed.credentialFiles.get('0')?.bytes ?? []).toString(), canary);
  });
}

test('forged, cut and oversized collector output becomes notes, never a crash or a fake record', () => {
  const good = 'K kustody-collector 1\nF 7/stat\nNyAoc2gpIFMgMQ==\n.\nL 7/exe L2Jpbi9zaA==\nE\n';
  const parsed = parseCollectorOutput(Buffer.from(good), { vantage: 'exec', target: 't', exclusiveNetns: true });
  assert.equal(parsed.complete, true);
  assert.equal(Buffer.from(parsed.raw.processes[0]?.files.stat?.bytes ?? []).toString(), '7 (sh) S 1');
  assert.equal(Buffer.from(parsed.raw.processes[0]?.links.exe?.target ?? []).toString(), '/bin/sh');

  const forged = 'K kustody-collector 1\nF ../../etc/passwd\nAAAA\n.\nL 7/fd/../../x AAAA\nQ 7/stat\nF 7/status\n!!!notbase64\n.\n' + 'L 8/exe ' + 'A'.repeat(70_000) + '\n';
  const result = parseCollectorOutput(Buffer.from(forged), { vantage: 'exec', target: 't', exclusiveNetns: true });
  assert.equal(result.complete, false);
  assert.ok(result.raw.notes.some((n) => n.includes('unexpected line')), result.raw.notes.join('; '));
  assert.ok(result.raw.notes.some((n) => n.includes('malformed base64')));
  assert.ok(result.raw.notes.some((n) => n.includes('longer than')));
  assert.ok(result.raw.notes.some((n) => n.includes('before its end marker')));
  assert.deepEqual(result.raw.processes.map((p) => p.pid), [7]);

  const wrong = parseCollectorOutput(Buffer.from('sh: base64: not found\n'), { vantage: 'exec', target: 't', exclusiveNetns: true });
  assert.equal(wrong.complete, false);
  assert.match(wrong.raw.notes.join(' '), /lack sh, or its tools were replaced/);
});

test('the collector output parser never throws on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (bytes, withHeader) => {
    const input = withHeader ? Buffer.concat([Buffer.from('K kustody-collector 1\n'), bytes]) : bytes;
    const parsed = parseCollectorOutput(input, { vantage: 'exec', target: 't', exclusiveNetns: true });
    buildCapture(parsed.raw, () => '[fp]');
  }), { numRuns: runs });
});

/** A process root full of traps: a token linked to /etc/shadow (absolute), a FIFO, a device, a 1 GiB sparse file, a socket, links that climb out, and a kubelet-style Secret folder. */
function hostileRoot(dir: string): { root: string; paths: string[] } {
  const root = join(dir, 'root');
  const sh = (script: string) => execFileSync('sh', ['-c', script, 'x', root]);
  sh(`set -e; mkdir -p "$1"; cd "$1"; mkdir -p bin dev proc hostile inside var/run/secrets/kubernetes.io/serviceaccount secrets/..2024
    cp /usr/bin/busybox bin/busybox; chroot "$1" /bin/busybox --install -s /bin
    ln -s /etc/shadow var/run/secrets/kubernetes.io/serviceaccount/token; mkfifo hostile/fifo; mknod dev/zero c 1 5; ln -s /dev/zero hostile/zero
    truncate -s 1G hostile/big; printf canary-in-root > inside/canary; ln -s /inside/canary hostile/abs; ln -s ../../../../../etc/shadow hostile/up
    printf sekret > secrets/..2024/token; ln -s ..2024 secrets/..data; ln -s ..data/token secrets/token; ln -s /etc/shadow secrets/evil
    python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' hostile/sock`);
  return { root, paths: ['/var/run/secrets/kubernetes.io/serviceaccount/token', '/hostile/fifo', '/hostile/zero', '/dev/zero', '/hostile/big', '/hostile/abs', '/hostile/up', '/hostile/sock', 'dir:/secrets'] };
}

// debug: the collector stands outside the target's root and reads it through /proc/PID/root; exec: the collector runs inside that root.
for (const [mode, format] of [['debug', 'lines'], ['debug', 'tar'], ['exec', 'lines']] as const) {
  test(`the collector (${mode}, ${format}) refuses a token linked to /etc/shadow, a FIFO, /dev/zero, a 1 GiB file and a socket in a hostile root, reads what is inside it, and finishes at once`, { timeout: 60_000 }, async (t) => {
    if (lacks(t, missing)) return;
    const { dir, cleanup } = makeTempDir();
    t.after(cleanup);
    const { root, paths } = hostileRoot(dir);
    const run = mode === 'debug'
      // The target sleeps in its own mount namespace chrooted into the hostile root; the collector stays in the outer one.
      ? 'unshare --mount chroot "$1" /bin/busybox sleep 1000 & sleep 0.3; shift; busybox sh -c "$SCRIPT" kustody-collector "$@"; kill $!'
      : 'mount -t proc proc "$1/proc"; chroot "$1" /bin/busybox sleep 1000 & sleep 0.3; r=$1; shift; chroot "$r" /bin/busybox sh -c "$SCRIPT" kustody-collector "$@"; kill $!';
    const started = Date.now();
    const output = execFileSync('unshare', ['--pid', '--mount', '--fork', '--mount-proc', 'busybox', 'sh', '-c', run, 'x', root, format, mode, ...paths], { env: { ...process.env, SCRIPT }, maxBuffer: 64 * 1024 * 1024, timeout: 30_000 });
    const elapsed = Date.now() - started;
    const context = { vantage: mode, target: 'test', exclusiveNetns: true };
    const parsed = format === 'lines' ? parseCollectorOutput(output, context) : parseCollectorTar((await readTarStream((async function* () {
      yield output;
    })())).entries, null, context);
    assert.equal(parsed.complete, true, parsed.raw.notes.join('; '));
    t.diagnostic(`${mode}/${format}: ${elapsed} ms`);
    const got = (key: string) => parsed.credentialFiles.get(key);
    const refused: Record<string, RegExp> = { 0: /no such file in the process root/, 1: /fifo/, 2: /device/, 3: /device/, 4: /larger than 1048576 bytes/, 6: /no such file in the process root/, 7: /socket/ };
    for (const [key, reason] of Object.entries(refused)) assert.match(got(key)?.error ?? `read ${got(key)?.bytes.length} bytes`, reason, `cred ${key} (${paths[Number(key)]})`);
    // An absolute link resolves against the target's root, as the kernel would inside the container.
    assert.equal(Buffer.from(got('5')?.bytes ?? []).toString(), 'canary-in-root');
    const secrets = [...parsed.credentialFiles.entries()].filter(([key]) => key.startsWith('8.')).map(([, f]) => [f.name, f.error ?? Buffer.from(f.bytes).toString()]).sort();
    assert.deepEqual(secrets, [['evil', 'no such file in the process root'], ['token', 'sekret']]);
    // Nothing of the collector's own /etc/shadow came back.
    const shadow = readFileSync('/etc/shadow', 'utf8').split('\n')[0] ?? '';
    for (const file of parsed.credentialFiles.values()) assert.ok(!Buffer.from(file.bytes).toString().includes(shadow.slice(0, 20)));
  });
}
