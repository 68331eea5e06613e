/** The report as Markdown for GitHub and GitLab: kustody's own words as text, every value from the case in a code span (md-text.ts). */
import type { ReportModel } from './model.js';
import { code } from './md-text.js';

function bullets(items: readonly string[], empty: string): string[] {
  return items.length === 0 ? [`_${empty}_`, ''] : [...items.map((i) => `- ${code(i)}`), ''];
}

function more(omitted: number, what: string): string[] {
  return omitted > 0 ? [`_${omitted} more ${what} not shown; read them with \`sqlite3\` or \`--format json\`._`, ''] : [];
}

/** Renders the report as one Markdown document. */
export function renderMarkdown(m: ReportModel): string {
  const i = m.integrity;
  const out: string[] = [
    `# Incident report ${code(m.case.title)}`, '',
    `Case ${code(m.case.id)}, opened ${code(m.case.createdAt)}; report generated ${code(m.generatedAt)} by ${code(`${m.tool.name} ${m.tool.version}`)}.`, '',
    `**Integrity: ${code(i.verdict)}** ${code(i.explanation)}`, '',
    `- Source: ${code(i.source)} ${code(i.path)}`,
    ...(i.sha256 !== null ? [`- Bundle SHA-256: ${code(i.sha256)}`] : []),
    ...(i.signature !== null ? [`- Signature: ${code(i.signature)}`] : []),
    ...(i.custodyHead !== null ? [`- Custody head: row ${i.custodyHead.seq}, ${code(i.custodyHead.hash)}`] : []),
    ...i.notes.map((n) => `- Note: ${code(n)}`), '',
    '## Summary', '',
    Object.entries(m.summary.bySeverity).map(([k, n]) => `${n} ${k}`).join(' · '), '',
    '### What happened', '', ...bullets(m.summary.happened, 'No critical or high finding.'),
    '### What was contained', '', ...bullets(m.summary.contained, 'Nothing was contained by kustody in this case.'),
    '### What was revoked', '', ...bullets(m.summary.revoked, 'Nothing was revoked by kustody in this case.'),
    '### Still open', '', ...bullets(m.summary.open, 'Nothing urgent is open.'),
    `## Findings (${m.findings.length})`, '',
  ];
  if (m.findings.length === 0) out.push('_No findings: the rules found nothing in the stored rows._', '');
  m.findings.forEach((f, n) => {
    out.push(`### ${n + 1}. ${f.severity.toUpperCase()} ${code(f.title)}`, '', code(f.detail), '',
      `Rule ${code(f.rule)}${f.at !== undefined ? `, observed ${code(f.at)}` : ''}${f.mappings.length > 0 ? `; ${f.mappings.map((mp) => code(mp.id)).join(', ')}` : ''}`, '',
      ...f.evidenceLines.map((l) => `- ${code(l)}`), ...(f.evidenceOmitted ? [`- _${f.evidenceOmitted} more evidence rows_`] : []), '');
  });
  out.push('## Timeline', '', code(m.timeline.source), '');
  if (m.timeline.events.length === 0) out.push('_No timed events._', '');
  for (const e of m.timeline.events) out.push(`- ${code(e.datetime)} ${code(e.timestampDesc)} ${code(e.message)} (${code(`${e.source.table} ${e.source.rowid}`)}${e.derived !== undefined ? `, ${code(e.derived)}` : ''})`);
  out.push('', ...more(m.timeline.omitted, 'events'));
  out.push('## Changes made to the cluster', '', '### Plans', '', ...bullets(m.plans.map((p) => `row ${p.seq} ${p.at} ${p.plan} ${p.target}: ${p.outcome}`), 'No change was planned in this case.'));
  out.push('### Changes', '');
  if (m.changes.items.length === 0) out.push('_No change reached the cluster._', '');
  for (const c of m.changes.items) out.push(`- ${c.isUndo ? '**undo** ' : ''}${code(`${c.kind}/${c.plan}: ${c.title}`)} on ${code(c.target)}: ${code(c.verdict)} (${c.states.map((s) => code(`${s.outcome} row ${s.seq} ${s.at}`)).join(' → ')})`);
  out.push('', ...more(m.changes.omitted, 'changes'));
  out.push('## Footprints left by collection', '', ...bullets(m.footprints.map((f) => `${f.at} ${f.what}: ${f.detail}`), 'No footprint recorded.'));
  out.push('## Evidence inventory', '', '| Table | Rows |', '|---|---|', ...Object.entries(m.inventory.counts).map(([t, n]) => `| ${t.replace(/[^a-z0-9_]/g, '?')} | ${n} |`), '', '### Artifacts', '');
  if (m.inventory.artifacts.length === 0) out.push('_No artifacts stored._', '');
  for (const a of m.inventory.artifacts) out.push(`- ${a.id}: ${code(a.sha256)} ${a.size} bytes${a.truncated ? ' (cut)' : ''} ${code(a.source)} via ${code(a.vantage)} at ${code(a.collectedAt)}`);
  out.push('', ...more(m.inventory.omitted, 'artifacts'));
  out.push(`## Custody log (${m.custody.total} rows)`, '');
  for (const r of m.custody.rows) out.push(`- ${r.seq} ${code(r.at)} ${code(r.actor)} ${code(r.kind)} ${code(r.target)} ${code(r.summary)} ${code(r.hash)}`);
  out.push('', ...more(m.custody.omitted, 'custody rows'));
  out.push('## Tool, version and commands', '',
    `- Report made by ${code(`${m.tool.name} ${m.tool.version}`)}`,
    `- Case opened by ${code(`${m.case.toolName} ${m.case.toolVersion}`)}, SQLite ${code(m.case.sqliteVersion)}, schema ${m.case.schemaVersion}`,
    `- Clock: ${code(m.case.clockNote)}`,
    '- Reproduce: `kustody bundle verify BUNDLE.tar`, then `kustody report BUNDLE.tar`; every action is a custody row above.', '',
    '## Responders', '', ...bullets(m.responders, 'None recorded.'),
    '## Limitations', '', ...bullets(m.limitations, ''),
    '## Framework references', '');
  if (m.frameworks.length === 0) out.push('_No finding maps to a framework id._');
  for (const f of m.frameworks) out.push(`- ${f.framework} ${f.id}: ${f.name} <${f.url}>`);
  return `${out.join('\n')}\n`;
}
