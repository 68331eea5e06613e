/** `exercise report`: the after-action report (HSEEP layout) from the same logs as the score, with hostile text kept inert in HTML and Markdown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, runKustody } from '../helpers/cli.js';
import { exerciseCase, minute } from './score-fixture.js';

const HOSTILE = 'found web-debug </td><script>alert(1)</script> \x1b]0;pwned\x07 | col';

test('the HTML after-action report lists objectives met and not with their rows, strengths, areas for improvement, an improvement plan and injects against team actions in time order; hostile text stays inert', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const c = exerciseCase(dir);
  const capture = c.captured(minute(1), 'web');
  c.note(minute(3), HOSTILE);
  const inject = c.event(minute(4), 'inject', 'gateway-alert', { message: 'Unusual <b>Secret</b> reads \x1b[2J' }, 'fired');
  const isolate = c.isolated(minute(5), 'web');
  c.event(minute(6), 'hint', 'who', { cost: 5 }, 'given');
  c.stop(minute(10));
  c.close();
  const out = join(dir, 'aar.html');
  const run = await runKustody(['exercise', 'report', c.path, '-o', out]);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stderr, /Wrote .*aar\.html \(html, score 50 of 90, 3 of 5 objectives met\)/);
  const html = readFileSync(out, 'utf8');
  for (const heading of ['Objectives', 'Strengths', 'Areas for improvement', 'Improvement plan', 'Injects and team actions']) assert.match(html, new RegExp(`<h2>${heading}</h2>`));
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-/);
  assert.doesNotMatch(html, /<script|<b>|\x1b|\x07/);
  assert.match(html, /&lt;\/td&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt; \\x1b\]0;pwned\\x07/);
  assert.match(html, new RegExp(`<tr data-objective="capture-first"><td>Capture the web pod&#39;s volatile state before containing it\\.</td><td>met</td><td>20 / 20</td><td>[^<]*</td><td class="mono">custody ${capture}, custody ${isolate}</td></tr>`));
  assert.match(html, /<tr data-objective="revoke"><td>[^<]*<\/td><td><strong>not met<\/strong><\/td>/);
  assert.match(html, /<td>Hunt for persistence|Revoke the identity and keep the proof/);
  assert.match(html, /<td>Training<\/td><td class="muted">to assign<\/td>/);
  const order = [`custody ${capture}`, 'custody', `exercise ${inject}`, `custody ${isolate}`].map((r) => html.indexOf(`<td class="mono">${r}</td>`, html.indexOf('id="timeline"')));
  assert.ok(order[0]! < order[2]! && order[2]! < order[3]!, `timeline out of order: ${order.join(', ')}`);
});

test('the Markdown after-action report keeps every value in code spans with table pipes escaped, and names the improvement for each miss', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const c = exerciseCase(dir);
  c.note(minute(2), HOSTILE);
  c.event(minute(9), 'deleted-object', 'Pod kx-score/web', { apiVersion: 'v1', kind: 'Pod', namespace: 'kx-score', name: 'web', uid: 'u', by: 'facilitator' }, 'gone');
  c.stop(minute(9));
  c.close();
  const run = await runKustody(['exercise', 'report', c.path, '--format', 'md']);
  assert.equal(run.exitCode, 0, run.stderr);
  const md = run.stdout;
  assert.doesNotMatch(md, /\x1b|\x07/);
  assert.match(md, /^\*\*Score -10 of 90\*\*, 1 of 5 objectives met\.$/m);
  assert.match(md, /\| ` note: found web-debug <\/td><script>alert\(1\)<\/script> \\x1b\]0;pwned\\x07 \\\| col ` \|/);
  assert.match(md, /^- ` Mistake: pod web deleted before any capture of it \(deleted outside kustody \(gone at exercise stop\) and never captured; -20 points\)\. `$/m);
  assert.match(md, /^\| ` Pod kx-score\/web was changed in the cluster without a record in the case ` \| `+ Make every change through kustody .* \| Organization \| _to assign_ \|/m);
  assert.match(md, /^\| ` Capture the web pod's volatile state before containing it\. ` \| `+ Take the volatile snapshot first/m);
  assert.match(md, /^` Expected response: capture the web pod \(volatile first\), isolate it, list its identities, revoke ` {2}$/m);
  const bad = await runKustody(['exercise', 'report', c.path, '--format', 'pdf']);
  assert.equal(bad.exitCode, 2);
});
