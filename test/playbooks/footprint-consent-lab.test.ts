/**
 * A playbook capture step headless against the lab's distroless pod (no sh): without --yes the debug
 * and node vantages are skipped (nothing is added to the pod, no consent is recorded); with --yes (the
 * headless confirmation) the approval of the debug footprint, with what it leaves, is a custody row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CASE_DB_FILE } from '../../src/adapters/store/case-store.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyScenario, kubectl, labCollectorImage, requireLab } from '../helpers/lab.js';

const SNAPSHOT_ONLY = `id: snapshot-only
title: Snapshot only
description: The compromised-pod playbook's first step alone.
steps:
  - id: snapshot
    title: Quick volatile snapshot
    why: Connections and processes before anything changes.
    action: capture
    params: {via: auto, scope: volatile, timeout_seconds: 60}
    danger: observe
`;

/** The footprint consent rows and the capture-end notes of a case. */
function custody(caseDir: string): { consent: Array<{ outcome: string; actor: string; detail: { vantage: string; image: string; will_leave: string[] } }>; notes: string[][] } {
  const db = new Database(join(caseDir, CASE_DB_FILE), { readonly: true });
  try {
    const consent = (db.prepare("SELECT outcome, actor, detail FROM actions WHERE kind = 'footprint' AND json_extract(detail, '$.plan') = 'consent' ORDER BY seq").all() as Array<{ outcome: string; actor: string; detail: string }>)
      .map((r) => ({ outcome: r.outcome, actor: r.actor, detail: JSON.parse(r.detail) as { vantage: string; image: string; will_leave: string[] } }));
    const notes = (db.prepare("SELECT detail FROM actions WHERE kind = 'observe' AND json_extract(detail, '$.step') = 'capture-end' ORDER BY seq").all() as Array<{ detail: string }>)
      .map((r) => (JSON.parse(r.detail) as { notes: string[] }).notes);
    return { consent, notes };
  } finally {
    db.close();
  }
}

test('a headless capture step leaves no footprint without --yes; with --yes it uses debug and records the approval, with what the footprint leaves, in the custody log', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  const image = await labCollectorImage();
  const ns = `fpc-${randomBytes(3).toString('hex')}`;
  await applyScenario('distroless', ns);
  t.after(async () => void (await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false'])));
  const { dir, cleanup } = makeTempDir('kustody-consent-');
  t.after(cleanup);
  const playbook = join(dir, 'snapshot-only.yaml');
  writeFileSync(playbook, SNAPSHOT_ONLY);
  const env = { KUBECONFIG: lab.responderKubeconfig, HOME: dir, KUSTODY_COLLECTOR_IMAGE: image, KUSTODY_COLLECTOR_PULL_POLICY: 'Never' };
  const ephemeral = async () => (JSON.parse((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'app', '-o', 'json'])).stdout) as { spec: { ephemeralContainers?: Array<{ image: string }> } }).spec.ephemeralContainers;

  const unconfirmed = await newCase(dir, 'no --yes');
  const refused = await runKustody(['run', playbook, '--target', `${ns}/app`, '--case', unconfirmed.path], { env });
  assert.equal(refused.exitCode, 1, refused.stdout + refused.stderr);
  assert.doesNotMatch(refused.stdout, /vantage changes the cluster/, 'nothing was offered for confirmation without --yes');
  assert.equal(await ephemeral(), undefined, 'no ephemeral container without --yes');
  const before = custody(unconfirmed.path);
  assert.deepEqual(before.consent, []);
  assert.match((before.notes[0] ?? []).join('\n'), /debug: skipped, it changes the cluster \(a permanent ephemeral container\); confirm with --yes/);

  const confirmed = await newCase(dir, 'with yes');
  const run = await runKustody(['run', playbook, '--target', `${ns}/app`, '--case', confirmed.path, '--yes'], { env });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /snapshot +done .* via debug: complete/);
  assert.deepEqual((await ephemeral())?.map((c) => c.image), [image]);
  const after = custody(confirmed.path);
  assert.deepEqual(after.consent.map((c) => [c.detail.vantage, c.outcome, c.detail.image]), [['debug', 'approved', image]]);
  assert.match(after.consent[0]?.actor ?? '', /as kustody-responder/);
  assert.deepEqual(after.consent[0]?.detail.will_leave, [`an ephemeral container from ${image}`, `added to ${ns}/app (permanent: ephemeral containers can never be removed from a pod)`]);
  assert.ok((after.notes[0] ?? []).includes('vantage debug: used'), (after.notes[0] ?? []).join('\n'));
});
