// `kustody completion bash` driven in a real bash: subcommands, flags, contexts from the kubeconfig,
// and namespaces and pods from the lab; an unreachable cluster answers fast with nothing, and a hostile
// context name never reaches the shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
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

/** Writes the zsh or fish script and a `kustody` wrapper into `dir`; returns the script path. */
async function scriptFor(dir: string, shell: 'zsh' | 'fish'): Promise<string> {
  const script = join(dir, `kustody.${shell}`);
  writeFileSync(script, (await runKustody(['completion', shell])).stdout);
  writeFileSync(join(dir, 'kustody'), `#!/bin/sh\nexec '${process.execPath}' '${KUSTODY_BIN}' "$@"\n`, { mode: 0o755 });
  return script;
}

// zsh's completion system needs a terminal; the driver stands in for compadd/_files/compdef and runs the script's function.
const ZSH_DRIVER = String.raw`compdef() { : }
_files() { print -- ':files' }
compadd() { while (( $# )); do case $1 in -a) shift; print -l -- "\${(@P)1}";; -S) shift;; -Q|--) ;; *) print -- "$1";; esac; shift; done }
source "$1"
words=(\${(z)2}); [[ "$2" == *' ' ]] && words+=('')
CURRENT=\${#words}
_kustody`.replace(/\\\$\{/g, '${');

for (const shell of ['zsh', 'fish'] as const) {
  test(`${shell} completes subcommands, second words, flags and file-valued flags`, async (t) => {
    if ((await execa('sh', ['-c', `command -v ${shell}`], { reject: false })).exitCode !== 0) {
      if (process.env.CI) assert.fail(`${shell} is not installed (.ci/run installs it)`);
      t.skip(`${shell} is not installed`);
      return;
    }
    const { dir, cleanup } = makeTempDir();
    t.after(cleanup);
    const script = await scriptFor(dir, shell);
    const env = { PATH: `${dir}:${process.env.PATH ?? ''}`, HOME: dir, KUBERC: 'off' };
    const offered = async (line: string) => {
      const run = shell === 'zsh'
        ? await execa('zsh', ['-f', '-c', ZSH_DRIVER, 'driver', script, line], { env, extendEnv: false, timeout: 30_000 })
        : await execa('fish', ['--no-config', '-c', `source '${script}'; complete -C '${line}'`], { env, extendEnv: false, timeout: 30_000 });
      return run.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0]);
    };
    assert.deepEqual(await offered('kustody cap'), ['capture']);
    assert.deepEqual(await offered('kustody capture '), ['local', 'pod']);
    assert.deepEqual(await offered('kustody isolate --ca'), ['--case']);
    if (shell === 'zsh') assert.deepEqual(await offered('kustody isolate --case '), [':files']);
  });
}

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
  // A loopback server that accepts and never answers: the TLS handshake hangs, as behind a dead VPN.
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => silent.close());
  const port = (silent.address() as AddressInfo).port;
  writeFileSync(join(dir, 'k'), JSON.stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'c', clusters: [{ name: 'k', cluster: { server: `https://127.0.0.1:${port}` } }], contexts: [{ name: 'c', context: { cluster: 'k' } }] }));
  const started = Date.now();
  assert.deepEqual(await complete(dir, 'kustody isolate -n shop ', { KUBECONFIG: join(dir, 'k') }), []);
  // 2 s for the cluster plus node start-up on a loaded machine; a hang would run into the 30 s driver timeout.
  assert.ok(Date.now() - started < 20_000, `completion took ${Date.now() - started} ms`);
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
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: ns }, spec: { schedulingGates: [{ name: 'kustody.test/never' }], containers: [{ name: 'c', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never' }] } };
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  const created = await kubectl(lab, 'admin', ['apply', '-f', '-'], { input: JSON.stringify(pod) });
  assert.equal(created.exitCode, 0, created.stderr);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  assert.ok((await complete(dir, 'kustody isolate kcfg-comp', env)).includes(`${ns}/`));
  assert.deepEqual(await complete(dir, `kustody isolate ${ns}/`, env), [`${ns}/web-0`]);
  assert.deepEqual(await complete(dir, `kustody capture pod -n ${ns} w`, env), ['web-0']);
});
