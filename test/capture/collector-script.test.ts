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
