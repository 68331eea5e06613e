import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { execa } from 'execa';
import { requireLab } from '../helpers/lab.js';
import { custodyRows } from './playbook-helpers.js';

const PLAYBOOK = `id: whoami-drill
title: Who am I
description: One kubectl command step, to see which cluster it talks to.
steps:
  - id: whoami
    title: Ask the API server who we are
    why: A kubectl step must reach the cluster kustody reaches.
    action: command
    params: {argv: [kubectl, auth, whoami, -o, "jsonpath={.status.userInfo.username}"]}
    danger: observe
`;

test('a kubectl command step gets kustody\'s --context: with the kubeconfig\'s current context pointing nowhere it still reaches the cluster kustody uses', { timeout: 120_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  // The responder's kubeconfig plus a context that reaches nothing, made the current one.
  const kubeconfig = join(dir, 'kubeconfig');
  copyFileSync(lab.responderKubeconfig, kubeconfig);
  for (const args of [
    ['config', 'set-cluster', 'nowhere', '--server=https://127.0.0.1:1'],
    ['config', 'set-context', 'nowhere', '--cluster=nowhere', '--user=kustody-responder'],
    ['config', 'use-context', 'nowhere'],
  ]) assert.equal((await execa(lab.kubectl, [...args, `--kubeconfig=${kubeconfig}`], { reject: false })).exitCode, 0, args.join(' '));
  const file = join(dir, 'drill.yaml');
  writeFileSync(file, PLAYBOOK);
  const env = { KUBECONFIG: kubeconfig, PATH: `${dirname(lab.kubectl)}:${process.env.PATH ?? '/usr/bin:/bin'}` };

  const steps = async (extra: string[]) => {
    const created = await newCase(dir);
    const run = await runKustody(['run', file, '--target', 'drill/none', '--case', created.path, '--yes', ...extra], { env });
    const rows = custodyRows(created.path).filter((r) => (r.detail as { step?: string }).step === 'command');
    return { run, detail: rows[0]?.detail as { argv: string[]; exit: string } | undefined };
  };
  const chosen = await steps(['--context', 'responder@kustody-lab']);
  assert.equal(chosen.run.exitCode, 0, chosen.run.stdout + chosen.run.stderr);
  assert.deepEqual(chosen.detail?.argv.slice(0, 3), ['kubectl', '--context=responder@kustody-lab', 'auth']);
  assert.match(String(chosen.detail?.exit), /^0 \(success\)$/);
  // The control: kustody on the current context (nowhere) hands kubectl that context, and kubectl cannot connect.
  const nowhere = await steps([]);
  assert.deepEqual(nowhere.detail?.argv.slice(0, 2) ?? ['(the step did not run)'], ['kubectl', '--context=nowhere'], nowhere.run.stdout + nowhere.run.stderr);
  assert.doesNotMatch(String(nowhere.detail?.exit), /^0 \(success\)$/);
});
