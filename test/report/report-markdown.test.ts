import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeUntrusted } from '../../src/core/display/index.js';
import { FRAMEWORK_ENTRIES } from '../../src/core/findings/index.js';
import { code } from '../../src/core/report/md-text.js';
import { makeTempDir, runKustody } from '../helpers/cli.js';
import { HOSTILE, makeHostileCase } from '../helpers/hostile-case.js';
import { needsCmarkGfm, parseGfm } from '../helpers/markdown.js';
import { lacks } from '../helpers/prerequisites.js';

test('the Markdown report of a hostile case, parsed as GitHub does, has no image, no raw HTML and no link but the framework sources; every hostile string is code text', async (t) => {
  if (lacks(t, needsCmarkGfm())) return;
  const { dir, cleanup } = makeTempDir();
  try {
    const casePath = await makeHostileCase(dir);
    const run = await runKustody(['report', casePath, '--format', 'md']);
    assert.equal(run.exitCode, 0, run.stderr);
    const nodes = parseGfm(run.stdout);
    assert.deepEqual(nodes.filter((n) => ['image', 'html_inline', 'html_block'].includes(n.type)), []);
    const sources = new Set(FRAMEWORK_ENTRIES.map((e) => e.url));
    const links = nodes.filter((n) => n.type === 'link');
    assert.ok(links.length > 0, 'the framework references are links');
    for (const link of links) assert.ok(sources.has(link.attributes.destination ?? ''), `link to ${link.attributes.destination} comes from the case`);
    const codeText = nodes.filter((n) => n.type === 'code').map((n) => n.text).join('\n');
    for (const [name, value] of Object.entries(HOSTILE)) assert.ok(codeText.includes(escapeUntrusted(value)), `${name} is shown whole inside a code span`);
    assert.match(codeText, /\\…\[\+\d+ bytes\]/, 'the 1 MiB value is cut with the marker');
    assert.ok(run.stdout.length < 2 * 1024 * 1024);
    assert.ok(!run.stdout.includes('\x1b') && !run.stdout.includes('\u202e'));
  } finally {
    cleanup();
  }
});

test('a code span shows any run of backticks and edge spaces exactly (CommonMark strips only the padding)', (t) => {
  if (lacks(t, needsCmarkGfm())) return;
  for (const value of ['`', '``', 'a`b', ' lead', 'trail ', '`x`', '```js', ' ` ', 'x\ny', '|pipe|']) {
    const [node] = parseGfm(`${code(value)}\n`).filter((n) => n.type === 'code');
    assert.equal(node?.text, escapeUntrusted(value), JSON.stringify(value));
  }
  assert.deepEqual(parseGfm(`${code('')}\n`).filter((n) => n.type === 'code'), []);
});
