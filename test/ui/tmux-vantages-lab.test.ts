/**
 * The guided UI's footprint vantages against the real lab, in a real terminal: offered only when a
 * collector image is configured and the API server says the responder may use them (hidden with the
 * reason otherwise), and, when offered, the debug vantage's footprint is shown and confirmed by typing
 * the pod before kustody adds its ephemeral container to a distroless pod.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CASE_DB_FILE } from '../../src/adapters/store/case-store.js';
import { join } from 'node:path';
import { applyScenario, kubectl, labCollectorImage, requireLab } from '../helpers/lab.js';
import { boundIdentity } from '../helpers/lab-identity.js';
import { KUSTODY_BIN, makeTempDir, runKustody } from '../helpers/cli.js';
import { lacks, needsTmux } from '../helpers/prerequisites.js';
import { startTmux, type TmuxSession } from './tmux.js';

const START = (s: string) => s.includes('Vantages') && s.includes('Cut ');
const oneLine = (s: string) => s.replace(/\n\s*/g, ' ');

/** Polls the screen with its scrollback (previews scroll above the live frame), lines joined, until `ok` holds; bounded. */
async function waitForText(ui: TmuxSession, ok: (text: string) => boolean, what: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = oneLine(ui.history());
    if (ok(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${ui.screen()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The case the UI recorded: its captures, their processes, and the custody rows of the footprint and the capture's end. */
function recorded(casesDir: string) {
  const found = readdirSync(casesDir).filter((name) => name.startsWith('case-'));
  assert.equal(found.length, 1, `one case recorded: ${found.join(', ')}`);
  const db = new Database(join(casesDir, found[0] ?? '', CASE_DB_FILE), { readonly: true });
  try {
    return {
      captures: db.prepare('SELECT capture_id, status FROM captures').all() as Array<{ capture_id: string; status: string }>,
      processes: (db.prepare('SELECT count(*) AS n FROM processes').get() as { n: number }).n,
      consent: db.prepare("SELECT outcome, detail FROM actions WHERE kind = 'footprint' AND json_extract(detail, '$.plan') = 'consent'").all() as Array<{ outcome: string; detail: string }>,
      ends: (db.prepare("SELECT detail FROM actions WHERE kind = 'observe' AND json_extract(detail, '$.step') = 'capture-end'").all() as Array<{ detail: string }>).map((r) => JSON.parse(r.detail) as { notes: string[] }),
    };
  } finally {
    db.close();
  }
}

test('the UI offers debug and node when an image is configured and RBAC allows them, hides them with the reason otherwise; each footprint is shown and confirmed on its own, a decline adds nothing and is recorded, and an approved debug vantage captures the distroless pod', { timeout: 300_000 }, async (t) => {
  if (lacks(t, needsTmux())) return;
  const lab = await requireLab(t);
  if (lab === null) return;
  const image = await labCollectorImage();
  const { dir, cleanup } = makeTempDir('kustody-ui-vantage-');
  t.after(cleanup);
  const home = join(dir, 'home');
  mkdirSync(home);
  const cases = join(dir, 'cases');
  const base = { HOME: home, KUSTODY_CASE_DIR: cases };
  const sessions: Array<{ close: () => void }> = [];
  t.after(() => sessions.forEach((s) => s.close()));
  const open = (env: Record<string, string>) => {
    const ui = startTmux([process.execPath, KUSTODY_BIN], { env: { ...base, ...env }, columns: 160, rows: 44 });
    sessions.push(ui);
    return ui;
  };

  // 1. No image anywhere: both hidden, saying where an image would be configured.
  const bare = open({ KUBECONFIG: lab.responderKubeconfig });
  const none = await bare.waitFor(START, 'the start screen', 60_000);
  await bare.waitForRawMode();
  assert.match(none, /Vantages exec ✓ {2}debug ✗ {2}node ✗/);
  assert.match(oneLine(none), new RegExp(`debug, node hidden: no collector image configured \\(--collector-image, KUSTODY_COLLECTOR_IMAGE, or collectorImage: in ${home}/\\.config/kustody/config\\.yaml\\)`));
  assert.match(none, /Cut {6}hidden: no cut image configured/);
  bare.send(['q']);

  // 2. Configured in the settings file (XDG_CONFIG_HOME), but the identity may only observe: hidden, naming what RBAC denies.
  const xdg = join(dir, 'xdg');
  mkdirSync(join(xdg, 'kustody'), { recursive: true });
  writeFileSync(join(xdg, 'kustody', 'config.yaml'), `collectorImage: ${image}\ncollectorPullPolicy: Never\nnetcutImage: lab.local/netcut:1\nnetcutPullPolicy: Never\n`);
  const idNs = `uiv-${randomBytes(3).toString('hex')}`;
  await kubectl(lab, 'admin', ['create', 'namespace', idNs]);
  t.after(async () => void (await kubectl(lab, 'admin', ['delete', 'namespace', idNs, '--wait=false'])));
  const observer = await boundIdentity(lab, dir, idNs, 'observer', { kind: 'ClusterRole', name: 'kustody-observe' });
  t.after(observer.cleanup);
  const limited = open({ KUBECONFIG: observer.kubeconfig, XDG_CONFIG_HOME: xdg });
  const denied = oneLine(await limited.waitFor(START, 'the start screen as an observer', 60_000));
  await limited.waitForRawMode();
  assert.match(denied, /debug hidden: RBAC denies patch pods\/ephemeralcontainers/);
  assert.match(denied, /node hidden: RBAC denies create pods in kustody-system/);
  assert.match(denied, /Cut +hidden: RBAC denies create pods in kustody-system/);
  limited.send(['q']);

  // 3. The responder with the same file: offered, with the image and where it came from; c toggles the cut.
  const ns = `uiv-${randomBytes(3).toString('hex')}`;
  await applyScenario('distroless', ns);
  t.after(async () => void (await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false'])));
  const ui = open({ KUBECONFIG: lab.responderKubeconfig, XDG_CONFIG_HOME: xdg });
  const offered = oneLine(await ui.waitFor(START, 'the start screen as the responder', 60_000));
  await ui.waitForRawMode();
  assert.match(offered, /Vantages exec ✓ {2}debug ✓ {2}node ✓/);
  assert.ok(offered.includes(`collector image ${image} (from ${join(xdg, 'kustody', 'config.yaml')} (collectorImage))`), offered);
  assert.match(offered, /Cut +\[ \] cut surviving connections when isolating \(c toggles\) · image lab\.local\/netcut:1/);
  ui.send(['c']);
  await ui.waitFor((s) => s.includes('[x] cut surviving connections'), 'the cut chosen');
  ui.send(['c']);
  await ui.waitFor((s) => s.includes('[ ] cut surviving connections'), 'the cut unchosen');

  // The distroless pod through compromised-pod: exec has no sh, so the debug vantage asks first, showing its footprint.
  ui.send(['Enter']);
  await ui.waitFor((s) => s.includes('NAMESPACE/NAME') && !s.includes('loading'), 'the pod list', 30_000);
  ui.send(['/']);
  ui.send([`${ns}/app`], true);
  await ui.waitFor((s) => s.includes('of 1 matching'), 'the distroless pod alone');
  ui.send(['Enter']);
  ui.send(['Enter']);
  await ui.waitFor((s) => s.includes('Enter start'), 'the plan');
  ui.send(['Enter']);
  const ephemeral = async () => (JSON.parse((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'app', '-o', 'json'])).stdout) as { spec: { ephemeralContainers?: Array<{ image: string }> } }).spec.ephemeralContainers;
  const debugAsk = `The debug vantage changes the cluster. It will leave: an ephemeral container from ${image} added to ${ns}/app (permanent: ephemeral containers can never be removed from a pod)`;
  await waitForText(ui, (s) => s.includes(debugAsk) && s.includes(`type ${ns}/app`), 'the debug footprint confirmation', 120_000);
  assert.deepEqual(recorded(cases).consent, [], 'no consent recorded before the answer');
  assert.equal(await ephemeral(), undefined, 'nothing was added before the confirmation');

  // Declined: node is asked on its own, with its footprint (kustody-system, the kubelet's deadline); declined too, the step is declined and nothing was added.
  ui.send(['Escape']);
  const nodeAsked = await waitForText(ui, (s) => s.includes('The node vantage changes the cluster.'), 'the node footprint confirmation', 60_000);
  assert.match(nodeAsked, new RegExp(`It will leave: a privileged hostPID pod from ${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in kustody-system on node [\\w.-]+, guarded while it runs \\(ValidatingAdmissionPolicy\\) ended by the kubelet after \\d+ s \\(activeDeadlineSeconds\\) even if kustody dies; deleted after the capture \\(deletion read back\\)`));
  await ui.waitFor((s) => s.includes(`type ${ns}/app`), 'the node confirmation prompt');
  ui.send(['Escape']);
  await ui.waitFor((s) => /Run needs-confirmation/.test(s), 'the run stopped with the snapshot declined', 60_000);
  assert.equal(await ephemeral(), undefined, 'declining added no ephemeral container');
  assert.deepEqual(recorded(cases).consent.map((c) => `${(JSON.parse(c.detail) as { vantage: string }).vantage} ${c.outcome}`), ['debug declined', 'node declined']);

  // Resumed, the debug footprint is asked again; approved, kustody adds its ephemeral container and captures through it.
  ui.send(['r']);
  await waitForText(ui, (s) => s.includes('resumed') && s.lastIndexOf(debugAsk) > s.lastIndexOf('The node vantage changes') && ui.screen().includes(`type ${ns}/app`), 'the debug footprint asked again', 120_000);
  ui.send([`${ns}/app`], true);
  ui.send(['Enter']);
  await ui.waitFor((s) => s.includes(`type ${ns}/app`) && s.includes('Step 2'), 'the isolate confirmation', 120_000);
  assert.match(ui.history(), /✓ Quick volatile snapshot \(snapshot\): done/);
  assert.deepEqual((await ephemeral())?.map((c) => c.image), [image]);
  ui.send(['Escape']);
  await ui.waitFor((s) => /Run (needs-confirmation|interrupted)/.test(s), 'the run stopped before isolating', 60_000);

  // The case holds the capture through debug (rows stored) and, in the custody log, the approved footprint and what was tried.
  const evidence = recorded(cases);
  assert.deepEqual(evidence.captures.map((c) => c.status === 'failed'), [true, false], 'the declined capture failed, the approved one stored rows');
  assert.ok(evidence.processes > 0, 'the debug vantage stored the pod\'s processes');
  assert.deepEqual(evidence.consent.map((c) => c.outcome), ['declined', 'declined', 'approved']);
  const consent = JSON.parse(evidence.consent[2]?.detail ?? '{}') as { vantage: string; image: string; will_leave: string[]; step_id: string };
  assert.equal(consent.vantage, 'debug');
  assert.equal(consent.image, image);
  assert.equal(consent.step_id, 'snapshot');
  assert.match(consent.will_leave.join(' '), /ephemeral containers can never be removed/);
  assert.match((evidence.ends[0]?.notes ?? []).join('\n'), /debug: skipped, the responder declined its footprint; node: skipped, the responder declined its footprint/);
  const notes = evidence.ends[1]?.notes ?? [];
  assert.ok(notes.some((n) => /^vantage exec: skipped, the container has no sh/.test(n)), notes.join('\n'));
  assert.ok(notes.includes('vantage debug: used'), notes.join('\n'));
  assert.ok(!notes.some((n) => n.startsWith('vantage node')), 'node was never tried once debug worked');
  const shown = await runKustody(['case', 'show', join(cases, readdirSync(cases).find((n) => n.startsWith('case-')) ?? ''), '--json']);
  assert.equal((JSON.parse(shown.stdout) as { chain: { intact: boolean } }).chain.intact, true, 'the custody chain recomputes with the consent row in it');
  ui.send(['q']);
  await ui.waitFor((s) => s.includes('EXIT='), 'the UI left', 30_000);
});

test('a responder who may debug but not place node pods is offered debug only, told why node is hidden, and, declining debug, is never asked about node: the run skips it with that reason', { timeout: 300_000 }, async (t) => {
  if (lacks(t, needsTmux())) return;
  const lab = await requireLab(t);
  if (lab === null) return;
  const image = await labCollectorImage();
  const { dir, cleanup } = makeTempDir('kustody-ui-vantage-');
  t.after(cleanup);
  const cases = join(dir, 'cases');
  mkdirSync(join(dir, 'xdg', 'kustody'), { recursive: true });
  writeFileSync(join(dir, 'xdg', 'kustody', 'config.yaml'), `collectorImage: ${image}\ncollectorPullPolicy: Never\n`);
  // kustody-observe and kustody-capture (exec, ephemeral containers), without kustody-node-collector or kustody-contain.
  const idNs = `uiv-${randomBytes(3).toString('hex')}`;
  await kubectl(lab, 'admin', ['create', 'namespace', idNs]);
  t.after(async () => void (await kubectl(lab, 'admin', ['delete', 'namespace', idNs, '--wait=false'])));
  const debugger_ = await boundIdentity(lab, dir, idNs, 'debugger', { kind: 'ClusterRole', name: 'kustody-capture' });
  t.after(debugger_.cleanup);
  const observe = `${idNs}-debugger-observe`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'clusterrolebinding', observe, '--clusterrole=kustody-observe', `--serviceaccount=${idNs}:debugger`])).exitCode, 0);
  t.after(async () => void (await kubectl(lab, 'admin', ['delete', 'clusterrolebinding', observe, '--ignore-not-found'])));
  const ns = `uiv-${randomBytes(3).toString('hex')}`;
  await applyScenario('distroless', ns);
  t.after(async () => void (await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false'])));

  const ui = startTmux([process.execPath, KUSTODY_BIN], { env: { HOME: join(dir, 'home'), KUSTODY_CASE_DIR: cases, KUBECONFIG: debugger_.kubeconfig, XDG_CONFIG_HOME: join(dir, 'xdg') }, columns: 160, rows: 44 });
  t.after(() => ui.close());
  const start = oneLine(await ui.waitFor(START, 'the start screen', 60_000));
  await ui.waitForRawMode();
  assert.match(start, /Vantages exec ✓ {2}debug ✓ {2}node ✗/);
  const nodeReason = /node hidden: RBAC denies create pods in kustody-system, delete pods in kustody-system, create validatingadmissionpolicies\.admissionregistration\.k8s\.io/;
  assert.match(start, nodeReason);
  assert.doesNotMatch(start, /debug hidden/);

  ui.send(['Enter']);
  await ui.waitFor((s) => s.includes('NAMESPACE/NAME') && !s.includes('loading'), 'the pod list', 30_000);
  ui.send(['/']);
  ui.send([`${ns}/app`], true);
  await ui.waitFor((s) => s.includes('of 1 matching'), 'the distroless pod alone');
  ui.send(['Enter']);
  ui.send(['Enter']);
  await ui.waitFor((s) => s.includes('Enter start'), 'the plan');
  ui.send(['Enter']);
  await waitForText(ui, (s) => s.includes('The debug vantage changes the cluster.') && ui.screen().includes(`type ${ns}/app`), 'the debug footprint confirmation', 120_000);
  ui.send(['Escape']);
  await ui.waitFor((s) => /Run needs-confirmation/.test(s), 'the run stopped with the snapshot declined', 60_000);
  assert.doesNotMatch(ui.history(), /The node vantage changes the cluster/, 'node was never offered, so never asked');

  const evidence = recorded(cases);
  assert.deepEqual(evidence.consent.map((c) => `${(JSON.parse(c.detail) as { vantage: string }).vantage} ${c.outcome}`), ['debug declined']);
  const notes = (evidence.ends[0]?.notes ?? []).join('\n');
  assert.match(notes, /debug: skipped, the responder declined its footprint; node: skipped, not offered: RBAC denies create pods in kustody-system/);
  ui.send(['q']);
  await ui.waitFor((s) => s.includes('EXIT='), 'the UI left', 30_000);
});
