// "Rotate at the source" items and the responder's rotation hook. The hook tests run a real program
// (node, printing the argv it received) through the real runner and run-command.ts: no fixture needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import {
  buildRotateHookCommands,
  listRotateAtSource,
  parseRotateHookTemplate,
  type AppSecretUse,
} from '../../src/core/revoke/rotate-at-source.js';
import { UnsafeValueError } from '../../src/core/revoke/safe-values.js';
import { runPlannedCommands, type CommandRecordEntry } from '../../src/runner/run-cloud-revoke.js';
import { makeTempDir } from '../helpers/cli.js';

const context = { caseId: 'case-1', pod: 'web-7d9f' };
const dbCreds: AppSecretUse = { namespace: 'shop', secret: 'db-creds', keys: ['password', 'username'], usedBy: [{ container: 'app', via: 'env', target: 'DB_PASSWORD' }] };
const PRINT_ARGV = 'process.stdout.write(JSON.stringify(process.argv.slice(1)))';

test('Secrets are listed once each, sorted, keys merged, with rotate-at-the-source advice; envFrom means every key', () => {
  const items = listRotateAtSource([
    { namespace: 'shop', secret: 'stripe', keys: ['api-key'], usedBy: [{ container: 'app', via: 'volume', target: '/etc/stripe' }] },
    dbCreds,
    { namespace: 'shop', secret: 'db-creds', keys: ['host', 'password'], usedBy: [{ container: 'worker', via: 'env', target: 'DB_HOST' }] },
    { namespace: 'admin', secret: 'all', keys: [], usedBy: [{ container: 'app', via: 'envFrom', target: '' }] },
  ]);
  assert.deepEqual(items.map((i) => [i.namespace, i.secret, i.keys]), [['admin', 'all', []], ['shop', 'db-creds', ['host', 'password', 'username']], ['shop', 'stripe', ['api-key']]]);
  assert.equal(items[1]?.usedBy.length, 2);
  assert.match(items[0]?.advice ?? '', /^Rotate every key of Secret admin\/all where the credential is issued/);
  assert.match(items[1]?.advice ?? '', /does not revoke a copy the attacker took/);
});

test('Secret names and keys that are not valid Kubernetes names are refused (spaces, ;, $(…), leading -)', () => {
  for (const secret of ['db creds', 'db;rm -rf /', '$(id)', 'DB', 'x\n']) {
    assert.throws(() => listRotateAtSource([{ ...dbCreds, secret }]), UnsafeValueError, JSON.stringify(secret));
  }
  for (const key of ['--all', '..', 'a b', 'k;id']) {
    assert.throws(() => listRotateAtSource([{ ...dbCreds, keys: [key] }]), /refused Secret key/, JSON.stringify(key));
  }
  assert.throws(() => listRotateAtSource([{ ...dbCreds, namespace: 'shop/x' }]), /refused namespace/);
});

test('hook templates: unknown placeholders, stray braces, non-arrays and placeholders in the program are usage errors', () => {
  assert.throws(() => parseRotateHookTemplate('["/bin/rotate", "{secrets}"]'), (e: unknown) => e instanceof UsageError && /unknown placeholder \{secrets\}/.test(e.message));
  assert.throws(() => parseRotateHookTemplate('["/bin/rotate", "{secret"]'), /unmatched "\{"/);
  assert.throws(() => parseRotateHookTemplate('"/bin/rotate {secret}"'), /not an array/);
  assert.throws(() => parseRotateHookTemplate('[]'), /not an array/);
  assert.throws(() => parseRotateHookTemplate('["/bin/rotate", 1]'), /argument 1 is not a string/);
  assert.throws(() => parseRotateHookTemplate('["{secret}"]'), /program/);
  assert.throws(() => parseRotateHookTemplate('["bin/rotate"]'), /program/);
  assert.throws(() => parseRotateHookTemplate('[nope'), /not valid JSON/);
});

test('placeholders fill parts of one element each; {{ and }} are literal braces; {key} gives one command per key', () => {
  const template = parseRotateHookTemplate('["/usr/local/bin/rotate", "--target={namespace}/{secret}", "{key}", "{{\\"case\\": \\"{case}\\"}}", "{pod}"]');
  const commands = buildRotateHookCommands(template, listRotateAtSource([dbCreds]), context);
  assert.deepEqual(commands.map((c) => c.argv), [
    ['/usr/local/bin/rotate', '--target=shop/db-creds', 'password', '{"case": "case-1"}', 'web-7d9f'],
    ['/usr/local/bin/rotate', '--target=shop/db-creds', 'username', '{"case": "case-1"}', 'web-7d9f'],
  ]);
  assert.deepEqual(commands.map((c) => c.id), ['rotate-hook:shop/db-creds:password', 'rotate-hook:shop/db-creds:username']);
  const perSecret = buildRotateHookCommands(parseRotateHookTemplate('["rotate", "{secret}"]'), listRotateAtSource([dbCreds]), context);
  assert.deepEqual(perSecret.map((c) => c.argv), [['rotate', 'db-creds']]);
});

test('a Secret read whole (envFrom) with a {key} template needs the key filled in by the responder', () => {
  const items = listRotateAtSource([{ ...dbCreds, keys: [] }]);
  const [command] = buildRotateHookCommands(parseRotateHookTemplate('["rotate", "{secret}", "{key}"]'), items, context);
  assert.deepEqual(command?.argv, ['rotate', 'db-creds', '<key>']);
  assert.deepEqual(command?.placeholders, ['<key>']);
});

test('the hook runs through the runner with each substituted value as exactly one argv element, literal spaces and ; included', async () => {
  const template = parseRotateHookTemplate(JSON.stringify([process.execPath, '-e', PRINT_ARGV, '{namespace}', '--name={secret}', '{key}', 'note: rotated; see {case}']));
  const commands = buildRotateHookCommands(template, listRotateAtSource([dbCreds]), context);
  const records: CommandRecordEntry[] = [];
  const outcomes = await runPlannedCommands(commands, { confirmed: true, show: () => {}, record: (e) => { records.push(e); }, env: { PATH: '' } });
  assert.deepEqual(outcomes.map((o) => o.status), ['succeeded', 'succeeded']);
  assert.deepEqual(JSON.parse(outcomes[0]?.result?.stdout ?? ''), ['shop', '--name=db-creds', 'password', 'note: rotated; see case-1']);
  assert.deepEqual(JSON.parse(outcomes[1]?.result?.stdout ?? ''), ['shop', '--name=db-creds', 'username', 'note: rotated; see case-1']);
  assert.equal(records[0]?.argv.length, 7);
});

test('a hook is not run without confirmation', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const marker = join(dir, 'ran');
  const template = parseRotateHookTemplate(JSON.stringify([process.execPath, '-e', 'require("fs").writeFileSync(process.argv[1], "ran")', marker, '{secret}']));
  const commands = buildRotateHookCommands(template, listRotateAtSource([dbCreds]), context);
  const records: CommandRecordEntry[] = [];
  const outcomes = await runPlannedCommands(commands, { confirmed: false, show: () => {}, record: (e) => { records.push(e); } });
  assert.deepEqual(outcomes.map((o) => [o.status, o.result]), [['not-confirmed', null]]);
  assert.deepEqual(records, []);
  assert.equal(existsSync(marker), false);
  await runPlannedCommands(commands, { confirmed: true, show: () => {}, record: () => {} });
  assert.equal(existsSync(marker), true, 'the same hook does run once confirmed');
});
