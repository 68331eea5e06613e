import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RULE_MAPPINGS, frameworkEntry } from '../../src/core/findings/framework-map.js';
import { renderFindingsDoc } from '../../src/core/findings/findings-doc.js';
import { FINDING_RULES } from '../../src/core/findings/registry.js';

test('docs/findings.md is exactly what the rule registry and framework table say (regenerate with npm run docs:findings)', () => {
  const committed = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8');
  assert.equal(committed, renderFindingsDoc());
});

test('every mapping names a registered rule and an id the framework table defines, and every rule says what it looks for', () => {
  const rules = new Set(FINDING_RULES.map((r) => r.id));
  for (const [key, ids] of Object.entries(RULE_MAPPINGS)) {
    assert.ok(rules.has(key.split('/')[0] ?? ''), `mapping ${key} is for no registered rule`);
    for (const id of ids) assert.ok(frameworkEntry(id), `${key} maps to ${id}, which framework-map.ts does not define`);
  }
  for (const rule of FINDING_RULES) assert.ok(rule.describes.length > 10, `${rule.id} has no description`);
});
