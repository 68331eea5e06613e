import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { digestRows } from '../../../src/core/capture/digest-rows.js';
import { canonicalJson } from '../../../src/core/custody/canonical-json.js';

const runs = Number(process.env.KUSTODY_FC_RUNS ?? 2000);

/** The definition the custody log documents: one canonical JSON line per row, bigints as strings. */
function reference(rows: object[]): string {
  const hash = createHash('sha256');
  for (const row of rows) {
    const plain = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
    hash.update(`${canonicalJson(plain)}\n`);
  }
  return hash.digest('hex');
}

test('the rows digest equals SHA-256 over canonical JSON lines, for any row values and mixed key sets', () => {
  const row = fc.record({ pid: fc.integer(), comm: fc.option(fc.string({ unit: 'binary' })), inode: fc.bigInt(), zeta: fc.boolean(), Alpha: fc.string(), é: fc.constant('x') }, { requiredKeys: ['pid'] });
  fc.assert(fc.property(fc.array(row, { maxLength: 8 }), (rows) => digestRows(rows) === reference(rows)), { numRuns: runs });
});

test('the rows digest changes when any value or the row order changes', () => {
  const rows = [{ pid: 1, comm: 'sh' }, { pid: 2, comm: 'nc' }];
  const base = digestRows(rows);
  assert.notEqual(digestRows([{ pid: 1, comm: 'sh' }, { pid: 2, comm: 'nC' }]), base);
  assert.notEqual(digestRows([rows[1] as object, rows[0] as object]), base);
});
