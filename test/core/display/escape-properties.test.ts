// fast-check properties of the escaper: safety for any input, injectivity and reversibility while no
// limit is hit, exact truncation accounting, and agreement with a strict UTF-8 decoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeUntrusted, UNBOUNDED } from '../../../src/core/display/index.js';
import { decodeEscaped, findForbidden, tokensToBytes, tokensToString, utf8Size } from './fixtures/escape-oracle.js';

const numRuns = Number(process.env.KUSTODY_FC_RUNS ?? 2000);

// Characters that matter: controls, escapes' own syntax, bidi, invisibles, marks and surrogates.
const NASTY = [
  '\x00', '\x07', '\x08', '\t', '\n', '\r', '\x1b', '\x7f', '\u0085', '\u009b', '\\', 'x', 'u', '{', '}', '1', 'b',
  '\u0301', '\u0338', '\u034f', '\u061c', '\u180e', '\u200b', '\u200d', '\u200e', '\u202e', '\u2028', '\u2029',
  '\u2066', '\u2069', '\u2060', '\ufeff', '\ud800', '\udc00', '\udbff', '\u{e0041}', '\u{e0100}', '…', '[', '+',
  '漢', '😀', 'é',
];
const unit = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), // includes lone surrogates
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const hostileString = fc.string({ unit, maxLength: 40 });
const hostileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 60 }),
  hostileString.map((s) => new TextEncoder().encode(s)),
  fc.array(fc.constantFrom(0x1b, 0x5c, 0x41, 0x80, 0x8f, 0x90, 0x9b, 0x9f, 0xa0, 0xae, 0xbf, 0xc0, 0xc1, 0xc2, 0xe0, 0xe2, 0xed, 0xf0, 0xf4, 0xf5, 0xff)).map((a) => Uint8Array.from(a)),
);
const limits = fc.record(
  { maxColumns: fc.integer({ min: 0, max: 80 }), maxBytes: fc.integer({ min: 0, max: 120 }), maxCombiningMarks: fc.nat(4) },
  { requiredKeys: [] },
);

test('property: no string, under any limits, escapes to text holding a forbidden code point', () => {
  fc.assert(
    fc.property(hostileString, limits, (s, options) => findForbidden(escapeUntrusted(s, options)) === undefined),
    { numRuns },
  );
});

test('property: no byte array, under any limits, escapes to text holding a forbidden code point', () => {
  fc.assert(
    fc.property(hostileBytes, limits, (b, options) => findForbidden(escapeUntrusted(b, options)) === undefined),
    { numRuns },
  );
});

test('property: unbounded escaping of a string is reversed exactly by the documented notation', () => {
  fc.assert(
    fc.property(hostileString, (s) => {
      assert.equal(tokensToString(decodeEscaped(escapeUntrusted(s, UNBOUNDED))), s);
    }),
    { numRuns },
  );
});

test('property: unbounded escaping of bytes is reversed exactly, invalid bytes included', () => {
  fc.assert(
    fc.property(hostileBytes, (b) => {
      assert.deepEqual(tokensToBytes(decodeEscaped(escapeUntrusted(b, UNBOUNDED))), b);
    }),
    { numRuns },
  );
});

test('property: injective, escape(a) === escape(b) only when a === b, over a collision-prone alphabet', () => {
  const tiny = fc.string({ unit: fc.constantFrom('\\', 'x', '1', 'b', '\x1b', 'u', '{', '}', '9', '\u009b'), maxLength: 8 });
  fc.assert(
    fc.property(tiny, tiny, (a, b) => (escapeUntrusted(a, UNBOUNDED) === escapeUntrusted(b, UNBOUNDED)) === (a === b)),
    { numRuns },
  );
  // Pairs of near-identical inputs, where a collision would hide.
  fc.assert(
    fc.property(tiny, fc.nat(8), fc.constantFrom('\\', 'x', '\x1b', '\u009b'), (a, at, ch) => {
      const b = a.slice(0, at) + ch + a.slice(at);
      return escapeUntrusted(a, UNBOUNDED) !== escapeUntrusted(b, UNBOUNDED);
    }),
    { numRuns },
  );
});

test('property: valid UTF-8 escapes exactly like the string it decodes to', () => {
  fc.assert(
    fc.property(hostileBytes, (b) => {
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
      } catch {
        return; // invalid UTF-8 is covered by the reversibility property
      }
      assert.equal(escapeUntrusted(b, UNBOUNDED), escapeUntrusted(text, UNBOUNDED));
    }),
    { numRuns },
  );
});

test('property: printable ASCII without a backslash comes out unchanged', () => {
  const plain = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 0x5c).map((c) => String.fromCharCode(c)) });
  fc.assert(
    fc.property(plain, (s) => escapeUntrusted(s) === s),
    { numRuns },
  );
});

test('property: a truncated result is an unbounded prefix plus a marker counting exactly the hidden bytes', () => {
  fc.assert(
    fc.property(hostileString, fc.integer({ min: 14, max: 60 }), fc.integer({ min: 20, max: 100 }), (s, maxColumns, maxBytes) => {
      const full = escapeUntrusted(s, UNBOUNDED);
      const out = escapeUntrusted(s, { maxColumns, maxBytes, maxCombiningMarks: Number.POSITIVE_INFINITY });
      assert.ok(utf8Size(out) <= maxBytes, `${utf8Size(out)} bytes > ${maxBytes}`);
      if (out === full) return;
      const match = /\\…\[\+(\d+) bytes\]$/u.exec(out);
      assert.ok(match, `no marker on a truncated result: ${JSON.stringify(out)}`);
      const kept = out.slice(0, match.index);
      assert.ok(full.startsWith(kept));
      const shownInput = tokensToString(decodeEscaped(kept));
      assert.ok(s.startsWith(shownInput));
      assert.equal(Number(match[1]), utf8Size(s) - utf8Size(shownInput));
    }),
    { numRuns },
  );
});
