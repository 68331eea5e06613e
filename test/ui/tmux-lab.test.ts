/**
 * The guided UI against the real lab (slow): `kustody` with no arguments in tmux, as the lab's
 * least-privilege responder, walks compromised-pod against the shop scenario's suspect in a fresh
 * namespace: typed confirmation (a mismatch first, checked against the API server), Ctrl-C at the
 * revoke step, resume, and the finished bundle verified and holding the suspect's evidence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyScenario, kubectl, requireLab } from '../helpers/lab.js';
import { KUSTODY_BIN, makeTempDir, runKustody } from '../helpers/cli.js';
import { startTmux } from './tmux.js';
import { execFileSync } from 'node:child_process';
import { lacks, needsTmux } from '../helpers/prerequisites.js';

/** What a compromised-pod run must have found and done, independent of names, times and ids. */
function caseContents(db: string): Record<string, string> {
  const q = (sql: string) => execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();
  return {
    processes: q("SELECT group_concat(comm, ',') FROM (SELECT DISTINCT comm FROM processes ORDER BY comm)"),
    outbound: q("SELECT count(DISTINCT capture_id) FROM connections WHERE proto = 'tcp' AND state = 'ESTABLISHED' AND remote_port = 8080"),
    deleted_exe: q('SELECT count(DISTINCT capture_id) FROM processes WHERE exe_deleted = 1'),
    credentials: q("SELECT group_concat(kind, ',') FROM (SELECT DISTINCT kind FROM credentials ORDER BY kind)"),
    objects: q("SELECT group_concat(kind, ',') FROM (SELECT DISTINCT kind FROM k8s_objects WHERE kind <> 'Event' ORDER BY kind)"),
    changes: q("SELECT group_concat(id, ',') FROM (SELECT DISTINCT json_extract(detail, '$.change_id') AS id FROM actions WHERE kind IN ('contain', 'revoke') AND outcome IN ('applied', 'already-in-effect', 'deletion-under-way') ORDER BY id)"),
  };
}

test('compromised-pod through the terminal UI: confirm, stop halfway, resume, and a verified bundle', { timeout: 300_000 }, async (t) => {
  if (lacks(t, needsTmux())) return;
  const lab = await requireLab(t);
  if (lab === null) return;
  const ns = `ui-e2e-${randomBytes(3).toString('hex')}`;
  const target = `${ns}/suspect`;
  const { dir, cleanup } = makeTempDir('kustody-ui-lab-');
  await applyScenario('shop', ns);
  const ui = startTmux([process.execPath, KUSTODY_BIN], { env: { KUBECONFIG: lab.responderKubeconfig, KUSTODY_CASE_DIR: dir }, columns: 130, rows: 42 });
  try {
    const start = await ui.waitFor((s) => s.includes('permissions this playbook needs') || s.includes('denied'), 'the permission check', 30_000);
    assert.match(start, /You {6}kustody-responder \(groups: kustody:responders/);
    assert.match(start, /All \d+ permissions this playbook needs are granted\./);
    ui.send(['Enter']);
    await ui.waitFor((s) => s.includes('NAMESPACE/NAME') && !s.includes('loading'), 'the pod list', 30_000);
    ui.send(['/']);
    ui.send([target], true);
    const picked = await ui.waitFor((s) => s.includes('of 1 matching'), 'the suspect alone');
    assert.match(picked, /SA-RBAC cloud/);
    ui.send(['Enter']);
    ui.send(['Enter']);
    await ui.waitFor((s) => s.includes('Enter start'), 'the plan');
    ui.send(['Enter']);

    const isolate = await ui.waitFor((s) => s.includes(`type ${target} and press Enter`), 'the isolate confirmation', 60_000);
    assert.match(ui.history(), /✓ Quick volatile snapshot \(snapshot\): done/);
    assert.match(isolate, /What it will apply \(exactly\):/);
    ui.send([`${target}X`], true);
    ui.send(['Enter']);
    await ui.waitFor((s) => s.includes('nothing was sent (1 refused)'), 'the mismatch refused');
    const pod = await kubectl(lab, 'admin', ['-n', ns, 'get', 'pod', 'suspect', '-o', 'jsonpath={.metadata.labels}']);
    assert.doesNotMatch(pod.stdout, /kustody\.io\/quarantine/, 'a mismatch sent nothing: the pod is not labelled');
    assert.equal((await kubectl(lab, 'admin', ['-n', ns, 'get', 'networkpolicy', '-o', 'name'])).stdout.trim(), '', 'and no policy exists');
    ui.send([target], true);
    ui.send(['Enter']);

    const revoke = await ui.waitFor((s) => s.includes('Step 6 of 8') && s.includes(`type ${target}`), 'the revoke confirmation', 120_000);
    assert.match(revoke, /Delete pod .*suspect/);
    assert.match((await kubectl(lab, 'admin', ['-n', ns, 'get', 'pod', 'suspect', '-o', 'jsonpath={.metadata.labels}'])).stdout, /kustody\.io\/quarantine/);
    ui.send(['C-c']);
    const stopped = await ui.waitFor((s) => /Run (interrupted|needs-confirmation)/.test(s), 'the run stopped at the revoke step', 30_000);
    assert.match(stopped, /r resume the run here/);
    assert.equal((await kubectl(lab, 'admin', ['-n', ns, 'get', 'pod', 'suspect', '-o', 'name'])).exitCode, 0, 'the pod was not deleted');

    ui.send(['r']);
    await ui.waitFor((s) => s.includes('resumed') && s.includes(`type ${target}`), 'the resumed run at the revoke confirmation', 60_000);
    ui.send([target], true);
    ui.send(['Enter']);
    const done = await ui.waitFor((s) => s.includes('Run completed'), 'the finished run', 180_000);
    assert.match(done, /Run completed/);
    assert.match(ui.history(), /✓ Export the evidence bundle \(export\): done/);

    const caseDir = readdirSync(dir).find((name) => name.startsWith('case-'));
    assert.ok(caseDir !== undefined, 'the run recorded a case');
    const bundle = readdirSync(join(dir, caseDir)).find((name) => name.endsWith('.tar'));
    assert.ok(bundle !== undefined, 'the export step wrote a bundle');
    const verify = await runKustody(['bundle', 'verify', join(dir, caseDir, bundle)]);
    assert.equal(verify.exitCode, 0, verify.stdout);
    const review = JSON.parse((await runKustody(['review', join(dir, caseDir, bundle), '--json'])).stdout) as { ok: boolean; counts: Record<string, number> };
    assert.ok(review.ok);
    for (const table of ['processes', 'connections', 'credentials']) assert.ok((review.counts[table] ?? 0) > 0, `the bundle holds ${table}`);

    // The same playbook headless, against a second copy of the scenario, leaves the same evidence.
    const ns2 = `${ns}-h`;
    await applyScenario('shop', ns2);
    t.after(async () => void (await kubectl(lab, 'admin', ['delete', 'namespace', ns2, '--wait=false'])));
    const headlessCase = JSON.parse((await runKustody(['case', 'new', '--dir', dir, '--json'])).stdout) as { path: string };
    const headless = await runKustody(['run', 'compromised-pod', '--target', `${ns2}/suspect`, '--case', headlessCase.path, '--yes', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
    assert.equal(headless.exitCode, 0, headless.stdout + headless.stderr);
    assert.deepEqual(caseContents(join(headlessCase.path, 'evidence.db')), caseContents(join(dir, caseDir, 'evidence.db')));

    ui.send(['e']);
    await ui.waitFor((s) => s.includes('SEVERITY'), 'the run\'s evidence, on its Findings tab');
    ui.send(['5']);
    assert.match(await ui.waitFor((s) => s.includes('FINGERPRINT'), 'the credentials tab'), /serviceaccount-token/);
    ui.send(['q']);
    await ui.waitFor((s) => s.includes('EXIT=0'), 'a clean exit');
  } finally {
    ui.close();
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
    // The isolate step's guard is cluster-scoped and outlives the namespace: remove this run's own, by its case id.
    for (const caseId of readdirSync(dir).filter((name) => name.startsWith('case-'))) {
      const guard = `kustody-guard-${caseId.slice('case-'.length).toLowerCase()}-suspect`;
      await kubectl(lab, 'admin', ['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', guard, '--ignore-not-found']);
    }
    cleanup();
  }
});
