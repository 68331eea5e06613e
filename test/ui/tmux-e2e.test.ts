/**
 * kustody in a real terminal (tmux): review of the shipped demo case and of bundles, keys for tabs,
 * filter and help, resize and NO_COLOR, and the raw bytes the program wrote checked for every escape
 * sequence the demo's evidence carries. Needs `npm run build` (npm test builds first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KUSTODY_BIN, REPO_ROOT, makeTempDir } from '../helpers/cli.js';
import { tarLayout } from '../helpers/bundle-fixtures.js';
import { startTmux, type TmuxSession } from './tmux.js';
import { lacks, needsTmux } from '../helpers/prerequisites.js';

const DEMO = join(REPO_ROOT, 'demo', 'demo-case.tar');
const missing = needsTmux();

/** Sequences from the demo's evidence; none may reach the terminal raw. */
const HOSTILE_BYTES: readonly [string, Buffer][] = [
  ['OSC (52 clipboard, 8 link, 0 title)', Buffer.from('\x1b]')],
  ['BEL', Buffer.from('\x07')],
  ['cursor position from evidence', Buffer.from('\x1b[5;7H')],
  // ink itself clears the screen once when the terminal shrinks (\x1b[2J\x1b[3J\x1b[H); the evidence's clear is followed by a cursor-up.
  ['clear screen from evidence', Buffer.from('\x1b[2J\x1b[1A')],
  ['carriage-return overwrite', Buffer.from('evil\rkube-proxy')],
  ['RIGHT-TO-LEFT OVERRIDE', Buffer.from('\u202e')],
  ['C1 controls (UTF-8 C2 80..9F)', Buffer.from([0xc2, 0x9b])],
];

async function assertNoHostileBytes(session: TmuxSession): Promise<void> {
  const raw = await session.raw();
  assert.ok(raw.length > 1000, 'pipe-pane recorded the program output');
  for (const [name, bytes] of HOSTILE_BYTES) assert.equal(raw.indexOf(bytes), -1, `${name} reached the terminal raw`);
  for (let b = 0x80; b <= 0x9f; b++) assert.equal(raw.indexOf(Buffer.from([0xc2, b])), -1, `C1 U+00${b.toString(16)} reached the terminal raw`);
}

test('review --demo in a real terminal: tabs, filter, help, resize, and no raw escape from the evidence', { timeout: 60_000 }, async (t) => {
  if (lacks(t, missing)) return;
  const session = startTmux([process.execPath, KUSTODY_BIN, 'review', '--demo']);
  try {
    const findings = await session.waitFor((s) => s.includes('SEVERITY'), 'the Findings tab, first');
    assert.match(findings, /CRITICAL 1 connection\(s\) survived isolation/);
    session.send(['2']);
    const first = await session.waitFor((s) => s.includes('PROCESS'), 'the process tree');
    assert.match(first, /kustody review \(read-only\) · CONSISTENT \(origin not proven: unsigned\); custody chain ok \(\d+ rows\) · case-/);
    assert.match(first, /\\x1b\]52;c;SGk=\\x07/, 'the OSC 52 process name is shown escaped');
    assert.match(first, /\\u\{202e\}hs\.exe/, 'the bidi override is shown escaped');
    assert.match(first, /└─ sleep|├─ nc|└─ nc/);
    for (const [key, header] of [['3', 'REMOTE'], ['4', 'MOUNT POINT'], ['5', 'FINGERPRINT'], ['6', 'NAMESPACE'], ['7', 'OUTCOME'], ['8', 'MESSAGE']] as const) {
      session.send([key]);
      await session.waitFor((s) => s.includes(header), `tab ${key}`);
    }
    session.send(['2']);
    await session.waitFor((s) => s.includes('PROCESS'), 'back on the process tree');
    // The process whose command line carries OSC 8, cursor moves and a CR overwrite: select it and read its detail.
    session.send(['/']);
    await session.waitFor((s) => s.includes('filter: /'), 'the filter line');
    session.send(['kube-dns'], true);
    const filtered = await session.waitFor((s) => /rows 1–\d+ of \d+ \(filtered from \d+\)/.test(s), 'filtered rows');
    assert.match(filtered, /filter: \/kube-dns/);
    session.send(['Enter']);
    const detail = await session.waitFor((s) => s.includes('cmdline') && s.includes('evil\\x0dkube-proxy'), 'the hostile command line in the detail pane');
    assert.match(detail, /\\x1b\]8;;https:\/\/evil\.example\/\\x1b\\\\(\\\\)?kube-dns/);
    assert.match(detail, /\\x1b\[5;7H\\x1b\[2J/);
    session.send(['Escape']);
    await session.waitFor((s) => !s.includes('filtered from'), 'the filter cleared');
    session.send(['6']);
    await session.waitFor((s) => s.includes('NAMESPACE'), 'the objects tab');
    session.send(['/']);
    session.send(['Pod'], true);
    session.send(['Enter']);
    const annotation = await session.waitFor((s) => s.includes('annotation demo.k'), 'the planted annotation');
    assert.match(annotation, /\\x1b\]8;;https:\/\/evil\.example\//);
    session.send(['?']);
    assert.match(await session.waitFor((s) => s.includes('Evidence browser'), 'the help'), /Tab \/ → , Shift-Tab \/ ←/);
    session.send(['?']);
    await session.waitFor((s) => s.includes('KIND'), 'help closed');
    session.resize(80, 24);
    const narrow = await session.waitFor((s) => s.includes('2 Procs'), 'short tab titles after the resize');
    assert.ok(narrow.split('\n').every((l) => l.length <= 80));
    session.send(['q']);
    await session.waitFor((s) => s.includes('EXIT=0'), 'a clean exit');
    await assertNoHostileBytes(session);
  } finally {
    session.close();
  }
});

test('review of a bundle verifies it first; a tampered copy is refused in the terminal with what failed', { timeout: 60_000 }, async (t) => {
  if (lacks(t, missing)) return;
  const { dir, cleanup } = makeTempDir();
  const ok = startTmux([process.execPath, KUSTODY_BIN, 'review', DEMO]);
  const tar = readFileSync(DEMO);
  const manifest = tarLayout(tar).find((m) => m.name === 'manifest.json');
  assert.ok(manifest !== undefined);
  // Change the case title inside manifest.json: the hash in SHA256SUMS no longer matches.
  tar.write('X', manifest.dataOffset + 40, 'latin1');
  const tampered = join(dir, 'tampered.tar');
  writeFileSync(tampered, tar);
  const bad = startTmux([process.execPath, KUSTODY_BIN, 'review', tampered]);
  try {
    await ok.waitFor((s) => s.includes('SEVERITY') && s.includes('CONSISTENT (origin not proven'), 'the verified bundle');
    ok.send(['C-c']);
    await ok.waitFor((s) => s.includes('EXIT=0'), 'a clean exit on Ctrl-C');
    await assertNoHostileBytes(ok);
    const refused = await bad.waitFor((s) => s.includes('REFUSED'), 'the refusal');
    assert.match(refused, /tampered\.tar is TAMPERED; nothing from it was opened/);
    assert.match(refused, /✗ (MEMBER_HASH_MISMATCH|MANIFEST_MALFORMED): manifest\.json/);
    assert.doesNotMatch(refused, /PROCESS/);
    bad.send(['q']);
    await bad.waitFor((s) => s.includes('EXIT=1'), 'exit code 1');
  } finally {
    ok.close();
    bad.close();
    cleanup();
  }
});

test('NO_COLOR: the same screens without a single colour escape; without it, colours are used', { timeout: 60_000 }, async (t) => {
  if (lacks(t, missing)) return;
  const plain = startTmux([process.execPath, KUSTODY_BIN, 'review', '--demo'], { env: { NO_COLOR: '1' } });
  const coloured = startTmux([process.execPath, KUSTODY_BIN, 'review', '--demo'], { env: { TERM: 'xterm-256color' } });
  try {
    for (const s of [plain, coloured]) {
      await s.waitFor((screen) => screen.includes('SEVERITY'), 'the first screen');
      s.send(['?']);
      await s.waitFor((screen) => screen.includes('Evidence browser'), 'the help');
      s.send(['q']);
      await s.waitFor((screen) => screen.includes('EXIT=0'), 'a clean exit');
    }
    // Foreground/background colour SGR: 30–37, 39, 40–47, 90–97, 38;5/38;2 and the like.
    const colour = /\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/;
    assert.doesNotMatch((await plain.raw()).toString('latin1'), colour);
    assert.match((await coloured.raw()).toString('latin1'), colour);
  } finally {
    plain.close();
    coloured.close();
  }
});

test('control: the raw-byte check does catch evidence printed unescaped', { timeout: 30_000 }, async (t) => {
  if (lacks(t, missing)) return;
  const leak = startTmux(['sh', '-c', 'printf "%s%s\\n" "$1" "$2"; echo done', 'sh', 'x'.repeat(2000), '\x1b]52;c;SGk=\x07 kube-dns']);
  try {
    await leak.waitFor((s) => s.includes('EXIT=0'), 'the leaking program to end');
    await assert.rejects(assertNoHostileBytes(leak), /OSC .* reached the terminal raw/);
    assert.doesNotMatch(leak.screen(), /52;c;SGk=/, 'the terminal swallowed the OSC 52 (it would have set the clipboard)');
  } finally {
    leak.close();
  }
});
