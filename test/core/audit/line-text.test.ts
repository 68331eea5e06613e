import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayHoldLoneSurrogates } from '../../../src/core/audit/line-text.js';

// The reference: any JSON escape of a UTF-16 surrogate (\uD800-\uDFFF, either case), as a regex.
const reference = (text: string) => /\\u[dD][89a-fA-F]/.test(text);

test('a line may hold lone surrogates exactly when it has a \\uD800-\\uDFFF escape (any case) or invalid UTF-8', () => {
  const cases = [
    '', '{"a":"b"}', '\\u', '\\ud', '\\uD', '\\ud8', '\\uD9', '\\udA00', '\\uDb00', '\\ud7ff', '\\udg00', '\\ue000', '\\u0064', 'x\\u003c\\ud800',
    '\\\\ud800', '\\u\\udc00', 'a\\uDFFF', '\\uDfff', '\\uD:00', '\\uD@00', '\\uD`00', '\\uDG00', '\\ud\u0018', '\\u0000\\uDC80 tail',
  ];
  for (const text of cases) assert.equal(mayHoldLoneSurrogates(text, false), reference(text), JSON.stringify(text));
  // Every character after "\uD" (and after "\u" instead of D), against the reference.
  for (let code = 0; code < 0x250; code += 1) {
    for (const text of [`\\uD${String.fromCharCode(code)}00`, `\\ud${String.fromCharCode(code)}`, `\\u${String.fromCharCode(code)}800`]) {
      assert.equal(mayHoldLoneSurrogates(text, false), reference(text), JSON.stringify(text));
    }
  }
  assert.equal(mayHoldLoneSurrogates('{"a":"b"}', true), true);
});
