import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { caseConsistency, custodyRows, intentTrail, startKustody, waitForOutput, waitForPause } from './playbook-helpers.js';

// These runs use only command and checklist steps, so they need no cluster: the kubeconfig points nowhere
// (the responder identity is then recorded as unknown).
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: nobody, user: {token: not-a-real-token}}]
contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody}}]
current-context: nowhere
`;

function drill(sleepSeconds: number): string {
  return `id: local-drill
title: Local drill
description: A drill that runs programs on this machine only, for the runner tests.
steps:
  - id: note
    title: Note the time
    why: A first observe step that a resumed run must not repeat.
    action: command
    params: {argv: [date, -u]}
    danger: observe
  - id: wait
    title: Wait
    why: A step that runs long enough to be interrupted.
    action: command
    params: {argv: [sleep, "${sleepSeconds}"]}
    danger: observe
  - id: wrap-up
    title: Wrap up
    why: The last step.
    action: checklist
    params: {items: [Tell the team.]}
    danger: observe
`;
}

const CONTAIN_DRILL = `id: contain-drill
title: Contain drill
description: A drill whose second step declares contain danger, for the confirmation tests.
steps:
  - id: look
    title: Look
    why: Observe first.
    action: checklist
    params: {items: [Look around.]}
    danger: observe
  - id: act
    title: Act
    why: A change that must be confirmed.
    action: command
    params: {argv: [touch, "\${{ case.dir }}/acted"]}
    danger: contain
    confirm: true
    verify: The marker file exists.
    undo: {reason: It is only a marker file.}
`;

async function setup(t: TestContext, playbook: string): Promise<{ dir: string; file: string; casePath: string; env: Record<string, string> }> {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const file = join(dir, 'drill.yaml');
  writeFileSync(file, playbook);
  writeFileSync(join(dir, 'kubeconfig'), KUBECONFIG);
  const created = await newCase(dir);
  return { dir, file, casePath: created.path, env: { KUBECONFIG: join(dir, 'kubeconfig'), PATH: process.env.PATH ?? '/usr/bin:/bin' } };
}

test('Ctrl-C during a running command step stops the program, records the step as interrupted and exits 130; the case stays consistent', { timeout: 60_000 }, async (t) => {
  const { file, casePath, env } = await setup(t, drill(30));
  const run = startKustody(['run', file, '--target', 'drill/none', '--case', casePath], env);
  await waitForOutput(run, /\[1\/3\] note +done/, 30_000);
  // The next step starts its `sleep 30` right away; give it a moment, then interrupt the way a terminal does.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const started = Date.now();
  run.child.kill('SIGINT');
  const result = await run.child;
  assert.equal(result.exitCode, 130, `${run.stdout()}\n${run.stderr()}`);
  assert.ok(Date.now() - started < 10_000, 'the interrupted sleep 30 was waited for');
  assert.match(run.stdout(), /\[2\/3\] wait +interrupted/);
  const rows = custodyRows(casePath);
  assert.deepEqual(intentTrail(rows).slice(-3), ['wait:intent', 'wait:interrupted', '*:finished']);
  assert.equal(rows.find((r) => r.kind === 'observe' && (r.detail as { step?: string }).step === 'command' && r.outcome === 'interrupted')?.outcome, 'interrupted');
  assert.deepEqual(caseConsistency(casePath), { integrity: 'ok', chainBreaks: 0, rows: rows.length });
});

test('--resume after kill -9 skips the step an earlier attempt finished, reruns the one it was killed in, and finishes', { timeout: 60_000 }, async (t) => {
  const { file, casePath, env } = await setup(t, drill(0));
  const run = startKustody(['run', file, '--target', 'drill/none', '--case', casePath], { ...env, KUSTODY_TEST_PAUSE: 'before-step:wait' });
  await waitForPause(run, 'before-step:wait', 30_000);
  run.child.kill('SIGKILL');
  await run.child;
  const resumed = await runKustody(['run', file, '--target', 'drill/none', '--case', casePath, '--resume', '--json'], { env });
  assert.equal(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
  const events = resumed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; stepId?: string; outcome?: string; status?: string; resumed?: boolean });
  assert.equal(events[0]?.type, 'plan');
  assert.equal(events[0]?.resumed, true);
  assert.deepEqual(events.filter((e) => e.type === 'step-done').map((e) => `${e.stepId}:${e.outcome}`), ['note:skipped', 'wait:done', 'wrap-up:warning']);
  assert.deepEqual(events.at(-1), { ...events.at(-1), type: 'finished', status: 'completed' });
  const trail = intentTrail(custodyRows(casePath));
  assert.equal(trail.filter((s) => s === 'note:done').length, 1, `note ran twice: ${trail.join(' ')}`);
  assert.deepEqual(trail, ['*:planned', 'note:intent', 'note:done', '*:resumed', 'wait:intent', 'wait:done', 'wrap-up:intent', 'wrap-up:done', '*:finished']);
});

test('the shipped bin/kustody.js never pauses: with KUSTODY_TEST_PAUSE naming every point the run goes straight through', { timeout: 60_000 }, async (t) => {
  const { file, casePath, env } = await setup(t, drill(0));
  const points = ['note', 'wait', 'wrap-up'].flatMap((id) => [`before-step:${id}`, `after-step:${id}`]).join(',');
  // runKustody starts the shipped entry point; startKustody would pick the test harness for this variable.
  const run = await runKustody(['run', file, '--target', 'drill/none', '--case', casePath, '--json'], { env: { ...env, KUSTODY_TEST_PAUSE: points } });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  assert.doesNotMatch(run.stderr, /KUSTODY_TEST_PAUSED/);
  assert.deepEqual(intentTrail(custodyRows(casePath)), ['*:planned', 'note:intent', 'note:done', 'wait:intent', 'wait:done', 'wrap-up:intent', 'wrap-up:done', '*:finished']);
});

test('without --yes a contain step is not applied: it is recorded as declined, exit 1, and the run says to continue with --resume --yes', { timeout: 60_000 }, async (t) => {
  const { file, casePath, env } = await setup(t, CONTAIN_DRILL);
  const first = await runKustody(['run', file, '--target', 'drill/none', '--case', casePath], { env });
  assert.equal(first.exitCode, 1, first.stdout + first.stderr);
  assert.match(first.stdout, /\[2\/2\] act +needs confirmation/);
  assert.match(first.stdout, /--resume --yes/);
  assert.deepEqual(intentTrail(custodyRows(casePath)).slice(-2), ['act:declined', '*:finished']);
  const dry = await runKustody(['run', file, '--target', 'drill/none', '--case', casePath, '--dry-run', '--yes'], { env });
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /act +dry-run/);
  assert.equal(custodyRows(casePath).some((r) => (r.detail as { step?: string }).step === 'command'), false, 'a contain command ran in a dry run');
  const confirmed = await runKustody(['run', file, '--target', 'drill/none', '--case', casePath, '--resume', '--yes'], { env });
  assert.equal(confirmed.exitCode, 0, confirmed.stdout + confirmed.stderr);
  assert.match(confirmed.stdout, /\[1\/2\] look +skipped/);
  assert.match(confirmed.stdout, /\[2\/2\] act +done/);
  const command = custodyRows(casePath).filter((r) => (r.detail as { step?: string }).step === 'command');
  assert.deepEqual(command.map((r) => `${r.kind}:${r.outcome}`), ['contain:ok']);
});

test('--resume refuses a playbook that changed since the run started, and a case with no run to resume', { timeout: 60_000 }, async (t) => {
  const { file, casePath, env } = await setup(t, drill(0));
  const none = await runKustody(['run', file, '--target', 'drill/none', '--case', casePath, '--resume'], { env });
  assert.equal(none.exitCode, 2, none.stdout + none.stderr);
  assert.match(none.stderr, /no run of local-drill against drill\/none to resume/);
  assert.equal((await runKustody(['run', file, '--target', 'drill/none', '--case', casePath], { env })).exitCode, 0);
  writeFileSync(file, drill(1));
  const changed = await runKustody(['run', file, '--target', 'drill/none', '--case', casePath, '--resume'], { env });
  assert.equal(changed.exitCode, 1, changed.stdout + changed.stderr);
  assert.match(changed.stderr, /changed since run .* started/);
});
