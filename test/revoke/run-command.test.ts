// run-command.ts against real programs (sh, env, node, yes): argv without a shell, explicit environment,
// no stdin, timeouts that kill the whole process group, capped and redacted output, exit explanations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCommandEnv, findProgram, runCommand } from '../../src/adapters/command/run-command.js';
import { redactArgvForRecord } from '../../src/adapters/command/redact-output.js';
import { explainExit } from '../../src/adapters/command/explain-exit.js';
import { BugError } from '../../src/core/errors.js';
import { makeTempDir } from '../helpers/cli.js';

const SH = '/bin/sh';
const sh = (script: string, extra: Partial<Parameters<typeof runCommand>[0]> = {}) => runCommand({ program: SH, args: ['-c', script], ...extra });

test('arguments reach the program as separate elements, never interpreted by a shell', async () => {
  const args = ['$(id)', '`id`', 'a b', '*', ';', '|', "it's", 'line\nbreak'];
  const result = await runCommand({ program: process.execPath, args: ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args] });
  assert.deepEqual(JSON.parse(result.stdout), args);
  assert.equal(result.exitCode, 0);
});

test('the child gets only PATH, HOME, cloud CLI variables and the explicit extras', async () => {
  const env = { PATH: '/usr/bin:/bin', HOME: '/home/r', AWS_PROFILE: 'ir', CLOUDSDK_CONFIG: '/c', AZURE_CONFIG_DIR: '/a', GOOGLE_APPLICATION_CREDENTIALS: '/g', KUBECONFIG: '/k', SECRET_THING: 'x', LD_PRELOAD: '/evil.so' };
  const result = await runCommand({ program: '/usr/bin/env', args: [], env, extraEnv: { AWS_PAGER: '' } });
  const names = result.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('=')[0]).sort();
  assert.deepEqual(names, ['AWS_PAGER', 'AWS_PROFILE', 'AZURE_CONFIG_DIR', 'CLOUDSDK_CONFIG', 'GOOGLE_APPLICATION_CREDENTIALS', 'HOME', 'PATH']);
  assert.deepEqual(buildCommandEnv({ PATH: '/bin', UNDEFINED: undefined, AWS_X: undefined }), { PATH: '/bin' });
});

test('stdin is closed: a program that reads it gets end of file at once instead of hanging', async () => {
  const result = await sh('read line; echo "read=$?"', { timeoutMs: 5_000 });
  assert.equal(result.stdout, 'read=1\n');
  assert.equal(result.timedOut, false);
});

test('a timeout kills the whole process group, including a grandchild holding stdout open', { timeout: 10_000 }, async () => {
  const result = await sh('sleep 30 & sleep 30', { timeoutMs: 300 });
  assert.equal(result.timedOut, true);
  assert.ok(result.durationMs < 4_000, `took ${result.durationMs} ms`);
  assert.equal(result.exit, 'timed out after 300 ms (killed: SIGTERM)');
});

test('stdout and stderr are capped separately at the limit and flagged as truncated', async () => {
  const result = await sh('yes | head -c 3000000; yes e 2>/dev/null | head -c 5000 >&2', { maxOutputBytes: 4096 });
  assert.equal(result.stdout.length, 4096);
  assert.equal(result.stdoutTruncated, true);
  assert.equal(result.stderr.length, 4096);
  assert.equal(result.stderrTruncated, true);
  const whole = await sh('yes | head -c 2000000');
  assert.equal(whole.stdout.length, 1024 * 1024, 'the default cap is 1 MiB');
  const small = await sh('printf abc');
  assert.equal(small.stdoutTruncated, false);
});

test('exit codes and signals are explained like zx', async () => {
  assert.equal((await sh('exit 137')).exit, '137 (killed: SIGKILL)');
  assert.equal((await sh('exit 1')).exit, '1 (general error)');
  assert.equal((await sh('exit 127')).exit, '127 (command not found)');
  const killed = await sh('kill -9 $$');
  assert.deepEqual([killed.exitCode, killed.signal, killed.exit], [null, 'SIGKILL', 'killed: SIGKILL']);
  const missing = await runCommand({ program: '/nonexistent/kustody-cli', args: [] });
  assert.deepEqual([missing.exitCode, missing.startError, missing.exit], [null, 'ENOENT', 'did not start (ENOENT)']);
  assert.equal(explainExit({ exitCode: 42, signal: null, timedOut: false }), '42');
});

test('a program given without an absolute path is a bug, not a PATH lookup', async () => {
  await assert.rejects(runCommand({ program: 'sh', args: [] }), BugError);
});

test('output is redacted before it is returned: cloud secret fields, env assignments and bearer tokens', async () => {
  const canary = `CANARY${Date.now()}`;
  const result = await sh(`printf '%s\\n' '{"SecretAccessKey": "${canary}1", "sessionToken": "${canary}2"}' 'AWS_SECRET_ACCESS_KEY=${canary}3'; printf 'Authorization: Bearer ${canary}4\\n' >&2`);
  assert.doesNotMatch(result.stdout + result.stderr, new RegExp(canary));
  assert.equal(result.stdout, '{"SecretAccessKey": "[REDACTED]", "sessionToken": "[REDACTED]"}\nAWS_SECRET_ACCESS_KEY=[REDACTED]\n');
});

test('the recorded argv hides secret flag values but keeps long role names and policy documents', () => {
  const policy = '{"Statement":[{"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2025-01-01T00:00:00.000Z"}}}]}';
  const argv = ['hook', '--password', 'hunter2', '--api-key=abc', '--role-name', 'eksctl-prod-addon-iamserviceaccount-Role1-1A2B3C4D5E6F', policy];
  assert.deepEqual(redactArgvForRecord(argv), ['hook', '--password', '[REDACTED]', '--api-key=[REDACTED]', '--role-name', 'eksctl-prod-addon-iamserviceaccount-Role1-1A2B3C4D5E6F', policy]);
});

test('findProgram finds executables on absolute PATH entries only, skipping directories, non-executables and relative entries', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const make = (sub: string, mode: number) => {
    mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, sub, 'tool'), '#!/bin/sh\n');
    chmodSync(join(dir, sub, 'tool'), mode);
    return join(dir, sub);
  };
  const noexec = make('noexec', 0o644);
  const good = make('good', 0o755);
  mkdirSync(join(dir, 'isdir', 'tool'), { recursive: true });
  assert.equal(await findProgram('tool', [noexec, join(dir, 'isdir'), good].join(':')), join(good, 'tool'));
  assert.equal(await findProgram('tool', [noexec, '', 'good', './good'].join(':')), null);
  assert.equal(await findProgram('tool', undefined), null);
  assert.equal(await findProgram(join(good, 'tool'), ''), join(good, 'tool'));
  assert.equal(await findProgram('good/tool', good), null);
  assert.match((await findProgram('sh', '/usr/bin:/bin')) ?? '', /^\/(usr\/)?bin\/sh$/);
});
