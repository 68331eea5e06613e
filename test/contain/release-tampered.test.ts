import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyScenario, kubectl, requireLab, type LabEnv } from '../helpers/lab.js';

async function podLabels(lab: LabEnv, ns: string, pod: string): Promise<Record<string, string>> {
  const run = await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, pod, '-o', 'json']);
  assert.equal(run.exitCode, 0, run.stderr);
  return (JSON.parse(run.stdout) as { metadata: { labels: Record<string, string> } }).metadata.labels;
}

test('release from a case whose undo record was edited is refused before any request, and the pod stays isolated', { timeout: 240_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `lcase-rel-${Math.random().toString(36).slice(2, 7)}`;
  await applyScenario('shop', ns);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const isolated = await runKustody(['isolate', `${ns}/suspect`, '--case', created.path, '--yes', '--json'], { env });
  assert.equal(isolated.exitCode, 0, isolated.stdout + isolated.stderr);
  const isolatedLabels = await podLabels(lab, ns, 'suspect');
  assert.equal(isolatedLabels['kustody.io/quarantine'], created.id);
  // The attacker rewrites the label key release would remove (the undo patch recorded with the change).
  const db = join(created.path, 'evidence.db');
  const row = execFileSync('sqlite3', [db, "SELECT max(seq) FROM actions WHERE kind = 'contain' AND outcome = 'applied'"], { encoding: 'utf8' }).trim();
  assert.match(row, /^\d+$/);
  const changed = execFileSync('sqlite3', [db, `UPDATE actions SET detail = replace(detail, 'kustody.io/quarantine', 'kustody.io/quarantinX') WHERE seq = ${row} AND instr(detail, 'kustody.io/quarantine') > 0; SELECT changes();`], { encoding: 'utf8' }).trim();
  assert.equal(changed, '1');
  const released = await runKustody(['release', `${ns}/suspect`, '--case', created.path, '--yes'], { env });
  assert.equal(released.exitCode, 1, released.stdout + released.stderr);
  assert.match(released.stderr, /Refusing to release from this case .*broken at row \d+/);
  assert.deepEqual(await podLabels(lab, ns, 'suspect'), isolatedLabels, 'the pod was released from a tampered case');
  const policies = await kubectl(lab, 'admin', ['get', 'networkpolicies', '-n', ns, '-o', 'name']);
  assert.notEqual(policies.stdout.trim(), '', 'the quarantine policy was deleted');
});
