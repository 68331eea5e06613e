import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, runKustody } from '../helpers/cli.js';

/** A valid two-step playbook; each case below breaks one thing in it. */
const GOOD = `id: practice
title: Practice
description: A small playbook that the schema tests break one way at a time.
steps:
  - id: look
    title: Look
    why: Evidence first.
    action: capture
    danger: observe
  - id: contain
    title: Contain
    why: Stop the traffic.
    action: isolate
    params: {detach: true}
    danger: contain
    confirm: true
    verify: Reads the changes back.
    undo: {action: release}
    needs: [look]
`;

const CASES: Array<{ name: string; text: string; line: number; problem: RegExp }> = [
  { name: 'an unknown key in a step', text: GOOD.replace('    why: Evidence first.\n', '    why: Evidence first.\n    colour: red\n'), line: 8, problem: /Unknown key "colour" in step "look"/ },
  { name: 'an unknown top-level key', text: GOOD.replace('steps:\n', 'author: me\nsteps:\n'), line: 4, problem: /Unknown key "author" in the playbook/ },
  { name: 'an unknown action', text: GOOD.replace('action: capture', 'action: teleport'), line: 8, problem: /Unknown action "teleport" in step "look"/ },
  { name: 'a needs cycle', text: GOOD.replace('    danger: observe\n', '    danger: observe\n    needs: [contain]\n'), line: 10, problem: /form a cycle: look → contain → look/ },
  { name: 'a needs on an unknown step', text: GOOD.replace('needs: [look]', 'needs: [look, ghost]'), line: 19, problem: /needs "ghost", which is not a step/ },
  { name: 'a contain step without confirm', text: GOOD.replace('    confirm: true\n', ''), line: 10, problem: /Step "contain" is a contain step: it needs confirm: true/ },
  { name: 'a contain step with confirm: false', text: GOOD.replace('confirm: true', 'confirm: false'), line: 16, problem: /needs confirm: true/ },
  { name: 'a contain step without verify', text: GOOD.replace('    verify: Reads the changes back.\n', ''), line: 10, problem: /it needs verify/ },
  { name: 'a contain step without undo', text: GOOD.replace('    undo: {action: release}\n', ''), line: 10, problem: /it needs undo/ },
  { name: 'a danger that does not match the action', text: GOOD.replace('danger: contain', 'danger: observe'), line: 15, problem: /is an isolate step, whose danger is contain, not observe/ },
  { name: 'a bad param value', text: GOOD.replace('params: {detach: true}', 'params: {detach: sometimes}'), line: 14, problem: /"detach" in params of step "contain" must be true or false/ },
  { name: 'an unknown param', text: GOOD.replace('params: {detach: true}', 'params: {detach: true, nuke: true}'), line: 14, problem: /Unknown key "nuke" in params of step "contain"/ },
  { name: 'a command step running a shell', text: GOOD.replace('    action: capture\n', '    action: command\n    params: {argv: [sh, -c, "rm -rf /"]}\n'), line: 9, problem: /command steps run one program without a shell/ },
  { name: 'a description that is not a sentence', text: GOOD.replace('description: A small playbook that the schema tests break one way at a time.', 'description: small'), line: 3, problem: /must be a full sentence/ },
  { name: 'a key given twice', text: GOOD.replace('    title: Look\n', '    title: Look\n    title: Peek\n'), line: 7, problem: /YAML: Map keys must be unique/ },
  { name: 'a YAML alias', text: GOOD.replace('    why: Stop the traffic.', '    why: *reason').replace('    why: Evidence first.', '    why: &reason Evidence first.'), line: 12, problem: /aliases .* are not allowed/ },
  { name: 'a sweep step whose window is not a duration', text: GOOD.replace('    action: isolate\n    params: {detach: true}\n    danger: contain\n', '    action: sweep\n    params: {since: yesterday}\n    danger: revoke\n'), line: 14, problem: /"since" in params of step "contain" must be a duration before the step runs: 30m, 6h, 2d/ },
  { name: 'a sweep step declared contain (it deletes: revoke)', text: GOOD.replace('    action: isolate\n    params: {detach: true}\n', '    action: sweep\n'), line: 14, problem: /is a sweep step, whose danger is revoke, not contain/ },
  { name: 'an audit step naming its log in the playbook (the log is the responder\'s input)', text: GOOD.replace('    action: capture\n', '    action: audit\n    params: {log: /var/log/audit.log}\n'), line: 9, problem: /Unknown key "log" in params of step "look"/ },
];

test('the unbroken practice playbook validates (so every case below fails for its own reason)', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const file = join(dir, 'practice.yaml');
  writeFileSync(file, GOOD);
  const run = await runKustody(['playbook', 'validate', file]);
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /ok +.*practice\.yaml \(practice, 2 steps\)/);
});

for (const c of CASES) {
  test(`playbook validate rejects ${c.name}, naming file:line and the problem (exit 1)`, async (t) => {
    const { dir, cleanup } = makeTempDir();
    t.after(cleanup);
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, c.text);
    const run = await runKustody(['playbook', 'validate', file]);
    assert.equal(run.exitCode, 1, run.stdout + run.stderr);
    const lines = run.stdout.split('\n').filter((l) => l.startsWith(`${file}:`));
    const hit = lines.find((l) => c.problem.test(l));
    assert.ok(hit, `no line matches ${c.problem}:\n${run.stdout}`);
    assert.match(hit, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${c.line}:\\d+: `), `wrong line in: ${hit}`);
    const json = await runKustody(['playbook', 'validate', file, '--json']);
    assert.equal(json.exitCode, 1);
    const report = JSON.parse(json.stdout) as { valid: boolean; files: Array<{ problems: Array<{ line: number; message: string }> }> };
    assert.equal(report.valid, false);
    assert.ok(report.files[0]?.problems.some((p) => p.line === c.line && c.problem.test(p.message)), json.stdout);
  });
}

test('playbook validate with no argument checks every shipped playbook and they all pass', async () => {
  const run = await runKustody(['playbook', 'validate']);
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  for (const id of ['compromised-pod', 'leaked-token', 'cryptominer', 'data-exfiltration']) assert.match(run.stdout, new RegExp(`ok +playbooks/${id}\\.yaml`));
});

test('playbook list --json describes each shipped playbook with its steps and their danger', async () => {
  const run = await runKustody(['playbook', 'list', '--json']);
  assert.equal(run.exitCode, 0, run.stderr);
  const list = JSON.parse(run.stdout) as { playbooks: Array<{ id: string; valid: boolean; inputs: string[]; steps: Array<{ id: string; action: string; danger: string }> }> };
  const pod = list.playbooks.find((p) => p.id === 'compromised-pod');
  assert.deepEqual(pod?.steps.map((s) => `${s.id}:${s.action}:${s.danger}`), ['snapshot:capture:observe', 'isolate:isolate:contain', 'capture:capture:observe', 'identities:identities:observe', 'audit-log:audit:observe', 'revoke:revoke:revoke', 'sweep:sweep:revoke', 'export:export:observe']);
  assert.deepEqual(list.playbooks.find((p) => p.id === 'leaked-token')?.inputs, ['token']);
});

test('run refuses an invalid playbook before touching the case or the cluster, naming file:line', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, GOOD.replace('action: capture', 'action: teleport'));
  const run = await runKustody(['run', file, '--target', 'shop/suspect', '--case', join(dir, 'no-such-case')]);
  assert.equal(run.exitCode, 2, run.stdout + run.stderr);
  assert.match(run.stderr, /broken\.yaml:8:\d+: Unknown action "teleport"/);
});
