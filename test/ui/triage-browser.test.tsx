/**
 * Triage in the evidence browser, in process (ink-testing-library): findings to evidence, links
 * between rows and back, times as ISO and relative, the scrolling detail pane, the Warnings tab,
 * the isolation alert, custody summaries, notes on a live case (refused on a bundle), and hostile
 * strings (ESC/OSC, bidi, 1 MiB) escaped and bounded on every new pane.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CustodyRecord, EvidenceData } from '../../src/core/ui/evidence-records.js';
import { CaseBrowser, type AddNote } from '../../src/ui/screens/CaseBrowser.js';
import { HOSTILE, RAW_CONTROL, hostileEvidence } from './evidence-fixture.js';
import { KEYS, renderUi, unmountAll } from './render-helpers.js';

afterEach(() => unmountAll());

const SIZE = { columns: 100, rows: 30 };
const NOW = Date.parse('2026-11-28T00:00:00Z');

function browse(data: EvidenceData = hostileEvidence(), options: { addNote?: AddNote; size?: { columns: number; rows: number } } = {}) {
  return renderUi(<CaseBrowser data={data} onQuit={() => {}} addNote={options.addNote} now={NOW} size={options.size ?? SIZE} />);
}

test('Enter on a finding with several evidence rows lists them; each is followed to its tab and row, and b comes back to the finding', async () => {
  const ui = browse();
  const first = await ui.waitFor((f) => f.includes('SEVERITY'));
  // The alert is cut to the terminal's width; the finding's first evidence row carries it whole, escaped.
  assert.match(first, /^ISOLATION INCOMPLETE for pod:shop\/suspect \(custody row 3\): 1 connection\(s\) survived the policy: tcp…$/m);
  assert.match(first, /^ {12}:37364 → 10\.244\.0\.7\\x1b\]52;c;SGVsbG8=\\x07:8080 \(pid 22\)$/m);
  await ui.press(KEYS.enter);
  const list = await ui.waitFor((f) => f.includes('Links from this row (3)'));
  assert.match(list, /^› custody row 3: ISOLATION INCOMPLETE/m);
  assert.match(list, /^ {2}connection tcp 10\.244\.0\.9:37364 → 10\.244\.0\.7:8080 ESTABLISHED$/m);
  await ui.press(KEYS.down, KEYS.enter);
  const conn = await ui.waitFor((f) => f.includes('REMOTE'));
  assert.match(conn, /^process +22 txt\.\\u\{202e\}exe\.sh$/m, 'the connection names its process, escaped');
  await ui.press('b');
  await ui.waitFor((f) => f.includes('SEVERITY') && /^rule +isolation-survivor$/m.test(f), 'back on the finding');
  // A row in a table the browser has no tab for is named, not silently ignored.
  await ui.press(KEYS.enter, KEYS.end, KEYS.enter);
  assert.match(await ui.waitFor((f) => f.includes('audit_events')), /Row 7 of audit_events is not among the rows the browser loaded; query it with sqlite3\./);
  // The other finding rests on one process: Enter goes straight to it.
  await ui.press(KEYS.down, KEYS.enter);
  const process = await ui.waitFor((f) => /^pid \/ ppid +9 \/ 1$/m.test(f));
  assert.match(process, /^ {6}9 {7}1 {5}0 └─ busybox\.x/m);
  ui.unmount();
});

test('a process links to its parent, connection, credential and mounts; the credential shows expiry and JWT times as ISO and relative', async () => {
  const ui = browse();
  await ui.waitFor((f) => f.includes('SEVERITY'));
  await ui.press('2', KEYS.end);
  const detail = await ui.waitFor((f) => /^pid \/ ppid +22 \/ 9$/m.test(f));
  assert.match(detail, /^exe_sha256 +(ab){32}$/m);
  assert.match(detail, /^start_time +264575 ticks after boot \(44 min 5 s after boot/m);
  assert.match(detail, /^seccomp +disabled \(no seccomp filter\)$/m);
  assert.match(detail, /^links +1 parent, 1 connection, 1 credential, 1 mount/m);
  await ui.press(KEYS.enter);
  const list = await ui.waitFor((f) => f.includes('Links from this row (4)'));
  assert.deepEqual(list.split('\n').filter((l) => /^(›| ) /.test(l)).map((l) => l.slice(2)), [
    'parent 9 busybox.x', 'connection tcp 10.244.0.9:37364 → 10.244.0.7:8080 ESTABLISHED',
    'credential serviceaccount-token system:serviceaccount:shop:web (pod-wide)', 'mount /mnt/\\x1b[5;7H\\x1b[2J\\x1b[1A\\x1b[2K (tmpfs)',
  ]);
  await ui.press(KEYS.down, KEYS.down, KEYS.enter);
  const credential = await ui.waitFor((f) => f.includes('FINGERPRINT'));
  assert.match(credential, /^expires +2027-11-27T04:56:48\.000Z \(in 364 d 4 h\)$/m);
  assert.match(credential, /^claim jwt\.exp +2027-11-26T06:36:48\.000Z \(in 363 d 6 h\)$/m);
  assert.match(credential, /^claim jwt\.iat +2026-11-26T06:36:48\.000Z \(1 d 17 h ago\)$/m);
  await ui.press(KEYS.backspace);
  await ui.waitFor((f) => /^pid \/ ppid +22 \/ 9$/m.test(f), 'Backspace comes back like b');
  ui.unmount();
});

test('the detail pane scrolls with d and u, and says how much is above and below', async () => {
  const ui = browse(hostileEvidence(), { size: { columns: 100, rows: 24 } });
  await ui.waitFor((f) => f.includes('SEVERITY'));
  await ui.press('2', KEYS.end);
  const top = await ui.waitFor((f) => /^pid \/ ppid +22 \/ 9$/m.test(f));
  assert.match(top, /^↓ \d+ more lines \(d scrolls down, u up\)$/m);
  assert.doesNotMatch(top, /more lines above/);
  await ui.press('d', 'd', 'd', 'd', 'd', 'd');
  const bottom = await ui.waitFor((f) => f.includes('more lines above'));
  assert.match(bottom, /^env +AWS_SECRET_ACCESS_KEY=hmac-sha256:0011223344556677$/m, 'the environment as stored: the secret is a fingerprint');
  assert.match(bottom, /^env +EVIL\\x1b\]52;c;SGVsbG8=\\x07=\\x1b\[5;7H/m, 'hostile names and values escaped');
  assert.doesNotMatch(bottom, /more lines \(d scrolls/, 'scrolled to the end, nothing below');
  await ui.press('u', 'u', 'u', 'u', 'u', 'u', 'u');
  await ui.waitFor((f) => /^target +pod:shop\/suspect$/m.test(f) && !f.includes('above'), 'back at the top');
  await ui.press(KEYS.up);
  await ui.waitFor((f) => /^pid \/ ppid +21 \/ 9$/m.test(f) && !f.includes('above'), 'another row starts at its top');
  ui.unmount();
});

test('the Warnings tab lists what capture could not read and links to the process; the custody log summarises notes and the survivors', async () => {
  const ui = browse();
  await ui.waitFor((f) => f.includes('SEVERITY'));
  await ui.press('8');
  const warnings = await ui.waitFor((f) => f.includes('MESSAGE'));
  assert.match(warnings, /^READ_FAILED +processes +21 environ: \\x1b\]0;pwned\\x07 permission denied$/m);
  await ui.press(KEYS.enter);
  await ui.waitFor((f) => /^pid \/ ppid +21 \/ 9$/m.test(f), 'the warning\'s process');
  await ui.press('7', KEYS.end);
  const note = await ui.waitFor((f) => f.includes('SUMMARY') && /^summary +called the owner/m.test(f));
  assert.match(note, /^ +4 2026-11-27T05:01:00\.000Z note +ok +called the owner txt\.\\u\{202e\}exe\.sh \\x1b\]0;pw…$/m);
  assert.match(note, /^summary +called the owner txt\.\\u\{202e\}exe\.sh \\x1b\]0;pwned\\x07$/m);
  assert.match(note, /^at +2026-11-27T05:01:00\.000Z \(18 h 59 min ago\)$/m);
  await ui.press(KEYS.up);
  const survivors = await ui.waitFor((f) => /^survivor 1 /m.test(f));
  assert.match(survivors, /^ +3 .* isolation-i… ISOLATION INCOMPLETE: 1 connection\(s\) survive…$/m);
  assert.match(survivors, /^summary +ISOLATION INCOMPLETE: 1 connection\(s\) survived the policy/m);
  assert.match(survivors, /^links +1 process/m);
  assert.doesNotMatch(ui.rawFrame(), RAW_CONTROL);
  ui.unmount();
});

function recorder(): { addNote: AddNote; calls: { dir: string; text: string }[] } {
  const calls: { dir: string; text: string }[] = [];
  const addNote: AddNote = async (dir, text) => {
    calls.push({ dir, text });
    const row: CustodyRecord = { seq: 4 + calls.length, at: '2026-11-28T00:00:01.000Z', actor: 'tester@host', kind: 'note', target: 'case-1', outcome: 'ok', detail: JSON.stringify({ text }), hash: 'e'.repeat(64) };
    return row;
  };
  return { addNote, calls };
}

test('n on a live case records the typed note once (controls dropped) and lists it in the custody log; Esc and an empty note record nothing', async () => {
  const { addNote, calls } = recorder();
  const ui = browse(hostileEvidence(), { addNote });
  await ui.waitFor((f) => f.includes('SEVERITY'));
  await ui.press('n');
  await ui.waitFor((f) => f.includes('note (Enter records it in the custody log, Esc discards): █'));
  await ui.press('q', 'u', 'i', 't', ' ', '\u202e', 'x', KEYS.escape);
  assert.match(await ui.waitFor((f) => f.includes('Note discarded')), /nothing was recorded/);
  await ui.press('n', KEYS.enter);
  await ui.waitFor((f) => f.includes('The note was empty'));
  await ui.press('n', 'p', 'o', 'd', '\x07', ' ', '\u202e', 'b', 'a', 'd');
  await ui.waitFor((f) => f.includes('pod \\u{202e}bad█'), 'the note escaped as typed, the BEL dropped');
  await ui.press(KEYS.enter);
  const noted = await ui.waitFor((f) => f.includes('Noted as custody row 5'));
  assert.match(noted, /Noted as custody row 5 at 2026-11-28T00:00:01\.000Z \(Custody log tab\)\./);
  assert.match(noted, /7 Log 5/);
  assert.deepEqual(calls, [{ dir: '/cases/case-1', text: 'pod \u202ebad' }]);
  await ui.press('7', KEYS.end);
  assert.match(await ui.waitFor((f) => /^summary +pod \\u\{202e\}bad$/m.test(f)), /^ +5 2026-11-28T00:00:01\.000Z note +ok +pod \\u\{202e\}bad$/m);
  ui.unmount();
});

test('n is refused plainly on a bundle and on the demo, and a failing write says so without the note being listed', async () => {
  const { addNote, calls } = recorder();
  const bundle = browse({ ...hostileEvidence(), origin: { kind: 'bundle', path: '/in/x.tar', integrity: 'CONSISTENT' } }, { addNote });
  await bundle.waitFor((f) => f.includes('SEVERITY'));
  await bundle.press('n', 'x');
  assert.match(await bundle.waitFor((f) => f.includes('No note added')), /No note added: this is a bundle, which is never written\./);
  assert.doesNotMatch(bundle.frame(), /note \(Enter records/);
  bundle.unmount();
  const demo = browse({ ...hostileEvidence(), origin: { kind: 'demo', path: '/demo.tar', integrity: 'CONSISTENT' } }, { addNote });
  await demo.waitFor((f) => f.includes('SEVERITY'));
  await demo.press('n');
  await demo.waitFor((f) => f.includes('No note added: the demo case is a shipped bundle'));
  demo.unmount();
  assert.equal(calls.length, 0);
  const failing = browse(hostileEvidence(), { addNote: async () => { throw new Error('database is locked'); } });
  await failing.waitFor((f) => f.includes('SEVERITY'));
  await failing.press('n', 'x', KEYS.enter);
  assert.match(await failing.waitFor((f) => f.includes('not recorded')), /The note was not recorded: (Error: )?database is locked/);
  assert.match(failing.frame(), /7 Log 4/);
  failing.unmount();
});

test('1 MiB hostile strings in a finding, an environment, a warning, a note and a link stay escaped and cut to the terminal on every new pane', async () => {
  const huge = `${HOSTILE.osc52}${HOSTILE.bidi}${'A'.repeat(1024 * 1024)}${HOSTILE.cursor}`;
  const base = hostileEvidence();
  const data: EvidenceData = {
    ...base,
    findings: [{ id: 'x', rule: huge, severity: 'high', title: huge, detail: huge, evidence: [{ table: 'processes', rowid: 22 }, { table: huge, rowid: 1 }], mappings: [] }],
    processes: base.processes.map((p) => (p.pid === 22 ? { ...p, comm: huge, envJson: JSON.stringify([[huge, huge]]) } : p)),
    warnings: [{ rowid: 1, captureId: 'cap-1', target: huge, step: huge, pid: 22, code: huge, message: huge }],
    custody: [...base.custody, { seq: 5, at: huge, actor: huge, kind: 'note', target: huge, outcome: 'ok', detail: JSON.stringify({ text: huge }), hash: 'f'.repeat(64) }],
  };
  const ui = browse(data);
  await ui.waitFor((f) => f.includes('SEVERITY'));
  const frames: string[] = [];
  const look = async (...keys: string[]): Promise<void> => {
    await ui.press(...keys);
    await ui.waitFor(() => true);
    frames.push(ui.rawFrame());
  };
  await look();
  await look(KEYS.enter);
  await look(KEYS.enter);
  await look('d', 'd', 'd');
  await look('8');
  await look('7', KEYS.end);
  await look('n', ...'\x1b]52;c;x\x07'.split(''));
  for (const frame of frames) {
    assert.doesNotMatch(frame, RAW_CONTROL, 'a raw control character reached the frame');
    assert.ok(frame.length < 64 * 1024, `a frame of ${frame.length} characters`);
    for (const line of frame.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) assert.ok([...line].length <= SIZE.columns, `a line wider than the terminal: ${line.slice(0, 120)}`);
  }
  const all = frames.join('\n').replace(/\x1b\[[0-9;]*m/g, '');
  assert.match(all, /\\x1b\]52;c;SGVsbG8=\\x07txt\.\\u\{202e\}exe\.sh/, 'the hostile prefix shown escaped');
  ui.unmount();
});
