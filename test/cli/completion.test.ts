// `kustody completion bash` driven in a real bash: subcommands, flags, contexts from the kubeconfig,
// and namespaces and pods from the lab; an unreachable cluster answers fast with nothing, and a hostile
// context name never reaches the shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { KUSTODY_BIN, makeTempDir, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab } from '../helpers/lab.js';

/** Completes `line` (the cursor at its end) with the bash script kustody prints; returns COMPREPLY. */
async function complete(dir: string, line: string, env: Record<string, string> = {}): Promise<string[]> {
  const script = join(dir, 'kustody.bash');
  if (!existsSync(script)) {
    writeFileSync(script, (await runKustody(['completion', 'bash'])).stdout);
    writeFileSync(join(dir, 'kustody'), `#!/bin/sh\nexec '${process.execPath}' '${KUSTODY_BIN}' "$@"\n`, { mode: 0o755 });
  }
  const driver = `source '${script}'\nCOMP_LINE="$1"; read -r -a COMP_WORDS <<< "$1"; [[ "$1" == *' ' ]] && COMP_WORDS+=('')\nCOMP_CWORD=$((\${#COMP_WORDS[@]} - 1))\n_kustody_complete\nprintf '%s\\n' "\${COMPREPLY[@]}"\n`;
  const run = await execa('bash', ['-c', driver, 'driver', line], { env: { PATH: `${dir}:${process.env.PATH ?? ''}`, HOME: dir, KUBERC: 'off', ...env }, extendEnv: false, timeout: 30_000 });
  return run.stdout.split('\n').filter((l) => l !== '');
}

test('bash completes subcommands, second words and a command\'s flags', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  assert.deepEqual(await complete(dir, 'kustody cap'), ['capture']);
  assert.deepEqual(await complete(dir, 'kustody capture '), ['local', 'pod']);
  assert.deepEqual(await complete(dir, 'kustody isolate --ca'), ['--case']);
  assert.ok((await complete(dir, 'kustody revoke -')).includes('--namespace'));
  assert.ok((await complete(dir, 'kustody --con')).includes('--context'), 'bare kustody (the UI) completes the cluster flags');
});

test('contexts come from the merged kubeconfig; a hostile context name is dropped, never run by the shell', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const marker = join(dir, 'pwned');
  const config = (contexts: string[]) => JSON.stringify({ apiVersion: 'v1', kind: 'Config', contexts: contexts.map((name) => ({ name, context: { cluster: 'k' } })) });
  writeFileSync(join(dir, 'a'), config(['prod', `$(touch ${marker})`]));
  writeFileSync(join(dir, 'b'), config(['arn:aws:eks:eu-west-1:123:cluster/shop', 'prod']));
  const offered = await complete(dir, 'kustody isolate --context ', { KUBECONFIG: `${join(dir, 'a')}:${join(dir, 'missing')}:${join(dir, 'b')}` });
  assert.deepEqual(offered, ['arn:aws:eks:eu-west-1:123:cluster/shop', 'prod']);
  assert.equal(existsSync(marker), false, 'a context name was executed by the shell');
});

test('an unreachable cluster gives no pods within the completion timeout', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  // 192.0.2.1 would leave the machine; a closed loopback port refuses at once, a silent one is the hang case.
  writeFileSync(join(dir, 'k'), JSON.stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'c', clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1' } }], contexts: [{ name: 'c', context: { cluster: 'k' } }] }));
  const started = Date.now();
  assert.deepEqual(await complete(dir, 'kustody isolate -n shop ', { KUBECONFIG: join(dir, 'k') }), []);
  assert.ok(Date.now() - started < 10_000, `completion took ${Date.now() - started} ms`);
});

test('on the lab, bash completes namespaces as NS/, then that namespace\'s pods, and bare pods with -n', async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  const { dir, cleanup } = makeTempDir();
  const ns = `kcfg-comp-${Math.random().toString(16).slice(2, 8)}`;
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
    cleanup();
  });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: ns }, spec: { schedulingGates: [{ name: 'kustody.test/never' }], containers: [{ name: 'c', image: 'busybox' }] } };
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  const created = await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: JSON.stringify(pod) });
  assert.equal(created.exitCode, 0, created.stderr);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  assert.ok((await complete(dir, 'kustody isolate kcfg-comp', env)).includes(`${ns}/`));
  assert.deepEqual(await complete(dir, `kustody isolate ${ns}/`, env), [`${ns}/web-0`]);
  assert.deepEqual(await complete(dir, `kustody capture pod -n ${ns} w`, env), ['web-0']);
});
