/**
 * The report as one self-contained HTML file: no script, no external resource, a Content-Security-Policy
 * that allows only its own stylesheet (by hash), every untrusted value escaped (see html-text.ts).
 */
import type { ReportModel } from './model.js';
import { REPORT_CSS } from './report-css.js';
import { escapeHtml, h, styleHash } from './html-text.js';

const SECTIONS = [['summary', 'Summary'], ['findings', 'Findings'], ['timeline', 'Timeline'], ['changes', 'Changes made to the cluster'], ['footprints', 'Footprints left by collection'], ['inventory', 'Evidence inventory'], ['custody', 'Custody log'], ['tool', 'Tool, version and commands'], ['responders', 'Responders'], ['limitations', 'Limitations'], ['frameworks', 'Framework references']] as const;

function list(items: readonly string[], empty: string): string {
  return items.length === 0 ? `<p class="muted">${escapeHtml(empty)}</p>` : `<ul>${items.map((i) => `<li>${h(i)}</li>`).join('')}</ul>`;
}

/** A time from the case: an ISO 8601 time breaks only between its date and its time of day; anything else is shown as it is. */
function when(value: string): string {
  const iso = /^(\d{4}-\d{2}-\d{2}T)(\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))$/.exec(value);
  return iso === null ? h(value) : `<span class="nw">${iso[1]}</span><wbr><span class="nw">${iso[2]}</span>`;
}

function more(omitted: number, what: string): string {
  return omitted > 0 ? `<p class="muted">${omitted} more ${escapeHtml(what)} not shown here; read them with <code>sqlite3</code> or <code>--format json</code>.</p>` : '';
}

function integrity(m: ReportModel): string {
  const i = m.integrity;
  const bad = i.verdict !== 'AUTHENTIC' && i.verdict !== 'CONSISTENT' && i.verdict !== 'INTACT CHAIN';
  return `<div class="verdict${bad ? ' bad' : ''}" id="integrity"><strong>${h(i.verdict)}</strong> — ${h(i.explanation)}
<table class="integrity"><tbody>
<tr><th>Source</th><td>${h(i.source)}: <code>${h(i.path)}</code></td></tr>
${i.sha256 !== null ? `<tr><th>Bundle SHA-256</th><td><code data-sha256="${h(i.sha256)}">${h(i.sha256)}</code></td></tr>` : ''}
${i.signature !== null ? `<tr><th>Signature</th><td>${h(i.signature)}</td></tr>` : ''}
${i.custodyHead !== null ? `<tr><th>Custody head</th><td>row ${i.custodyHead.seq}, <code data-sha256="${h(i.custodyHead.hash)}">${h(i.custodyHead.hash)}</code></td></tr>` : ''}
</tbody></table>${i.notes.length > 0 ? list(i.notes, '') : ''}</div>`;
}

function findings(m: ReportModel): string {
  if (m.findings.length === 0) return '<p class="muted">No findings: the rules found nothing in the stored rows.</p>';
  return m.findings.map((f, n) => `<article class="finding sev-${f.severity}" id="finding-${n + 1}" data-finding-id="${h(f.id)}">
<h3><span class="sev">${f.severity.toUpperCase()}</span>${h(f.title)}</h3>
<p>${h(f.detail)}</p>
<p class="muted">Rule <code>${h(f.rule)}</code>${f.at !== undefined ? `, observed ${h(f.at)}` : ''}${f.mappings.length > 0 ? ` · ${f.mappings.map((mp) => `<span class="mono">${h(mp.id)}</span>`).join(', ')}` : ''}</p>
${f.evidenceLines.length > 0 ? `<ul class="evidence">${f.evidenceLines.map((l) => `<li><code>${h(l)}</code></li>`).join('')}</ul>` : ''}
${(f.evidenceOmitted ?? 0) + Math.max(0, f.evidence.length - f.evidenceLines.length) > 0 ? `<p class="muted">${(f.evidenceOmitted ?? 0) + Math.max(0, f.evidence.length - f.evidenceLines.length)} more evidence rows.</p>` : ''}
</article>`).join('\n');
}

/** A table of class `cls` (report-css.ts sizes its columns by class). */
function table(cls: string, head: readonly string[], rows: readonly string[]): string {
  return `<table class="${cls}"><thead><tr>${head.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function changes(m: ReportModel): string {
  const plans = m.plans.length === 0 ? '<p class="muted">No change was planned in this case.</p>'
    : table('plans', ['Row', 'When', 'Plan', 'Target', 'Outcome'], m.plans.map((p) => `<tr><td>${p.seq}</td><td class="when">${when(p.at)}</td><td>${h(p.plan)}</td><td><code>${h(p.target)}</code></td><td>${h(p.outcome)}</td></tr>`));
  const items = m.changes.items.length === 0 ? '<p class="muted">No change reached the cluster.</p>'
    : table('changes', ['Change', 'Target', 'States (custody row)', 'Verdict'], m.changes.items.map((c) => `<tr data-change-id="${h(`${c.plan}|${c.changeId}`)}"><td>${c.isUndo ? '<strong>undo</strong> ' : ''}${h(c.kind)} / ${h(c.plan)}: ${h(c.title)}</td><td><code>${h(c.target)}</code></td><td>${c.states.map((s) => `${h(s.outcome)} (${s.seq}, ${h(s.at)})`).join('<br>')}</td><td>${h(c.verdict)}</td></tr>`));
  return `<h3>Plans</h3>${plans}<h3>Changes</h3>${items}${more(m.changes.omitted, 'changes')}`;
}

function inventory(m: ReportModel): string {
  const counts = table('counts', ['Table', 'Rows'], Object.entries(m.inventory.counts).map(([t, n]) => `<tr><td>${h(t)}</td><td>${n}</td></tr>`));
  const artifacts = m.inventory.artifacts.length === 0 ? '<p class="muted">No artifacts stored.</p>'
    : table('artifacts', ['Id', 'SHA-256', 'Size', 'Source', 'Vantage', 'Collected'], m.inventory.artifacts.map((a) => `<tr><td>${a.id}</td><td><code data-sha256="${h(a.sha256)}">${h(a.sha256)}</code></td><td>${a.size}${a.truncated ? ' (cut)' : ''}</td><td><code>${h(a.source)}</code></td><td>${h(a.vantage)}</td><td class="when">${when(a.collectedAt)}</td></tr>`));
  return `${counts}<h3>Artifacts</h3>${artifacts}${more(m.inventory.omitted, 'artifacts')}`;
}

/** Renders the report as one HTML document. */
export function renderHtml(m: ReportModel): string {
  const csp = `default-src 'none'; style-src ${styleHash(REPORT_CSS)}; img-src 'none'; font-src 'none'; connect-src 'none'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'`;
  const sev = m.summary.bySeverity;
  const body = [
    `<header><h1>Incident report: ${h(m.case.title)}</h1><p class="muted">Case <code>${h(m.case.id)}</code>, opened ${h(m.case.createdAt)} · report generated ${h(m.generatedAt)} by ${h(m.tool.name)} ${h(m.tool.version)}</p>${integrity(m)}</header>`,
    `<nav><ol>${SECTIONS.map(([id, title]) => `<li><a href="#${id}">${escapeHtml(title)}</a></li>`).join('')}</ol></nav>`,
    `<section id="summary"><h2>Summary</h2><p class="counts">${Object.entries(sev).map(([k, n]) => `<span><strong>${n}</strong> ${escapeHtml(k)}</span>`).join('')}</p>
<h3>What happened</h3>${list(m.summary.happened, 'No critical or high finding.')}
<h3>What was contained</h3>${list(m.summary.contained, 'Nothing was contained by kustody in this case.')}
<h3>What was revoked</h3>${list(m.summary.revoked, 'Nothing was revoked by kustody in this case.')}
<h3>Still open</h3>${list(m.summary.open, 'Nothing urgent is open.')}</section>`,
    `<section id="findings"><h2>Findings (${m.findings.length})</h2>${findings(m)}</section>`,
    `<section id="timeline"><h2>Timeline</h2><p class="muted">${h(m.timeline.source)}</p>${m.timeline.events.length === 0 ? '<p class="muted">No timed events.</p>' : table('timeline', ['Time (UTC)', 'What the time means', 'Event', 'Source'], m.timeline.events.map((e) => `<tr><td class="when">${when(e.datetime)}</td><td>${h(e.timestampDesc)}${e.derived !== undefined ? ` <span class="muted">(${h(e.derived)})</span>` : ''}</td><td>${h(e.message)}</td><td class="mono">${h(e.source.table)} ${e.source.rowid}</td></tr>`))}${more(m.timeline.omitted, 'events')}</section>`,
    `<section id="changes"><h2>Changes made to the cluster</h2>${changes(m)}</section>`,
    `<section id="footprints"><h2>Footprints left by collection</h2>${m.footprints.length === 0 ? '<p class="muted">No footprint recorded (local captures and API reads leave none in the cluster).</p>' : table('footprints', ['Row', 'When', 'What', 'Detail'], m.footprints.map((f) => `<tr><td>${f.seq || ''}</td><td class="when">${when(f.at)}</td><td>${h(f.what)}</td><td>${h(f.detail)}</td></tr>`))}</section>`,
    `<section id="inventory"><h2>Evidence inventory</h2>${inventory(m)}</section>`,
    `<section id="custody"><h2>Custody log (${m.custody.total} rows)</h2>${table('custody', ['Seq', 'When', 'Actor', 'Kind', 'Target', 'Outcome / summary', 'Hash'], m.custody.rows.map((r) => `<tr><td>${r.seq}</td><td class="when">${when(r.at)}</td><td>${h(r.actor)}</td><td>${h(r.kind)}</td><td><code>${h(r.target)}</code></td><td>${h(r.summary)}</td><td><code>${h(r.hash.slice(0, 16))}…</code></td></tr>`))}${more(m.custody.omitted, 'custody rows')}</section>`,
    `<section id="tool"><h2>Tool, version and commands</h2>${table('tool', ['', ''], [
      `<tr><td>Report made by</td><td>${h(m.tool.name)} ${h(m.tool.version)}</td></tr>`,
      `<tr><td>Case opened by</td><td>${h(m.case.toolName)} ${h(m.case.toolVersion)}, SQLite ${h(m.case.sqliteVersion)}, schema ${m.case.schemaVersion}</td></tr>`,
      `<tr><td>Clock</td><td>${h(m.case.clockNote)}</td></tr>`,
      '<tr><td>Reproduce</td><td><code>kustody bundle verify BUNDLE.tar</code>, then <code>kustody report BUNDLE.tar</code>; every action kustody took is a custody row above, with its kind, target and outcome.</td></tr>'])}</section>`,
    `<section id="responders"><h2>Responders</h2>${list(m.responders, 'None recorded.')}</section>`,
    `<section id="limitations"><h2>Limitations</h2>${list(m.limitations, '')}</section>`,
    `<section id="frameworks"><h2>Framework references</h2>${m.frameworks.length === 0 ? '<p class="muted">No finding maps to a framework id.</p>' : table('frameworks', ['Framework', 'Id', 'Name', 'Source'], m.frameworks.map((f) => `<tr><td>${escapeHtml(f.framework)}</td><td>${escapeHtml(f.id)}</td><td>${escapeHtml(f.name)}</td><td><a href="${escapeHtml(f.url)}" rel="noreferrer">${escapeHtml(f.url)}</a></td></tr>`))}</section>`,
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Incident report ${h(m.case.id)}</title>
<style>${REPORT_CSS}</style>
</head><body>
${body.join('\n')}
</body></html>
`;
}
