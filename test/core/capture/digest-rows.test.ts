import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { digestRows, type StoredRow } from '../../../src/core/capture/digest-rows.js';

const runs = Number(process.env.KUSTODY_FC_RUNS ?? 300);

// The line encoding of docs/evidence-schema.md, in Python: the outside judge of the TypeScript one.
const PYTHON_JUDGE = `
import hashlib, json, sys
def value(v):
    return int(v["$int"]) if isinstance(v, dict) else v
for rows in json.load(sys.stdin):
    h = hashlib.sha256(b"kustody-rows-v1\\n")
    for row in rows:
        h.update((json.dumps({k: value(row[k]) for k in sorted(row)}, separators=(",", ":"), ensure_ascii=False) + "\\n").encode())
    print(h.hexdigest())
`;

test('the row digest equals the documented Python encoding for any text, 64-bit integers and NULLs', () => {
  const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => Buffer.from(s, 'utf8').toString('utf8') === s);
  const row = fc.record({ pid: fc.integer(), comm: fc.option(text), inode: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), Alpha: text, cap_eff: fc.constant(null), é: text });
  const samples = fc.sample(fc.array(row, { maxLength: 6 }), runs) as StoredRow[][];
  const input = JSON.stringify(samples.map((rows) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? { $int: v.toString() } : v])))));
  const python = execFileSync('python3', ['-c', PYTHON_JUDGE], { input, encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(samples.map((rows) => digestRows(rows)), python);
});

test('the row digest changes when any value or the row order changes', () => {
  const rows = [{ pid: 1, comm: 'sh' }, { pid: 2, comm: 'nc' }];
  const base = digestRows(rows);
  assert.notEqual(digestRows([{ pid: 1, comm: 'sh' }, { pid: 2, comm: 'nC' }]), base);
  assert.notEqual(digestRows([{ pid: 1, comm: 'sh' }, { pid: 2, comm: null }]), base);
  assert.notEqual(digestRows([rows[1] as StoredRow, rows[0] as StoredRow]), base);
  assert.notEqual(digestRows([rows[0] as StoredRow]), base);
});
