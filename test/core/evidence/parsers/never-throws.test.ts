import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_WARNING_LIMIT, parseCgroup, parseCmdline, parseEnviron, parseMountInfo, parseNamespaceLink, parseNetInet, parseNetUnix,
  parseProcLink, parseStat, parseStatus, type ParseWarning,
} from '../../../../src/core/evidence/parsers/index.js';
import { assertPrintableWarnings, fixture, FC_RUNS, utf8 } from './helpers.js';

type Parser = (bytes: Uint8Array) => { warnings: ParseWarning[] };

/** Every parser with a real capture of its format to mutate. */
const parsers: ReadonlyArray<[string, Parser, Uint8Array]> = [
  ['stat', parseStat, fixture('comm-paren/stat')],
  ['status', parseStatus, fixture('comm-plain/status')],
  ['cmdline', parseCmdline, fixture('argv-escape/cmdline')],
  ['environ', parseEnviron, fixture('environ-synthetic/environ')],
  ['proc link', parseProcLink, utf8('/tmp/x (deleted)')],
  ['ns link', parseNamespaceLink, utf8('net:[4026531840]')],
  ['mountinfo', parseMountInfo, fixture('mountns/mountinfo')],
  ['cgroup', parseCgroup, fixture('comm-plain/cgroup')],
  ['tcp', (bytes) => parseNetInet(bytes, 'tcp'), fixture('netns/net-tcp')],
  ['tcp6', (bytes) => parseNetInet(bytes, 'tcp6'), fixture('netns/net-tcp6')],
  ['udp', (bytes) => parseNetInet(bytes, 'udp'), fixture('netns/net-udp')],
  ['udp6', (bytes) => parseNetInet(bytes, 'udp6'), fixture('netns/net-udp6')],
  ['unix', parseNetUnix, fixture('netns/net-unix')],
];

/** Bytes that matter to some format's framing, so random input hits the interesting branches. */
const framingByte = fc.constantFrom(...utf8('()[]:- \t\n\\=@/0123456789ABCDEFabcdef'), 0x00, 0x1b, 0x7f, 0x80, 0xc3, 0xff);
const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('insert', 'delete', 'replace'), bytes: fc.array(framingByte, { minLength: 1, maxLength: 6 }) });

/** Applies insertions, deletions and replacements to a copy of a real capture. */
function mutate(seed: Uint8Array, edits: ReadonlyArray<{ at: number; kind: string; bytes: number[] }>): Uint8Array {
  const out = [...seed];
  for (const { at, kind, bytes } of edits) {
    const index = out.length === 0 ? 0 : at % (out.length + 1);
    if (kind === 'insert') out.splice(index, 0, ...bytes);
    else if (kind === 'delete') out.splice(index, bytes.length);
    else out.splice(index, bytes.length, ...bytes);
  }
  return Uint8Array.from(out);
}

function assertWellBehaved(parse: Parser, bytes: Uint8Array): void {
  const { warnings } = parse(bytes);
  assertPrintableWarnings(warnings);
  assert.ok(warnings.length <= DEFAULT_WARNING_LIMIT + 1, 'warnings are capped');
}

for (const [name, parse, seed] of parsers) {
  test(`property: ${name} never throws on mutated real input, and its warnings stay printable and capped`, () => {
    assertWellBehaved(parse, seed);
    fc.assert(fc.property(fc.array(edit, { maxLength: 10 }), (edits) => assertWellBehaved(parse, mutate(seed, edits))), { numRuns: FC_RUNS });
  });

  test(`property: ${name} never throws on random framing bytes`, () => {
    fc.assert(fc.property(fc.array(framingByte, { maxLength: 400 }), (bytes) => assertWellBehaved(parse, Uint8Array.from(bytes))), { numRuns: FC_RUNS });
  });
}

// A quadratic parser would take minutes here; the test's timeout is the guard, not a timed assertion.
test('every parser survives 1 MiB of text without a newline or NUL', { timeout: 60_000 }, () => {
  const text = utf8('A) (: \\x'.repeat(128 * 1024));
  for (const [, parse] of parsers) assertWellBehaved(parse, text);
});
