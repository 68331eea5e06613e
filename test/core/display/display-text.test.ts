// DisplayText can only be minted by the sanitizer: trusted() takes vetted literals, display`…` takes
// DisplayText parts, and no file in src/ outside src/core/display casts a string to DisplayText.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { composedText, display, escapeUntrusted, joinDisplay, trusted, type DisplayText } from '../../../src/core/display/index.js';

test('trusted() returns kustody literal text unchanged, line feeds allowed', () => {
  assert.equal(trusted('Isolating pod'), 'Isolating pod');
  assert.equal(trusted('line one\nline two'), 'line one\nline two');
});

test('trusted() rejects a literal holding ESC, CR or a bidi override at run time', () => {
  assert.throws(() => trusted('\x1b[31mred'), /U\+001b at index 0/);
  assert.throws(() => trusted('a\rb'), /U\+000d/);
  assert.throws(() => trusted('a\u202eb'), /U\+202e/);
});

test('trusted() does not compile for a plain string, only for a literal', () => {
  const fromCluster: string = 'name-from-the-cluster';
  // @ts-expect-error a runtime string is not a literal and must go through escapeUntrusted
  assert.equal(trusted(fromCluster), fromCluster);
});

test('display`…` keeps DisplayText parts as they are and writes numbers plainly', () => {
  const name = escapeUntrusted('evil\x1b]0;t\x07');
  assert.equal(display`Pod ${name} has ${3} processes (${10n})`, 'Pod evil\\x1b]0;t\\x07 has 3 processes (10)');
});

test('display`…` rejects a control character in its own template text', () => {
  assert.throws(() => display`\x1b[2J${trusted('x')}`, /template text holds U\+001b/);
});

test('display`…` escapes a raw string smuggled in past the type checker instead of trusting it', () => {
  const smuggled = JSON.parse('"evil\\u001b[2J"') as string;
  // @ts-expect-error a raw string is not a DisplayPart
  assert.equal(display`x ${smuggled}`, 'x evil\\x1b[2J');
});

test('joinDisplay joins parts and still escapes a smuggled raw part', () => {
  const parts: DisplayText[] = [trusted('a'), escapeUntrusted('b\u202e')];
  assert.equal(joinDisplay(parts, trusted(', ')), 'a, b\\u{202e}');
  const smuggled = JSON.parse('["\\u009b2J"]') as DisplayText[];
  assert.equal(joinDisplay(smuggled, trusted('|')), '\\u{9b}2J');
});

// The lint: a cast is the one way left to forge DisplayText, and a cast to a literal type the one way
// to feed trusted() a runtime string, so no source outside the module may do either.
const CAST = /\bas\s+(?:unknown\s+as\s+)?DisplayText\b|(?:^|[^\w$.\])>])\s*<DisplayText>|\btrusted\(\s*(?!['"`]|$)/m;

/** Lists the lines of a source text that cast to DisplayText or call trusted() on a non-literal. */
function castLines(source: string): number[] {
  return source.split('\n').flatMap((line, i) => (CAST.test(line) ? [i + 1] : []));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(?:ts|tsx|mts|cts)$/.test(entry.name) ? [path] : [];
  });
}

test('the cast detector finds `as DisplayText` and angle-bracket casts but not generic arguments', () => {
  assert.deepEqual(castLines('const a = x as DisplayText;\nconst b = y as unknown as DisplayText;'), [1, 2]);
  assert.deepEqual(castLines('const c = <DisplayText>z;\nreturn (<DisplayText>w);'), [1, 2]);
  assert.deepEqual(castLines('useState<DisplayText>(t);\nconst d: DisplayText[] = [];\nMap<string, DisplayText>'), []);
  assert.deepEqual(castLines("trusted(name as 'x');\ntrusted('Isolate');\ntrusted(`Undo`);\ntrusted(\n"), [1]);
});

test('no file under src/ outside src/core/display casts to DisplayText or passes trusted() a non-literal', () => {
  const root = new URL('../../../', import.meta.url).pathname;
  const own = join(root, 'src/core/display');
  const offenders = sourceFiles(join(root, 'src'))
    .filter((file) => !file.startsWith(own + '/'))
    .flatMap((file) => castLines(readFileSync(file, 'utf8')).map((line) => `${relative(root, file)}:${line}`));
  assert.deepEqual(offenders, [], `DisplayText forged outside the sanitizer: ${offenders.join(', ')}`);
});

test('composedText keeps a document and its line feeds, and escapes a control or bidi character that slipped in', () => {
  assert.equal(composedText('a,b\n1,2'), 'a,b\n1,2');
  const out = composedText('ok\n\u001b[2Jx\u202ey');
  assert.ok(!/[\u001b\u202e]/.test(out), out);
  assert.ok(out.startsWith('ok\n'), out);
});
