/** The evidence browser: frames, hostile evidence escaped on every tab, windowing and filtering at 10,000 rows. */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { trusted } from '../../src/core/display/index.js';
import { evidenceTables } from '../../src/core/ui/evidence-tables.js';
import { EvidenceBrowser } from '../../src/ui/screens/EvidenceBrowser.js';
import { bigEvidence, hostileEvidence, RAW_CONTROL } from './evidence-fixture.js';
import { KEYS, renderUi, unmountAll } from './render-helpers.js';

afterEach(() => unmountAll());

const SIZE = { columns: 100, rows: 30 };
const NOW = Date.parse('2026-11-28T00:00:00Z');

function browse(data = hostileEvidence(), onQuit = () => {}) {
  return renderUi(<EvidenceBrowser tables={evidenceTables(data, { now: NOW })} heading={trusted('kustody review · test case')} onQuit={onQuit} size={SIZE} />);
}

test('the first frame is the Findings tab, most urgent first, with the selected finding and its evidence in full; 2 shows the process tree', async () => {
  const ui = browse();
  const frame = await ui.waitFor((f) => f.includes('SEVERITY'));
  assert.equal(frame, [
    'kustody review · test case',
    ' 1 Finds 2   2 Procs 4   3 Conns 1   4 Mounts 1   5 Creds 1   6 Objs 1   7 Log 4   8 Warn 1',
    'SEVERITY FINDING                                                        ROWS RULE',
    'CRITICAL A connection survived isolation                                   3 isolation-survivor',
    'HIGH     Deleted executable \\x1b]52;c;SGVsbG8=\\x07 still running           1 deleted-executable',
    'rows 1–2 of 2',
    'severity    CRITICAL',
    'title       A connection survived isolation',
    'detail      tcp to 10.244.0.7:8080',
    'rule        isolation-survivor',
    'observed    -',
    'links       1 custody, 1 connection, 1 audit_events  (Enter lists them, b goes back)',
    'evidence 1  custody row 3: ISOLATION INCOMPLETE: 1 connection(s) survived the policy: tcp 10.244.0.9',
    '            :37364 → 10.244.0.7\\x1b]52;c;SGVsbG8=\\x07:8080 (pid 22)',
    'evidence 2  connection tcp 10.244.0.9:37364 → 10.244.0.7:8080 ESTABLISHED',
    'evidence 3  audit_events row 7 (not shown in the browser; query it with sqlite3)',
    'id          isolation-survivor:x',
    '? help  Enter follow links  b back  d/u scroll detail  n note  / filter  Tab tabs  q quit',
  ].join('\n'));
  await ui.press('2');
  const tree = await ui.waitFor((f) => f.includes('PROCESS'));
  assert.match(tree, /^ {6}9 {7}1 {5}0 └─ busybox\.x {12}\/tmp\/busybox\.x sleep 100000 {9}\/tmp\/busybox\.x \(d…$/m);
  assert.match(tree, /^links +1 child, 1 credential, 1 mount {2}\(Enter lists them, b goes back\)$/m);
  ui.unmount();
});

test('hostile process names, command lines, labels, annotations and custody rows are shown escaped on every tab', async () => {
  const ui = browse();
  await ui.waitFor((f) => f.includes('SEVERITY'));
  const seen: string[] = [];
  // Every tab, every row selected in turn, so every detail pane is drawn too.
  for (const tab of ['1', '2', '3', '4', '5', '6', '7', '8']) {
    await ui.press(tab);
    for (let row = 0; row < 4; row++) {
      assert.doesNotMatch(ui.rawFrame(), RAW_CONTROL, `tab ${tab} row ${row} carries a raw control character`);
      seen.push(ui.frame());
      await ui.press(KEYS.down);
    }
  }
  const all = seen.join('\n');
  for (const escaped of ['\\x1b]52;c;SGVsbG8=\\x07', '\\x1b]8;;https://evil.example/\\x1b\\\\kube-dns', 'evil\\x0dkube-proxy', '\\x1b[5;7H\\x1b[2J', 'txt.\\u{202e}exe.sh', '\\u{9b}31m\\u{90}dcs\\u{9c}', '\\x1b]0;pwned\\x07']) {
    assert.ok(all.includes(escaped), `expected ${escaped} to be shown escaped`);
  }
  assert.ok(all.includes('annotation note'), 'annotations are listed in the object detail');
  assert.ok(all.includes('claim jwt.sub'), 'credential claims are listed');
  ui.unmount();
});

test('the browser renders only a window of 10,000 rows and filters them', async () => {
  const ui = browse(bigEvidence(10_000));
  await ui.waitFor((f) => f.includes('No findings'), 'the empty Findings tab');
  await ui.press('2');
  const first = await ui.waitFor((f) => f.includes('rows 1–'));
  assert.match(first, /rows 1–16 of 10000/);
  assert.ok(first.split('\n').length < SIZE.rows, 'the frame is shorter than the terminal');
  await ui.press(KEYS.end);
  assert.match(await ui.waitFor((f) => f.includes('of 10000') && !f.includes('rows 1–')), /rows 9985–10000 of 10000/);
  await ui.press('/', 'm', 'i', 'n', 'e', 'r');
  const filtered = await ui.waitFor((f) => f.includes('filtered from') && f.includes('/miner█'), 'the whole filter typed');
  assert.match(filtered, /rows 1–16 of 104 \(filtered from 10000\)/);
  assert.match(filtered, /filter: \/miner█/);
  await ui.press(KEYS.enter, '3');
  assert.match(await ui.waitFor((f) => f.includes('LOCAL')), /rows 1–16 of 10000/);
  await ui.press('2', KEYS.escape);
  assert.match(await ui.waitFor((f) => f.includes('PROCESS') && !f.includes('filtered')), /rows 1–16 of 10000/);
  ui.unmount();
});

test('? shows the keyboard help and q quits', async () => {
  let quits = 0;
  const ui = browse(hostileEvidence(), () => { quits += 1; });
  await ui.waitFor((f) => f.includes('SEVERITY'));
  await ui.press('?');
  const help = await ui.waitFor((f) => f.includes('Evidence browser'));
  assert.match(help, /filter: type words \(all must match\)/);
  assert.match(help, /Read-only: no step that changes the cluster or the case is offered\./);
  await ui.press('?');
  await ui.waitFor((f) => f.includes('SEVERITY'));
  await ui.press('/', 'q');
  assert.equal(quits, 0, 'q typed into the filter is text, not quit');
  await ui.press(KEYS.escape, 'q');
  await ui.waitFor(() => quits === 1, 'onQuit');
  ui.unmount();
});
