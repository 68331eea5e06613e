import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from '../../../src/core/audit/line-splitter.js';

const text = (line: { kind: string; bytes?: Buffer }) => (line.kind === 'line' && line.bytes !== undefined ? line.bytes.toString('utf8') : line.kind);

test('a line still open at a chunk end survives the chunk being overwritten (chunks are reused once their complete lines are consumed)', () => {
  const splitter = new LineSplitter(1024);
  const chunk = Buffer.from('first\nsecond-be');
  const done = splitter.push(chunk).map(text);
  assert.deepEqual(done, ['first']);
  // The reader reuses the buffer for the next bytes of the file, as the ingest does.
  chunk.fill('X');
  const rest = splitter.push(Buffer.from('gins\nthird')).map(text);
  assert.deepEqual(rest, ['second-begins']);
  assert.deepEqual(splitter.end().map(text), ['third']);
});

test('a line spanning three reused chunks is reassembled whole; one over the limit is reported by size only', () => {
  const splitter = new LineSplitter(12);
  const chunk = Buffer.alloc(5);
  const out: string[] = [];
  for (const piece of ['abcde', 'fghij', 'kl\nmn', 'opqrs', 'tuvwx', 'yz\n']) {
    chunk.write(piece.padEnd(5, '\0'));
    out.push(...splitter.push(chunk.subarray(0, piece.length)).map(text));
    chunk.fill(0);
  }
  assert.deepEqual(out, ['abcdefghijkl', 'too-long']);
  assert.equal(splitter.lines, 2);
});
