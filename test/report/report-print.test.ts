/**
 * The HTML report laid out for print in headless Chromium (print media, the width of a Letter page
 * inside the report's @page margins): nothing wider than the page, hashes inside their cells, times
 * broken only between date and time, rows and findings kept whole across pages, headings repeated,
 * no dark background; and Chromium prints it to PDF. KUSTODY_REPORT_PDF=DIR keeps the PDFs to look at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { demoBundlePath } from '../../src/adapters/ui-data/open-review.js';
import { needsChromium, visitPage } from '../helpers/chromium.js';
import { makeTempDir, runKustody } from '../helpers/cli.js';
import { makeHostileCase } from '../helpers/hostile-case.js';
import { lacks } from '../helpers/prerequisites.js';

/** A Letter page (816 CSS px) less the report's 12 mm side margins. */
const PRINT_WIDTH = 725;

const PRINT_FACTS = `(() => {
  const style = (selector) => getComputedStyle(document.querySelector(selector));
  const dark = (el) => { const m = getComputedStyle(el).backgroundColor.match(/[\\d.]+/g); if (m === null) return false; const [r, g, b, a = 1] = m.map(Number); return a > 0 && (r + g + b) / 3 < 200; };
  return {
    overflow: Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth),
    wideCells: [...document.querySelectorAll('td, th')].filter((c) => c.scrollWidth > c.clientWidth + 1).length,
    hashes: document.querySelectorAll('td [data-sha256]').length,
    hashesOutside: [...document.querySelectorAll('td [data-sha256]')].filter((e) => e.getBoundingClientRect().right > e.closest('td').getBoundingClientRect().right + 1).length,
    times: document.querySelectorAll('td.when .nw').length,
    brokenTimes: [...document.querySelectorAll('.nw')].filter((s) => s.getClientRects().length > 1).length,
    rowBreak: style('tbody tr').breakInside, findingBreak: style('.finding').breakInside, headingBreak: style('h2').breakAfter,
    thead: style('thead').display, nav: style('nav').display,
    darkBackgrounds: [...document.querySelectorAll('*')].filter(dark).length,
  };
})()`;

test('printed, the HTML report of the demo case and of a hostile case fits the page width, keeps rows whole, repeats table headings and uses no dark ink', async (t) => {
  if (lacks(t, needsChromium())) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const hostile = await makeHostileCase(dir);
  for (const [name, source] of [['demo', demoBundlePath()], ['hostile', hostile]] as const) {
    const html = join(dir, `${name}.html`);
    const run = await runKustody(['report', source, '-o', html]);
    assert.equal(run.exitCode, 0, run.stderr);
    const visit = await visitPage(pathToFileURL(html).href, PRINT_FACTS, { width: PRINT_WIDTH, print: true });
    const facts = visit.value as Record<string, unknown>;
    assert.deepEqual(
      { overflow: facts.overflow, wideCells: facts.wideCells, hashesOutside: facts.hashesOutside, brokenTimes: facts.brokenTimes, darkBackgrounds: facts.darkBackgrounds },
      { overflow: 0, wideCells: 0, hashesOutside: 0, brokenTimes: 0, darkBackgrounds: 0 }, `${name}: ${JSON.stringify(facts)}`);
    assert.ok(Number(facts.hashes) > 0 && Number(facts.times) > 0, `${name}: hashes and times are laid out (${JSON.stringify(facts)})`);
    assert.deepEqual([facts.rowBreak, facts.findingBreak, facts.headingBreak, facts.thead, facts.nav], ['avoid', 'avoid', 'avoid', 'table-header-group', 'none'], name);
    assert.equal(visit.pdf.subarray(0, 5).toString('latin1'), '%PDF-', `${name}: Chromium printed it`);
    if (process.env.KUSTODY_REPORT_PDF !== undefined) writeFileSync(join(process.env.KUSTODY_REPORT_PDF, `${name}.pdf`), visit.pdf);
  }
});
