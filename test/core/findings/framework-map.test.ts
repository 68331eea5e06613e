import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FINDING_RULES, FRAMEWORK_ENTRIES, RULE_MAPPINGS, frameworkEntry } from '../../../src/core/findings/index.js';

const ID_SHAPES: Record<string, RegExp> = {
  'attack-containers': /^T1\d{3}(\.\d{3})?$/,
  'threat-matrix-k8s': /^MS-TA9\d{3}$/,
  'owasp-nhi-2025': /^NHI([1-9]|10)$/,
  // CSF 2.0 functions; CSF 1.1's PR.AC / PR.IP / DE.DP / RS.RP categories do not exist in 2.0.
  'nist-csf-2.0': /^(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}$/,
};

test('every framework id in the map has its framework\'s id shape, a name, an https source and how it was checked', () => {
  for (const entry of FRAMEWORK_ENTRIES) {
    assert.match(entry.id, ID_SHAPES[entry.framework]!, `${entry.framework} ${entry.id}`);
    assert.ok(entry.name.length > 3, entry.id);
    assert.match(entry.url, /^https:\/\/[a-z.]+\.(org|gov|io)\//, entry.id);
    assert.ok(entry.verifiedFrom.length > 10, entry.id);
  }
  assert.ok(!FRAMEWORK_ENTRIES.some((e) => /^PR\.(AC|IP|DS|PT)-/.test(e.id)), 'a CSF 1.1 id crept in');
  const keys = FRAMEWORK_ENTRIES.map((e) => `${e.framework}:${e.id}`);
  assert.equal(new Set(keys).size, keys.length, 'an id is listed twice');
});

test('every rule mapping names an id the table defines, and every registered rule has mappings', () => {
  for (const [rule, ids] of Object.entries(RULE_MAPPINGS)) {
    for (const key of ids) assert.ok(frameworkEntry(key) !== undefined, `${rule} maps to ${key}, which the table does not define`);
  }
  for (const rule of FINDING_RULES) assert.ok((RULE_MAPPINGS[rule.id] ?? []).length > 0, `rule ${rule.id} has no mappings`);
});
