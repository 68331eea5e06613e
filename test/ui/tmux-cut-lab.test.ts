/**
 * The guided UI's cut choice against the real lab, in a real terminal: with a cut image configured,
 * `c` on the start screen turns on cutting the connections that survive isolation; the isolate step
 * then cuts the shop suspect's outbound connection from a guarded node pod, the processes keep
 * running, and the case records the cut.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CASE_DB_FILE } from '../../src/adapters/store/case-store.js';
import { parseNetInet } from '../../src/core/evidence/parsers/index.js';
import { applyScenario, kubectl, requireLab } from '../helpers/lab.js';
import { KUSTODY_BIN, makeTempDir, runKustody } from '../helpers/cli.js';
import { lacks, needsTmux } from '../helpers/prerequisites.js';
import { startTmux } from './tmux.js';

test('the UI\'s cut choice: c turns it on, the isolate step cuts the connection that survived the policy, and the case records the cut', { timeout: 300_000 }, async (t) => {
  if (lacks(t, needsTmux())) return;
  const lab = await requireLab(t);
  if (lab === null) return;
  const ns = `ui-cut-${randomBytes(3).toString('hex')}`;
  const target = `${ns}/suspect`;
  const { dir, cleanup } = makeTempDir('kustody-ui-cut-');
  await applyScenario('shop', ns);
  // HOME is the test's own folder: no settings file of the machine's user is read.
  const env = { KUBECONFIG: lab.responderKubeconfig, KUSTODY_CASE_DIR: dir, HOME: dir, KUSTODY_NETCUT_IMAGE: 'lab.local/netcut:1', KUSTODY_NETCUT_PULL_POLICY: 'Never' };
  const ui = startTmux([process.execPath, KUSTODY_BIN], { env, columns: 130, rows: 42 });
  try {
    const start = await ui.waitFor((s) => s.includes('permissions this playbook needs'), 'the start screen', 30_000);
    assert.match(start, /Cut +\[ \] cut surviving connections when isolating \(c toggles\)/, 'the cut is offered, off by default');
    ui.send(['c']);
    await ui.waitFor((s) => /Cut +\[x\] cut surviving connections/.test(s), 'the cut turned on');
    ui.send(['Enter']);
    await ui.waitFor((s) => s.includes('NAMESPACE/NAME') && !s.includes('loading'), 'the pod list', 30_000);
    ui.send(['/']);
    ui.send([target], true);
    await ui.waitFor((s) => s.includes('of 1 matching'), 'the suspect alone');
    ui.send(['Enter']);
    ui.send(['Enter']);
    assert.match(await ui.waitFor((s) => s.includes('Enter start'), 'the plan'), /Cut on: the isolate step also cuts every connection that survives the policy/);
    ui.send(['Enter']);
    const isolate = await ui.waitFor((s) => s.includes(`type ${target} and press Enter`), 'the isolate confirmation', 60_000);
    assert.match(isolate.replace(/\n/g, ' '), /then every connection that survived the policy is cut\s+from its node/, 'the isolate step says it will cut before it is confirmed');
    ui.send([target], true);
    ui.send(['Enter']);
    await ui.waitFor((s) => s.includes('Step 6 of 8') && s.includes(`type ${target}`), 'the revoke confirmation (after isolation and the cut)', 180_000);
    const history = ui.history();
    assert.match(history, /Cut surviving connections/, 'the isolate step reports its cut');
    assert.doesNotMatch(history, /NOT POSSIBLE/, 'the cut was refused');
    ui.send(['Escape']);

    const caseDir = readdirSync(dir).find((name) => name.startsWith('case-'));
    assert.ok(caseDir !== undefined, 'the run recorded a case');
    const db = new Database(join(dir, caseDir, CASE_DB_FILE), { readonly: true });
    t.after(() => db.close());
    const cuts = (db.prepare("SELECT detail FROM actions WHERE kind = 'contain' AND outcome = 'cut'").all() as Array<{ detail: string }>).map((r) => JSON.parse(r.detail) as { cut: Array<{ remote_port: number }>; remaining: unknown[] });
    assert.equal(cuts.length, 1, 'one cut recorded');
    assert.ok(cuts[0]?.cut.some((c) => c.remote_port === 8080), JSON.stringify(cuts[0]));
    assert.deepEqual(cuts[0]?.remaining, []);
    const planned = db.prepare("SELECT detail FROM actions WHERE kind = 'playbook' AND outcome = 'planned'").pluck().get() as string;
    assert.match(planned, /"cut_connections":"every isolate step \(the responder's choice\)"/, 'the run\'s planned row records the responder\'s choice');
    // Read by the responder (the guard refuses everyone else): the suspect holds no connection to the server any more, and still runs.
    const tcp = await kubectl(lab, 'responder', ['exec', '-n', ns, 'suspect', '--', 'cat', '/proc/net/tcp']);
    assert.equal(tcp.exitCode, 0, tcp.stderr);
    const toServer = parseNetInet(Buffer.from(tcp.stdout), 'tcp').sockets.filter((s) => s.remotePort === 8080 && s.state === 'ESTABLISHED');
    assert.deepEqual(toServer, [], 'an established connection to the server remains');
  } finally {
    ui.close();
    const caseDir = readdirSync(dir).find((name) => name.startsWith('case-'));
    if (caseDir !== undefined) await runKustody(['release', target, '--case', join(dir, caseDir), '--yes'], { env: { KUBECONFIG: lab.responderKubeconfig } });
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
    cleanup();
  }
});
