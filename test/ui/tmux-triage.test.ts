/**
 * Triage in a real terminal (tmux): review opens on the findings, Enter follows a finding to its
 * evidence and a process to its linked rows, b comes back; `n` records a note in a live case folder
 * (and is refused plainly on a bundle); resizing 160x45 → 80x24 → 160x45 leaves no line of an older
 * frame behind, in the evidence browser and on the start screen. Needs `npm run build`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KUSTODY_BIN, REPO_ROOT, makeTempDir, runKustody } from '../helpers/cli.js';
import { extractWithTar } from '../helpers/bundle-fixtures.js';
import { lacks, needsTmux } from '../helpers/prerequisites.js';
import { startTmux, type TmuxSession } from './tmux.js';

const DEMO = join(REPO_ROOT, 'demo', 'demo-case.tar');
const missing = needsTmux();

/** The screen's lines without the blank ones tmux pads it with. */
const linesOf = (screen: string): string[] => screen.replace(/\n+$/, '').split('\n');

async function quit(session: TmuxSession): Promise<void> {
  session.send(['q']);
  await session.waitFor((s) => s.includes('EXIT=0'), 'a clean exit');
}

test('triage: review opens on the findings; Enter jumps to a finding\'s evidence, then along a process\'s links; b comes back the same way', { timeout: 120_000 }, async (t) => {
  if (lacks(t, missing)) return;
  const session = startTmux([process.execPath, KUSTODY_BIN, 'review', '--demo'], { columns: 160, rows: 45 });
  try {
    const first = await session.waitFor((s) => s.includes('SEVERITY'), 'the Findings tab');
    await session.waitForRawMode();
    assert.match(first, /^ 1 Findings \(\d+\) {3}2 Processes \(8\)/m, 'the Findings tab is the first and the active one');
    assert.match(first, /^ISOLATION INCOMPLETE for pod:demo-shop-\d+\/suspect \(custody row 15\): 1 connection\(s\) survived the policy: tcp [\d.]+:\d+ → [\d.]+:8080 \(pid 20\)$/m, 'the incomplete isolation is said plainly above the tabs');
    assert.match(first, /^CRITICAL 1 connection\(s\) survived isolation of pod:demo-shop-\d+\/suspect/m);
    // The critical finding rests on one custody row: Enter goes straight there.
    session.send(['Enter']);
    const custody = await session.waitFor((s) => /^summary +ISOLATION INCOMPLETE/m.test(s), 'the custody row the finding rests on');
    assert.match(custody, /^seq +15$/m);
    assert.match(custody, /^survivor 1 +tcp [\d.]+:\d+ → [\d.]+:8080 \(pid 20\)$/m);
    // That row links to the one process whose socket survived: Enter again lands on it.
    session.send(['Enter']);
    const nc = await session.waitFor((s) => /^pid \/ ppid +20 \/ 18$/m.test(s), 'process 20 (nc) in the process tree');
    assert.match(nc, /^comm +nc$/m);
    assert.match(nc, /^exe_sha256 +[0-9a-f]{64}$/m, 'the executable\'s hash is in the detail');
    assert.match(nc, /^start_time +\d+ ticks after boot/m);
    assert.match(nc, /^links +1 parent, 1 connection, 1 credential, 31 mounts/m);
    // Several links: Enter lists them; the connection is chosen and followed.
    session.send(['Enter']);
    const list = await session.waitFor((s) => s.includes('Links from this row'), 'the link list');
    assert.match(list, /^› parent 18 sh$/m);
    assert.match(list, /^ {2}connection tcp [\d.]+:\d+ → [\d.]+:8080 ESTABLISHED$/m);
    session.send(['Down']);
    session.send(['Enter']);
    const conn = await session.waitFor((s) => s.includes('REMOTE') && /^process +20 nc$/m.test(s), 'the connection row, naming its process');
    assert.match(conn, /^ 1 Findings \(\d+\) {3}2 Processes \(8\) {3}3 Connections \(1\)/m);
    // b walks back: the process, the custody row, the finding.
    session.send(['b']);
    await session.waitFor((s) => /^pid \/ ppid +20 \/ 18$/m.test(s) && s.includes('COMMAND LINE'), 'back on process 20');
    session.send(['b']);
    await session.waitFor((s) => /^seq +15$/m.test(s), 'back on custody row 15');
    session.send(['b']);
    await session.waitFor((s) => s.includes('SEVERITY') && /^rule +isolation-survivor$/m.test(s), 'back on the finding');
    session.send(['b']);
    await session.waitFor((s) => s.includes('Nothing to go back to'), 'the end of the trail, said plainly');
    await quit(session);
  } finally {
    session.close();
  }
});

test('n records a timestamped note in a live case folder through the custody log, and is refused plainly on a bundle', { timeout: 120_000 }, async (t) => {
  if (lacks(t, missing)) return;
  const { dir, cleanup } = makeTempDir();
  extractWithTar(DEMO, dir);
  const live = startTmux([process.execPath, KUSTODY_BIN, 'review', dir], { columns: 160, rows: 45 });
  const bundle = startTmux([process.execPath, KUSTODY_BIN, 'review', '--demo'], { columns: 160, rows: 45 });
  try {
    await bundle.waitFor((s) => s.includes('SEVERITY'), 'the demo bundle');
    await bundle.waitForRawMode();
    bundle.send(['n']);
    await bundle.waitFor((s) => s.includes('No note added: the demo case is a shipped bundle, which is never written.'), 'the refusal');
    await quit(bundle);

    await live.waitFor((s) => s.includes('SEVERITY'), 'the live case');
    await live.waitForRawMode();
    live.send(['n']);
    await live.waitFor((s) => s.includes('note (Enter records it in the custody log, Esc discards): █'), 'the note line');
    // A bidi override typed into the note is shown escaped; q is text here, not quit.
    live.send(['called the owner \u202eevil <b>q</b>'], true);
    await live.waitFor((s) => s.includes('called the owner \\u{202e}evil <b>q</b>█'), 'the note as typed, escaped');
    live.send(['Enter']);
    const noted = await live.waitFor((s) => /Noted as custody row 17 at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/.test(s), 'the note recorded');
    assert.match(noted, /^ 1 Findings \(\d+\) .* 7 Custody log \(17\)/m, 'the custody tab counts the new row');
    live.send(['7', 'G']);
    const log = await live.waitFor((s) => /^ +17 \S+ +note +ok +called the owner \\u\{202e\}evil <b>q<\/b>$/m.test(s), 'the note\'s text in the custody log');
    assert.match(log, /^summary +called the owner \\u\{202e\}evil <b>q<\/b>$/m);
    await quit(live);
    const shown = await runKustody(['case', 'show', dir, '--json']);
    assert.equal(shown.exitCode, 0, shown.stderr);
    const summary = JSON.parse(shown.stdout) as { chain: { intact: boolean }; actions: { seq: number; kind: string; detail: { text?: string } }[] };
    assert.equal(summary.chain.intact, true, 'the chain still recomputes with the note');
    const note = summary.actions.find((a) => a.seq === 17);
    assert.equal(note?.kind, 'note');
    assert.equal(note?.detail.text, 'called the owner \u202eevil <b>q</b>');
  } finally {
    live.close();
    bundle.close();
    cleanup();
  }
});

async function resizeRoundTrip(session: TmuxSession, ready: (s: string) => boolean, topLine: RegExp, narrowReady: (s: string) => boolean): Promise<void> {
  const wide = linesOf(await session.waitFor(ready, 'the first screen at 160x45'));
  await session.waitForRawMode();
  session.resize(80, 24);
  // Drawn once the new frame is there from its heading to its key line; with a stale fragment the heading never becomes the first line, alone.
  const redrawn = (s: string): boolean => narrowReady(s) && topLine.test(linesOf(s)[0] ?? '') && linesOf(s).filter((l) => topLine.test(l)).length === 1;
  const narrow = linesOf(await session.waitFor(redrawn, 'the screen redrawn at 80x24, its heading alone on the first line'));
  assert.match(narrow[0] ?? '', topLine, 'the first line is the heading: nothing of the wide frame above it');
  assert.equal(narrow.filter((l) => topLine.test(l)).length, 1, 'exactly one heading: no fragment of the old one');
  for (const line of narrow) assert.ok(line.length <= 80, `a line wider than the terminal: ${line}`);
  session.resize(160, 45);
  const back = linesOf(await session.waitFor((s) => ready(s) && linesOf(s).length === wide.length && linesOf(s)[0] === wide[0], 'the screen redrawn at 160x45'));
  assert.equal(back.length, wide.length);
  back.forEach((line, i) => assert.equal(line, wide[i], `line ${i + 1} differs from the first 160x45 screen`));
}

test('resize 160x45 → 80x24 → 160x45 redraws cleanly: no stale line in the browser or on the start screen', { timeout: 120_000 }, async (t) => {
  if (lacks(t, missing)) return;
  const browser = startTmux([process.execPath, KUSTODY_BIN, 'review', '--demo'], { columns: 160, rows: 45 });
  const start = startTmux([process.execPath, KUSTODY_BIN], { columns: 160, rows: 45, env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
  try {
    await resizeRoundTrip(browser, (s) => s.includes('SEVERITY') && s.includes('1 Findings'), /^kustody review \(read-only\)/, (s) => s.includes('1 Finds') && s.includes('? help  Enter follow'));
    await quit(browser);
    await resizeRoundTrip(start, (s) => s.includes('What now?'), /^kustody · guided incident response$/, (s) => s.includes('What now?') && s.includes('l lab  o open'));
    await quit(start);
  } finally {
    browser.close();
    start.close();
  }
});
