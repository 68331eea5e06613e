import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';

test('a kubeconfig whose user runs a credential plugin is refused, and the plugin never runs', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const marker = join(dir, 'plugin-ran');
  const plugin = join(dir, 'plugin.sh');
  writeFileSync(plugin, `#!/bin/sh\ntouch '${marker}'\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"x"}}'\n`, { mode: 0o755 });
  const kubeconfig = join(dir, 'plugin.kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1' } }],
    users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } } }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
  }));
  for (const args of [['identities', 'shop/web'], ['isolate', 'shop/web'], ['capture', 'pod', 'shop/web']]) {
    const run = await runKustody([...args, '--case', created.path, '--kubeconfig', kubeconfig]);
    assert.equal(run.exitCode, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /gets its credentials by running a plugin program/);
    assert.match(run.stderr, /--allow-exec-plugin/);
  }
  assert.equal(existsSync(marker), false, 'the credential plugin was run');
});
