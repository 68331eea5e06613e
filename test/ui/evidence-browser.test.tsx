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

test('the first frame shows the process tree, the tabs and the selected process in full', async () => {
  const ui = browse();
  const frame = await ui.waitFor((f) => f.includes('COMMAND LINE'));
  assert.equal(frame, [
    'kustody review · test case',
    ' 1 Procs 4   2 Conns 1   3 Mounts 1   4 Creds 1   5 Objects 1   6 Custody 2',
    '    PID    PPID   UID PROCESS                 COMMAND LINE                        EXE',
    '      1       0     0 sh                      sh -c cat /var/run/secrets/kuberne… /bin/busybox',
    '      9       1     0 └─ busybox.x            /tmp/busybox.x sleep 100000         /tmp/busybox.x (d…',
    '     21       9     0    ├─ \\x1b]52;c;SGVsbG… evil\\x0dkube-proxy \\x1b[5;7H\\x1b[2… /bin/busybox',
    '     22       9     0    └─ txt.\\u{202e}exe.… nc \\x1b]8;;https://evil.example/…   /bin/busybox',
    'rows 1–4 of 4',
    'target      pod:shop/suspect',
    'capture     cap-1',
    'pid / ppid  1 / 0',
    'uid         0',
    'comm        sh',
    'cmdline     sh -c cat /var/run/secrets/kubernetes.io/serviceaccount/token',
    'exe         /bin/busybox',
    'cwd         /',
    'state       S',
    'cap_eff     0',
    '? help  / filter  Tab next tab  1-6 jump  ↑↓ PgUp PgDn move  q quit',
  ].join('\n'));
  ui.unmount();
});

test('hostile process names, command lines, labels, annotations and custody rows are shown escaped on every tab', async () => {
  const ui = browse();
  await ui.waitFor((f) => f.includes('PROCESS'));
  const seen: string[] = [];
  // Every tab, every row selected in turn, so every detail pane is drawn too.
  for (const tab of ['1', '2', '3', '4', '5', '6']) {
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
  const first = await ui.waitFor((f) => f.includes('rows 1–'));
  assert.match(first, /rows 1–16 of 10000/);
  assert.ok(first.split('\n').length < SIZE.rows, 'the frame is shorter than the terminal');
  await ui.press(KEYS.end);
  assert.match(await ui.waitFor((f) => f.includes('of 10000') && !f.includes('rows 1–')), /rows 9985–10000 of 10000/);
  await ui.press('/', 'm', 'i', 'n', 'e', 'r');
  const filtered = await ui.waitFor((f) => f.includes('filtered from') && f.includes('/miner█'), 'the whole filter typed');
  assert.match(filtered, /rows 1–16 of 104 \(filtered from 10000\)/);
  assert.match(filtered, /filter: \/miner█/);
  await ui.press(KEYS.enter, '2');
  assert.match(await ui.waitFor((f) => f.includes('LOCAL')), /rows 1–16 of 10000/);
  await ui.press('1', KEYS.escape);
  assert.match(await ui.waitFor((f) => f.includes('PROCESS') && !f.includes('filtered')), /rows 1–16 of 10000/);
  ui.unmount();
});

test('? shows the keyboard help and q quits', async () => {
  let quits = 0;
  const ui = browse(hostileEvidence(), () => { quits += 1; });
  await ui.waitFor((f) => f.includes('PROCESS'));
  await ui.press('?');
  const help = await ui.waitFor((f) => f.includes('Evidence browser'));
  assert.match(help, /filter: type words \(all must match\)/);
  assert.match(help, /Read-only: no step that changes the cluster or the case is offered\./);
  await ui.press('?');
  await ui.waitFor((f) => f.includes('PROCESS'));
  await ui.press('/', 'q');
  assert.equal(quits, 0, 'q typed into the filter is text, not quit');
  await ui.press(KEYS.escape, 'q');
  await ui.waitFor(() => quits === 1, 'onQuit');
  ui.unmount();
});
