import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { escapeUntrusted } from '../../src/core/display/index.js';
import { MAX_FIELD_BYTES } from '../../src/core/report/html-text.js';
import type { ReportModel } from '../../src/core/report/model.js';
import { visitPage, needsChromium } from '../helpers/chromium.js';
import { makeTempDir, runKustody } from '../helpers/cli.js';
import { HOSTILE, makeHostileCase } from '../helpers/hostile-case.js';
import { lacks } from '../helpers/prerequisites.js';

const DOM_FACTS = `(() => ({
  pwned: window.__pwned ?? null,
  scripts: document.scripts.length,
  active: document.querySelectorAll('img,iframe,object,embed,link,video,audio,source,form,base,meta[http-equiv=refresh]').length,
  handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
  jsLinks: [...document.querySelectorAll('a')].filter((a) => !/^(#|https:)/.test(a.getAttribute('href') ?? '')).length,
  findingIds: [...document.querySelectorAll('[data-finding-id]')].map((e) => e.getAttribute('data-finding-id')),
  changeIds: [...document.querySelectorAll('[data-change-id]')].map((e) => e.getAttribute('data-change-id')),
  hashes: [...document.querySelectorAll('[data-sha256]')].map((e) => e.getAttribute('data-sha256')),
  text: document.body.innerText,
}))()`;

interface DomFacts { pwned: unknown; scripts: number; active: number; handlers: number; jsLinks: number; findingIds: string[]; changeIds: string[]; hashes: string[]; text: string }

test('the HTML report of a verified hostile bundle, rendered in Chromium, runs no script, sends no request, breaks no CSP rule, and shows every finding, change and hash with the hostile strings as escaped text', async (t) => {
  if (lacks(t, needsChromium())) return;
  const { dir, cleanup } = makeTempDir();
  try {
    const casePath = await makeHostileCase(dir);
    const bundle = join(dir, 'case.tar');
    const exported = await runKustody(['bundle', 'export', casePath, '-o', bundle, '--json']);
    assert.equal(exported.exitCode, 0, exported.stderr);
    const bundleSha = (JSON.parse(exported.stdout) as { sha256: string }).sha256;
    const html = join(dir, 'report.html');
    const run = await runKustody(['report', bundle, '-o', html]);
    assert.equal(run.exitCode, 0, run.stderr);
    const json = await runKustody(['report', bundle, '--format', 'json']);
    const model = JSON.parse(json.stdout) as ReportModel;
    assert.ok(statSync(html).size < 2 * 1024 * 1024, 'the 1 MiB values are bounded, not copied whole');

    const visit = await visitPage(pathToFileURL(html).href, DOM_FACTS);
    if (process.env.KUSTODY_REPORT_SCREENSHOT) writeFileSync(process.env.KUSTODY_REPORT_SCREENSHOT, visit.screenshot);
    const dom = visit.value as DomFacts;
    assert.deepEqual(visit.requests, [pathToFileURL(html).href], 'only the document itself is requested');
    assert.deepEqual(visit.console, []);
    assert.deepEqual(visit.issues, [], 'no CSP or other page issue');
    assert.deepEqual(visit.log.filter((l) => /security|Content Security Policy|Refused/i.test(l)), []);
    assert.deepEqual({ pwned: dom.pwned, scripts: dom.scripts, active: dom.active, handlers: dom.handlers, jsLinks: dom.jsLinks }, { pwned: null, scripts: 0, active: 0, handlers: 0, jsLinks: 0 });

    assert.ok(model.findings.length >= 6, `${model.findings.length} findings`);
    const shown = (value: string) => escapeUntrusted(value, { maxBytes: MAX_FIELD_BYTES });
    assert.deepEqual(dom.findingIds, model.findings.map((f) => shown(f.id)));
    assert.deepEqual(dom.changeIds, model.changes.items.map((c) => shown(`${c.plan}|${c.changeId}`)));
    for (const hash of [bundleSha, ...model.inventory.artifacts.map((a) => a.sha256), model.integrity.custodyHead!.hash]) assert.ok(dom.hashes.includes(hash), `hash ${hash} shown`);
    assert.equal(model.integrity.sha256, bundleSha);
    for (const [name, value] of Object.entries(HOSTILE)) {
      assert.ok(dom.text.includes(escapeUntrusted(value)), `${name} appears as text, in kustody's escape notation`);
    }
    assert.ok(!dom.text.includes('\x1b') && !dom.text.includes('\u202e'), 'no raw ESC or bidi control reaches the page');
    assert.match(dom.text, /\\…\[\+\d+ bytes\]/, 'the 1 MiB value ends in the truncation marker');
    const source = readFileSync(html, 'utf8');
    assert.match(source, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
    assert.ok(!/<script/i.test(source), 'no script element in the file');
  } finally {
    cleanup();
  }
});

test('a tampered bundle gets no report: exit 1 and the findings of verify', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const casePath = await makeHostileCase(dir);
    const bundle = join(dir, 'case.tar');
    assert.equal((await runKustody(['bundle', 'export', casePath, '-o', bundle])).exitCode, 0);
    const tar = readFileSync(bundle);
    const at = tar.indexOf(Buffer.from('status of <script>'));
    assert.ok(at > 0);
    tar[at] = 'S'.charCodeAt(0);
    writeFileSync(bundle, tar);
    const run = await runKustody(['report', bundle, '--format', 'md']);
    assert.equal(run.exitCode, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /TAMPERED/);
    assert.match(run.stderr, /✗ [A-Z_]+: /);
  } finally {
    cleanup();
  }
});

test('control: the Chromium harness does see a script that runs, a request that leaves and a CSP refusal, so the checks above can fail', async (t) => {
  if (lacks(t, needsChromium())) return;
  const { dir, cleanup } = makeTempDir();
  try {
    const open = join(dir, 'open.html');
    writeFileSync(open, '<!DOCTYPE html><html><body><script>window.__pwned=1</script><img src="http://127.0.0.1:9/x.png"></body></html>');
    const loose = await visitPage(pathToFileURL(open).href, 'window.__pwned ?? null');
    assert.equal(loose.value, 1);
    assert.ok(loose.requests.some((u) => u.startsWith('http://127.0.0.1:9/')), loose.requests.join(' '));
    const strict = join(dir, 'strict.html');
    writeFileSync(strict, `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><script>window.__pwned=1</script><img src="http://127.0.0.1:9/x.png"></body></html>`);
    const refused = await visitPage(pathToFileURL(strict).href, 'window.__pwned ?? null');
    assert.equal(refused.value, null);
    assert.ok(refused.issues.length > 0 || refused.log.some((l) => /Content Security Policy/.test(l)), `CSP refusals are seen: ${JSON.stringify(refused)}`.slice(0, 400));
  } finally {
    cleanup();
  }
});
