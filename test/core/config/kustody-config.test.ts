import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFilePath, loadConfigSources } from '../../../src/adapters/system/config-file.js';
import { resolveCollectorImage, resolveNetcutImage } from '../../../src/core/config/kustody-config.js';
import { collectorImageOption } from '../../../src/commands/collector-options.js';
import { makeTempDir } from '../../helpers/cli.js';

const PINNED = `registry.example.com/sec/kustody-collector@sha256:${'a'.repeat(64)}`;
const OTHER = `registry.example.com/sec/other@sha256:${'b'.repeat(64)}`;

function home(t: import('node:test').TestContext, text?: string): { env: NodeJS.ProcessEnv; path: string } {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg') };
  const path = join(dir, 'xdg', 'kustody', 'config.yaml');
  mkdirSync(join(dir, 'xdg', 'kustody'), { recursive: true });
  if (text !== undefined) writeFileSync(path, text);
  return { env, path };
}

test('the collector image comes from the flag, else KUSTODY_COLLECTOR_IMAGE, else the settings file; each says where it came from', (t) => {
  const { env, path } = home(t, `collectorImage: ${PINNED}\ncollectorPullPolicy: Never\n`);
  const fromFile = collectorImageOption({}, env);
  assert.deepEqual(fromFile, { ref: PINNED, pullPolicy: 'Never', source: `${path} (collectorImage)` });
  const fromEnv = collectorImageOption({}, { ...env, KUSTODY_COLLECTOR_IMAGE: OTHER });
  assert.deepEqual(fromEnv, { ref: OTHER, pullPolicy: 'IfNotPresent', source: 'KUSTODY_COLLECTOR_IMAGE' });
  const fromFlag = collectorImageOption({ 'collector-image': 'lab.local/kustody-collector:0.1.0', 'collector-pull-policy': 'Always' }, { ...env, KUSTODY_COLLECTOR_IMAGE: OTHER });
  assert.deepEqual(fromFlag, { ref: 'lab.local/kustody-collector:0.1.0', pullPolicy: 'Always', source: '--collector-image' });
  // The flag's pull policy also wins over the file's.
  assert.equal(collectorImageOption({ 'collector-pull-policy': 'Always' }, env)?.pullPolicy, 'Always');
  // Nothing configured anywhere: no image, so no debug or node vantage.
  assert.equal(collectorImageOption({}, { HOME: join(path, '..', 'nowhere') }), undefined);
});

test('the settings file is $XDG_CONFIG_HOME/kustody/config.yaml when XDG_CONFIG_HOME is absolute, else ~/.config/kustody/config.yaml', () => {
  assert.equal(configFilePath({ HOME: '/home/r', XDG_CONFIG_HOME: '/cfg' }), '/cfg/kustody/config.yaml');
  assert.equal(configFilePath({ HOME: '/home/r', XDG_CONFIG_HOME: 'relative/cfg' }), '/home/r/.config/kustody/config.yaml');
  assert.equal(configFilePath({ HOME: '/home/r', XDG_CONFIG_HOME: '' }), '/home/r/.config/kustody/config.yaml');
});

test('the cut image is netcutImage / KUSTODY_NETCUT_IMAGE, never the collector image (which has no ss or conntrack)', (t) => {
  const { env } = home(t, `collectorImage: ${PINNED}\n`);
  const sources = loadConfigSources(env);
  assert.equal(resolveNetcutImage({}, sources), undefined);
  assert.equal(resolveNetcutImage({}, { ...sources, env: { ...env, KUSTODY_NETCUT_IMAGE: OTHER } })?.ref, OTHER);
  assert.equal(resolveCollectorImage({}, sources)?.ref, PINNED);
});

test('a hostile or malformed settings file stops kustody with its path, the line and what to fix; a FIFO or a folder never blocks', { timeout: 60_000 }, (t) => {
  const cases: Array<[string, string | ((path: string) => void), RegExp]> = [
    ['bad YAML', 'collectorImage: [unclosed\n', /line 2, is not valid: Flow sequence/],
    ['unknown key', `collectorImage: ${PINNED}\nimagePullSecret: hunter2\n`, /line 2,.*unknown setting "imagePullSecret"/],
    ['not a string', 'collectorImage: 42\n', /line 1,.*collectorImage must be a string/],
    ['shell in the image', 'collectorImage: "reg.example/x; rm -rf /"\n', /line 1,.*not an image reference/],
    ['control characters', 'collectorImage: "reg.example/x\\u001b[2J"\n', /not an image reference/],
    ['bad pull policy', `collectorImage: ${PINNED}\ncollectorPullPolicy: Sometimes\n`, /line 2,.*Always, IfNotPresent or Never/],
    ['a list', '- collectorImage\n', /not a mapping/],
    ['an alias bomb', 'a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\ncollectorImage: *b\n', /not valid/],
    ['10 MB', (path) => writeFileSync(path, `# ${'x'.repeat(10 * 1024 * 1024)}\n`), /larger than 64 KiB/],
    ['a folder', (path) => mkdirSync(path), /could not be read \(not a regular file\)/],
    ['a FIFO', (path) => execFileSync('mkfifo', [path]), /could not be read \(not a regular file\)/],
    ['not UTF-8', (path) => writeFileSync(path, Buffer.from([0x63, 0x3a, 0x20, 0xff, 0xfe, 0x0a])), /not UTF-8/],
  ];
  for (const [name, content, message] of cases) {
    const { env, path } = home(t, typeof content === 'string' ? content : undefined);
    if (typeof content === 'function') content(path);
    assert.throws(() => collectorImageOption({}, env), (error: Error & { nextStep?: string; kind?: string }) => {
      assert.ok(error.message.includes(path), `${name}: ${error.message}`);
      assert.match(error.message, message, name);
      assert.equal(error.kind, 'usage', name);
      assert.match(error.nextStep ?? '', new RegExp(path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), name);
      return true;
    }, name);
    // An explicit flag or environment variable does not read the file at all, so a broken file never blocks it.
    assert.equal(collectorImageOption({ 'collector-image': PINNED }, env)?.ref, PINNED, name);
    assert.equal(collectorImageOption({}, { ...env, KUSTODY_COLLECTOR_IMAGE: PINNED })?.ref, PINNED, name);
  }
});

test('a malformed image in the flag or the environment is refused as usage, naming where it came from', () => {
  assert.throws(() => collectorImageOption({ 'collector-image': 'Reg/UPPER case' }, { HOME: '/nonexistent' }), /--collector-image "Reg\/UPPER case" is not an image reference/);
  assert.throws(() => collectorImageOption({}, { HOME: '/nonexistent', KUSTODY_COLLECTOR_IMAGE: '$(id)' }), /KUSTODY_COLLECTOR_IMAGE "\$\(id\)" is not an image reference/);
  assert.throws(() => collectorImageOption({}, { HOME: '/nonexistent', KUSTODY_COLLECTOR_IMAGE: PINNED, KUSTODY_COLLECTOR_PULL_POLICY: 'often' }), /KUSTODY_COLLECTOR_PULL_POLICY must be/);
});
