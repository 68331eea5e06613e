#!/usr/bin/env node
// Runs every test file under test/ with node's built-in test runner, TypeScript loaded through tsx.
// Node 20's --test takes no globs, so the files are found here. Extra arguments filter by path.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

/** Lists test files below a folder, sorted, skipping fixtures and node_modules. */
function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'fixtures') continue;
      found.push(...findTests(path));
    } else if (/\.test\.tsx?$/.test(entry.name)) {
      found.push(relative(root, path));
    }
  }
  return found.sort();
}

const files = findTests(join(root, 'test')).filter(
  (file) => filters.length === 0 || filters.some((f) => file.includes(f)),
);
if (files.length === 0) {
  console.error(`No test files match ${filters.join(' ')}`);
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  // A test that hangs fails after 10 minutes (naming itself) instead of holding the whole run.
  ['--import', 'tsx', '--test', '--test-timeout=600000', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
