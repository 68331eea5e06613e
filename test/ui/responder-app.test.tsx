/** The responder UI with in-memory ports: start screen, pod picker, step view and its typed confirmation, read-only mode. */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponderApp } from '../../src/ui/ResponderApp.js';
import { fakePorts } from './fake-ports.js';
import { RAW_CONTROL } from './evidence-fixture.js';
import { KEYS, renderUi, unmountAll } from './render-helpers.js';

afterEach(() => unmountAll());

const SIZE = { columns: 100, rows: 30 };

function start(options: Parameters<typeof fakePorts>[0] = {}, readOnly = false) {
  const { ports, log } = fakePorts(options);
  let exits = 0;
  const ui = renderUi(<ResponderApp ports={ports} readOnly={readOnly} size={SIZE} onExit={() => { exits += 1; }} />);
  return { ui, log, exits: () => exits };
}

test('the start screen shows the cluster, who you are, the playbook and its permission check', async () => {
  const { ui } = start();
  const frame = await ui.waitFor((f) => f.includes('Permissions'));
  assert.equal(frame, [
    'kustody · guided incident response',
    'Cluster  context responder@kustody-lab · API server https://127.0.0.1:6443',
    'You      kustody-responder (groups: kustody:responders, system:authenticated)',
    '',
    'Playbook (↑↓ choose, Enter pick the pod):',
    '› Compromised pod: Snapshot, then isolate.',
    'Steps: snapshot → isolate (contain)',
    'Permissions compromised-pod needs (SelfSubjectAccessReview):',
    '✓ get pods                                     read the suspect pod',
    '✓ create pods/exec                             run the collector in the container',
    '✗ patch pods                                   add the quarantine label',
    '1 denied, 0 unknown of 3: the steps that need them will fail (the runner says which).',
    'Enter pick a pod  o open a case/bundle  d demo case  x replay  l lab  r re-check  ? help  q quit',
  ].join('\n'));
  ui.unmount();
});

test('without a cluster it says why and offers the lab (with how to replay a scenario without one), a case or bundle, and the demo case', async () => {
  const { ui, exits } = start({ cluster: { kind: 'unreachable', reason: 'The kubeconfig could not be read.', nextStep: 'Pass --kubeconfig FILE or set KUBECONFIG to a readable kubeconfig.' } });
  const frame = await ui.waitFor((f) => f.includes('What now?'));
  assert.match(frame, /No cluster reachable: The kubeconfig could not be read\./);
  assert.match(frame, /l {2}start the practice lab/);
  assert.match(frame, /o {2}open a case folder or a bundle for review/);
  assert.match(frame, /d {2}open the demo case/);
  await ui.press('l');
  const lab = await ui.waitFor((f) => f.includes('Practice on the kustody lab'));
  assert.match(lab, /npm run lab -- up/);
  assert.match(lab, /kustody exercise replay token-theft --case CASE --yes/);
  await ui.press(KEYS.escape, 'd');
  const browser = await ui.waitFor((f) => f.includes('1 Find'), 'the browser, on its Findings tab');
  assert.match(browser, /kustody review \(read-only\) · chain-ok · case-1 · case: demo \\x1b\]0;pwned\\x07/);
  await ui.press('q');
  await ui.waitFor(() => exits() === 1, 'the app to exit');
  ui.unmount();
});

test('the pod picker pages thousands of pods, searches, and escapes hostile names', async () => {
  const { ui } = start({ podCount: 2000, hostilePod: true });
  await ui.waitFor((f) => f.includes('Permissions'));
  await ui.press(KEYS.enter);
  const first = await ui.waitFor((f) => f.includes('of 2001'));
  assert.match(first, /page 1 of 126 · pods 1–16 of 2001/);
  await ui.press(KEYS.pageDown, KEYS.pageDown);
  assert.match(await ui.waitFor((f) => f.includes('page 3 of')), /pods 33–48 of 2001/);
  await ui.press('/', 'x', '\\');
  const hostile = await ui.waitFor((f) => f.includes('matching the search'));
  assert.doesNotMatch(ui.rawFrame(), RAW_CONTROL);
  assert.match(hostile, /shop\/x\\x1b\]52;c;SGk=\\x07/);
  assert.match(hostile, /a\\u\{202e\}b/);
  await ui.press(KEYS.escape, '/', 'h', 'o', 's', 't', 'n', 'e', 't', KEYS.enter);
  assert.match(await ui.waitFor((f) => f.includes('matching the search')), /pods 1–16 of 286 matching the search \(of 2001\)/);
  ui.unmount();
});

async function toConfirmation(ui: ReturnType<typeof start>['ui']) {
  await ui.waitFor((f) => f.includes('Permissions'));
  await ui.press(KEYS.enter);
  await ui.waitFor((f) => f.includes('shop/suspect'));
  await ui.press(KEYS.down, KEYS.enter);
  assert.match(await ui.waitFor((f) => f.includes('Enter start')), /Compromised pod against shop\/suspect/);
  await ui.press(KEYS.enter);
  return ui.waitFor((f) => f.includes('type shop/suspect'));
}

test('typed confirmation: a mismatch sends nothing, Esc declines, and the confirm port is never resolved true', async () => {
  const { ui, log } = start();
  const prompt = await toConfirmation(ui);
  assert.match(prompt, /✓ Quick volatile snapshot \(snapshot\): done in 0\.3 s/);
  assert.match(prompt, /What it will apply \(exactly\):\n {2}Label shop\/suspect kustody.io\/quarantine=case-1/);
  await ui.press('shop/suspec', 'X');
  assert.match(await ui.waitFor((f) => f.includes('does not match')), /> shop\/suspecX█ does not match: Enter would send nothing/);
  await ui.press(KEYS.enter);
  assert.match(await ui.waitFor((f) => f.includes('refused')), /That did not match shop\/suspect; nothing was sent \(1 refused\)/);
  // A near miss (trailing space, other case) is still a mismatch.
  await ui.press('shop/suspect ', KEYS.enter, 'SHOP/SUSPECT', KEYS.enter);
  await ui.waitFor((f) => f.includes('(3 refused)'));
  assert.deepEqual(log.answers, [], 'no answer reached the runner');
  await ui.press('shop/suspect', KEYS.escape);
  const declined = await ui.waitFor((f) => f.includes('Run needs-confirmation'));
  assert.match(declined, /– Isolate the pod \(isolate\): declined/);
  assert.deepEqual(log.answers, [false]);
  assert.equal(log.applied, 0);
  ui.unmount();
});

test('typing namespace/name exactly applies the step, and the finished run opens its evidence', async () => {
  const { ui, log } = start();
  await toConfirmation(ui);
  await ui.press('shop/suspect', KEYS.enter);
  const done = await ui.waitFor((f) => f.includes('Run completed'));
  assert.match(done, /✓ Isolate the pod \(isolate\): done in 1\.2 s\n {4}2 change\(s\): 2 applied/);
  assert.deepEqual(log.answers, [true]);
  assert.equal(log.applied, 1);
  await ui.press('e');
  await ui.waitFor((f) => f.includes('1 Find'), 'the run\'s evidence, on its Findings tab');
  await ui.press('2');
  await ui.waitFor((f) => f.includes('PROCESS'));
  ui.unmount();
});

test('Ctrl-C at the confirmation declines it and stops the run', async () => {
  const { ui, log } = start();
  await toConfirmation(ui);
  await ui.press('shop/sus', KEYS.ctrlC);
  await ui.waitFor((f) => f.includes('Run needs-confirmation'));
  assert.deepEqual(log.answers, [false]);
  ui.unmount();
});

test('read-only hides every mutating action: the run is a dry run and no confirmation is ever shown', async () => {
  const { ui, log } = start({}, true);
  const startFrame = await ui.waitFor((f) => f.includes('Permissions'));
  assert.match(startFrame, /\[read-only: dry runs only, nothing in the cluster changes\]/);
  assert.match(startFrame, /isolate \(dry run\)/);
  assert.doesNotMatch(startFrame, /patch pods/, 'permissions of contain steps are not checked in read-only mode');
  await ui.press(KEYS.enter);
  await ui.waitFor((f) => f.includes('shop/suspect'));
  await ui.press(KEYS.down, KEYS.enter);
  assert.match(await ui.waitFor((f) => f.includes('Enter start')), /Read-only: this is a dry run/);
  await ui.press(KEYS.enter);
  const done = await ui.waitFor((f) => f.includes('Run dry-run'));
  assert.doesNotMatch(done, /type shop\/suspect/);
  assert.equal(log.runs[0]?.dryRun, true);
  assert.deepEqual(log.answers, []);
  ui.unmount();
});

test('Ctrl-C during a running step stops it at its safe point and says which step was interrupted; r resumes', async () => {
  const { ui, log } = start({ slowSnapshot: true });
  await ui.waitFor((f) => f.includes('Permissions'));
  await ui.press(KEYS.enter);
  await ui.waitFor((f) => f.includes('shop/suspect'));
  await ui.press(KEYS.down, KEYS.enter);
  await ui.waitFor((f) => f.includes('Enter start'));
  await ui.press(KEYS.enter);
  const running = await ui.waitFor((f) => /running \d+\.\d s {2}reading \/proc of 4 processes/.test(f), 'the spinner with elapsed time');
  assert.match(running, /Step 1 of 2 · Quick volatile snapshot {3}OBSERVE/);
  await ui.press(KEYS.ctrlC);
  const stopped = await ui.waitFor((f) => f.includes('Run interrupted'));
  assert.match(stopped, /⏸ Quick volatile snapshot \(snapshot\): interrupted/);
  assert.match(stopped, /Press r to resume it here/);
  await ui.press('r');
  await ui.waitFor(() => log.runs.length === 2, 'the resumed run');
  assert.deepEqual(log.runs.map((r) => r.resume), [false, true]);
  ui.unmount();
});
