/** Static checks of the UI's rules: one component prints text, no DisplayText casts, src/ui never reaches an adapter, src/core/ui stays pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

const source = (file: string) => readFileSync(join(ROOT, file), 'utf8');

test('only Txt.tsx uses ink\'s Text: every other component prints DisplayText through it', () => {
  const offenders = files('src/ui').filter((f) => f !== 'src/ui/components/Txt.tsx' && /import \{[^}]*\bText\b[^}]*\} from 'ink'|<Text[\s>]/.test(source(f)));
  assert.deepEqual(offenders, []);
});

test('no code of the UI casts a string to DisplayText', () => {
  const scope = [...files('src/ui'), ...files('src/adapters/ui-data'), 'src/commands/review-command.ts'];
  const offenders = scope.filter((f) => /as (unknown as )?DisplayText|<DisplayText>/.test(source(f)));
  assert.deepEqual(offenders, []);
});

test('src/ui imports no adapter, and src/core/ui no React, ink, adapter, runner or file system', () => {
  const uiOffenders = files('src/ui').filter((f) => /from '(\.\.\/)+adapters\//.test(source(f)));
  assert.deepEqual(uiOffenders, []);
  const coreOffenders = files('src/core/ui').filter((f) => /from '(react|ink|node:fs|better-sqlite3|@kubernetes\/client-node)'|from '(\.\.\/)+(adapters|runner|ui)\//.test(source(f)));
  assert.deepEqual(coreOffenders, []);
});

test('UI files stay small (components ~150 lines, everything under 300) and name their exports', () => {
  for (const f of [...files('src/ui'), ...files('src/core/ui'), ...files('src/adapters/ui-data')]) {
    const text = source(f);
    const lines = text.split('\n').length;
    assert.ok(lines <= 300, `${relative(ROOT, join(ROOT, f))} has ${lines} lines`);
    assert.doesNotMatch(text, /export default|: any\b|<any>/, `${f} uses a default export or any`);
  }
});
