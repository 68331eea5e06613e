/**
 * Runs every format kustody writes from a case (report html/md/json, timeline timesketch/jsonl/csv)
 * and checks what must hold whatever the case holds: no raw control, C1 or bidi character in any of
 * them, no element or link from the case in HTML or Markdown, no CSV cell a spreadsheet would run.
 * Returns each output, parsed, for the caller's checks that the hostile text is there, escaped.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FRAMEWORK_ENTRIES } from '../../src/core/findings/index.js';
import type { ReportModel } from '../../src/core/report/model.js';
import { needsChromium, visitPage } from './chromium.js';
import { runKustody } from './cli.js';
import { parseCsv } from './csv.js';
import { needsCmarkGfm, parseGfm } from './markdown.js';

/** Controls (C0 but LF, DEL, C1), bidi overrides and isolates, zero-width and line separators. */
export const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/u;

/** Every output, parsed; `dom` and `codeText` are null where Chromium or cmark-gfm is missing. */
export interface InertOutputs {
  model: ReportModel;
  timeline: { message: string; timestamp_desc: string }[];
  csv: string[][];
  html: string;
  dom: { text: string } | null;
  codeText: string | null;
}

async function ok(args: string[]): Promise<string> {
  const run = await runKustody(args);
  assert.equal(run.exitCode, 0, `kustody ${args.join(' ')}: ${run.stderr}`);
  assert.doesNotMatch(run.stdout, RAW_CONTROL, `a raw control character in the output of kustody ${args.slice(0, 1).join(' ')} ${args.slice(2).join(' ')}`);
  return run.stdout;
}

/** Writes every format of `casePath` (files under `dir`) and checks the invariants above. */
export async function inertOutputs(casePath: string, dir: string): Promise<InertOutputs> {
  const model = JSON.parse(await ok(['report', casePath, '--format', 'json'])) as ReportModel;
  const timeline = (await ok(['timeline', casePath, '--format', 'timesketch'])).split('\n').map((l) => JSON.parse(l) as { message: string; timestamp_desc: string });
  const jsonl = (await ok(['timeline', casePath, '--format', 'jsonl'])).split('\n').map((l) => (JSON.parse(l) as { message: string }).message);
  assert.deepEqual(jsonl, timeline.map((l) => l.message), 'jsonl and timesketch carry the same messages');

  const csv = parseCsv(await ok(['timeline', casePath, '--format', 'csv']));
  assert.equal(csv[0]?.[0], 'message');
  assert.equal(csv.length, timeline.length + 1, 'one CSV record per event: no line break from the case splits a record');
  assert.ok(csv.every((r) => r.length === csv[0]!.length), 'every record has the header\'s columns');
  for (const cell of csv.flat()) assert.doesNotMatch(cell, /^\s*[=+\-@\uff1d\uff0b\uff0d\uff20]/u, `a cell a spreadsheet would run: ${cell.slice(0, 80)}`);

  const htmlPath = join(dir, `report-${Date.now()}.html`);
  const wrote = await runKustody(['report', casePath, '-o', htmlPath]);
  assert.equal(wrote.exitCode, 0, wrote.stderr);
  const html = readFileSync(htmlPath, 'utf8');
  assert.doesNotMatch(html, RAW_CONTROL, 'a raw control character in the HTML report');
  assert.equal(html.match(/<\/style/gi)?.length, 1, 'only kustody\'s own style element is closed');
  assert.doesNotMatch(html, /<(script|img|iframe|link |object|embed|svg|math|form|base)\b/i, 'no active element in the HTML report');
  let dom: InertOutputs['dom'] = null;
  if (!needsChromium()) {
    const visit = await visitPage(pathToFileURL(htmlPath).href, '({ pwned: window.__pwned ?? null, display: getComputedStyle(document.body).display, text: document.body.innerText })');
    const value = visit.value as { pwned: unknown; display: string; text: string };
    assert.deepEqual([value.pwned, value.display, visit.requests, visit.issues], [null, 'block', [pathToFileURL(htmlPath).href], []], 'no script ran, no style from the case applied, nothing was requested');
    dom = { text: value.text };
  }

  const md = await ok(['report', casePath, '--format', 'md']);
  let codeText: string | null = null;
  if (!needsCmarkGfm()) {
    const nodes = parseGfm(md);
    assert.deepEqual(nodes.filter((n) => ['image', 'html_inline', 'html_block'].includes(n.type)), [], 'no image or raw HTML node in the Markdown');
    const sources = new Set(FRAMEWORK_ENTRIES.map((e) => e.url));
    for (const link of nodes.filter((n) => n.type === 'link')) assert.ok(sources.has(link.attributes.destination ?? ''), `a link from the case: ${link.attributes.destination}`);
    codeText = nodes.filter((n) => n.type === 'code').map((n) => n.text).join('\n');
  }
  return { model, timeline, csv, html, dom, codeText };
}
