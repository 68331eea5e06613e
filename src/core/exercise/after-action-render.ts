/**
 * The after-action report as one self-contained HTML file (the case report's stylesheet and
 * Content-Security-Policy: no script, no external resource) or as Markdown. Every value from the
 * scenario, the case or the exercise log goes through `h` (HTML) or `code` (Markdown): escaped and bounded.
 */
import { escapeHtml, h, styleHash } from '../report/html-text.js';
import { code } from '../report/md-text.js';
import { REPORT_CSS } from '../report/report-css.js';
import type { AfterActionModel } from './after-action.js';
import type { EvidenceRef } from './score.js';

/** Said at the top of a replay's report: what was real and what was not. */
const REPLAY_NOTE = 'Replay without a cluster: the attacker and injects were played from a recorded lab run, and every containment, revocation and capture marked (simulated) was simulated, not done on a cluster.';
const ref = (e: EvidenceRef): string => `${e.table === 'actions' ? 'custody' : 'exercise'} ${e.rowid}`;

function table(head: readonly string[], rows: readonly string[]): string {
  return `<table><thead><tr>${head.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function list(items: readonly string[], empty: string): string {
  return items.length === 0 ? `<p class="muted">${escapeHtml(empty)}</p>` : `<ul>${items.map((i) => `<li>${h(i)}</li>`).join('')}</ul>`;
}

function noteLines(m: AfterActionModel): string[] {
  return m.scenario.facilitatorNotes.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/** Renders the after-action report as HTML. */
export function renderAfterActionHtml(m: AfterActionModel, generatedAt: string): string {
  const csp = `default-src 'none'; style-src ${styleHash(REPORT_CSS)}; img-src 'none'; font-src 'none'; connect-src 'none'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'`;
  const body = [
    `<header><h1>After-action report: ${h(m.scenario.title)}</h1><p class="muted">Scenario <code>${h(m.scenario.id)}</code> · exercise ${m.exercise.id} in namespace <code>${h(m.exercise.namespace)}</code> · ${h(m.exercise.startedAt)} to ${h(m.exercise.stoppedAt ?? 'still running')} · generated ${h(generatedAt)}</p>${m.exercise.replay ? `<p><strong>${h(REPLAY_NOTE)}</strong></p>` : ''}
<div class="verdict${m.score.provisional ? ' bad' : ''}"><strong>Score ${m.score.total} of ${m.score.max}</strong> — ${m.score.objectivesMet} of ${m.score.objectives} objectives met${m.score.provisional ? ' (provisional: the exercise is still running)' : ''}</div></header>`,
    `<section id="overview"><h2>Exercise overview</h2><p>${h(m.scenario.summary)}</p><p class="muted">Techniques: ${m.scenario.techniques.map((t) => `<span class="mono">${h(t)}</span>`).join(', ')} · expected playbook <code>${h(m.scenario.expectedPlaybook)}</code></p></section>`,
    `<section id="objectives"><h2>Objectives</h2>${table(['Objective', 'Met', 'Points', 'How it was measured', 'Evidence'], m.objectives.map((o) => `<tr data-objective="${h(o.id)}"><td>${h(o.text)}</td><td>${o.met ? 'met' : '<strong>not met</strong>'}</td><td>${o.points} / ${o.possible}</td><td>${h(o.why)}</td><td class="mono">${h(o.evidence.map(ref).join(', '))}</td></tr>`))}</section>`,
    `<section id="strengths"><h2>Strengths</h2>${list(m.strengths, 'No objective was met.')}</section>`,
    `<section id="improvements"><h2>Areas for improvement</h2>${list(m.improvements, 'None: every objective met, no mistake, no hint.')}</section>`,
    `<section id="plan"><h2>Improvement plan</h2>${m.plan.length === 0 ? '<p class="muted">Nothing to improve from this exercise.</p>' : table(['Issue / area for improvement', 'Corrective action', 'Capability element', 'Primary responsible', 'Start date', 'Completion date'], m.plan.map((p) => `<tr><td>${h(p.area)}</td><td>${h(p.action)}</td><td>${h(p.element)}</td><td class="muted">to assign</td><td class="muted">to set</td><td class="muted">to set</td></tr>`))}</section>`,
    `<section id="timeline"><h2>Injects and team actions</h2>${m.timeline.length === 0 ? '<p class="muted">Nothing happened yet.</p>' : table(['Time (UTC)', 'Minute', 'Side', 'Who', 'What', 'Row'], m.timeline.map((e) => `<tr class="${e.side}"><td class="mono">${h(e.at)}</td><td>${e.minute}</td><td>${e.side === 'team' ? 'Team' : 'Exercise'}</td><td>${h(e.who)}</td><td>${h(e.what)}</td><td class="mono">${h(ref(e.source))}</td></tr>`))}</section>`,
    `<section id="facts"><h2>Timings and facts</h2>${list(m.metrics, 'None.')}</section>`,
    `<section id="notes"><h2>Facilitator notes</h2><p>${noteLines(m).map((l) => h(l)).join('<br>')}</p><p class="muted">Rows: custody N is actions.seq N in evidence.db; exercise N is exercise_events.seq N in exercise.db.</p></section>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>After-action report: ${h(m.scenario.title)}</title><style>${REPORT_CSS}</style></head>
<body>${body}</body></html>
`;
}

/** An untrusted value in a Markdown table cell: a code span whose pipes are escaped (GFM splits cells on `|` even inside code spans). */
function cell(value: string): string {
  return code(value).replace(/\|/g, '\\|');
}

/** Renders the after-action report as Markdown. */
export function renderAfterActionMarkdown(m: AfterActionModel, generatedAt: string): string {
  const bullets = (items: readonly string[], empty: string) => (items.length === 0 ? [`_${empty}_`, ''] : [...items.map((i) => `- ${code(i)}`), '']);
  return [
    `# After-action report ${code(m.scenario.title)}`, '',
    `Scenario ${code(m.scenario.id)}, exercise ${m.exercise.id} in namespace ${code(m.exercise.namespace)}, ${code(m.exercise.startedAt)} to ${code(m.exercise.stoppedAt ?? 'still running')}; generated ${code(generatedAt)}.`, '', ...(m.exercise.replay ? [`**${REPLAY_NOTE}**`, ''] : []),
    `**Score ${m.score.total} of ${m.score.max}**, ${m.score.objectivesMet} of ${m.score.objectives} objectives met${m.score.provisional ? ' (provisional: the exercise is still running)' : ''}.`, '',
    '## Exercise overview', '', code(m.scenario.summary), '', `Techniques: ${m.scenario.techniques.map(code).join(', ')}; expected playbook ${code(m.scenario.expectedPlaybook)}.`, '',
    '## Objectives', '', '| Objective | Met | Points | How it was measured | Evidence |', '|---|---|---|---|---|',
    ...m.objectives.map((o) => `| ${cell(o.text)} | ${o.met ? 'met' : '**not met**'} | ${o.points} / ${o.possible} | ${cell(o.why)} | ${o.evidence.length === 0 ? '' : cell(o.evidence.map(ref).join(', '))} |`), '',
    '## Strengths', '', ...bullets(m.strengths, 'No objective was met.'),
    '## Areas for improvement', '', ...bullets(m.improvements, 'None: every objective met, no mistake, no hint.'),
    '## Improvement plan', '',
    ...(m.plan.length === 0 ? ['_Nothing to improve from this exercise._', ''] : ['| Issue / area for improvement | Corrective action | Capability element | Primary responsible | Start date | Completion date |', '|---|---|---|---|---|---|',
      ...m.plan.map((p) => `| ${cell(p.area)} | ${cell(p.action)} | ${p.element} | _to assign_ | _to set_ | _to set_ |`), '']),
    '## Injects and team actions', '',
    ...(m.timeline.length === 0 ? ['_Nothing happened yet._', ''] : ['| Time (UTC) | Minute | Side | Who | What | Row |', '|---|---|---|---|---|---|',
      ...m.timeline.map((e) => `| ${cell(e.at)} | ${e.minute} | ${e.side === 'team' ? 'Team' : 'Exercise'} | ${cell(e.who)} | ${cell(e.what)} | ${ref(e.source)} |`), '']),
    '## Timings and facts', '', ...bullets(m.metrics, 'None.'),
    '## Facilitator notes', '', ...noteLines(m).map((l) => `${code(l)}  `), '',
    '_Rows: custody N is `actions.seq` N in evidence.db; exercise N is `exercise_events.seq` N in exercise.db._', '',
  ].join('\n');
}
