import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_HASH, hashActionRow, verifyChain, type StoredActionRow } from '../../../src/core/custody/chain.js';

function buildChain(count: number): StoredActionRow[] {
  const rows: StoredActionRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const row = { seq, at: `2026-11-27T04:00:0${seq % 10}.000Z`, actor: 'root@host', kind: 'note', target: 'case-x', detail: { text: `note ${seq}` }, outcome: 'ok', prev_hash: prev };
    const hash = hashActionRow(row);
    rows.push({ ...row, hash });
    prev = hash;
  }
  return rows;
}

test('an untouched chain verifies and reports its head', () => {
  const rows = buildChain(5);
  const result = verifyChain(rows);
  assert.deepEqual(result.breaks, []);
  assert.equal(result.count, 5);
  assert.equal(result.head, rows[4]?.hash);
});

test('the row hash is SHA-256 over the documented tag and canonical JSON', async () => {
  const { createHash } = await import('node:crypto');
  const row = { seq: 1, at: 'T', actor: 'a', kind: 'note', target: 't', detail: { text: 'x' }, outcome: 'ok', prev_hash: GENESIS_HASH };
  const expected = createHash('sha256').update(`kustody-row-v1\n{"actor":"a","at":"T","detail":{"text":"x"},"kind":"note","outcome":"ok","prev_hash":"${GENESIS_HASH}","seq":1,"target":"t"}`).digest('hex');
  assert.equal(hashActionRow(row), expected);
});

test('editing any field of a row is named at that row', () => {
  for (const field of ['at', 'actor', 'kind', 'target', 'outcome'] as const) {
    const rows = buildChain(4);
    const victim = rows[2];
    assert.ok(victim);
    victim[field] = `${victim[field]}!`;
    const { breaks } = verifyChain(rows);
    assert.ok(breaks.some((b) => b.seq === 3 && /edited/.test(b.problem)), `edit of ${field} not detected`);
  }
  const rows = buildChain(4);
  const victim = rows[1];
  assert.ok(victim);
  victim.detail = { text: 'rewritten' };
  assert.ok(verifyChain(rows).breaks.some((b) => b.seq === 2));
});

test('a deleted or reordered row is detected even when later hashes are recomputed', () => {
  const rows = buildChain(5);
  rows.splice(2, 1);
  assert.ok(verifyChain(rows).breaks.some((b) => b.seq === 4));
  const swapped = buildChain(5);
  const [a, b] = [swapped[1], swapped[2]];
  assert.ok(a && b);
  swapped[1] = b;
  swapped[2] = a;
  assert.ok(verifyChain(swapped).breaks.length > 0);
});
