/** `kustody exercise score|report`: the score and the after-action report of a case's exercise, from its custody log and exercise log. */
import { composedText, display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { buildAfterAction } from '../core/exercise/after-action.js';
import { renderAfterActionHtml, renderAfterActionMarkdown } from '../core/exercise/after-action-render.js';
import { scoreExercise, type ScoreCard, type ScoreItem } from '../core/exercise/score.js';
import { resolveCaseDir } from '../adapters/store/case-store.js';
import { readScoreInput } from '../adapters/exercise/score-input.js';
import { noticeInCase } from '../adapters/exercise/runner-liveness.js';
import { utcNow } from '../adapters/system/responder-env.js';
import { writeOutputFile } from '../adapters/system/write-output-file.js';
import { defaultCaseParent, type Command } from './command.js';

/** `kustody exercise score CASE [--json]`. */
export const exerciseScore: Command = {
  path: ['exercise', 'score'],
  usage: 'kustody exercise score CASE [--json]',
  summary: 'score the case\'s exercise from evidence: objectives, mistakes, hints, timings, each with its rows',
  help: [
    'Reads the case\'s custody log and its exercise log (exercise.db) and nothing else: the same case always gives the same score.',
    'Each scenario objective and scoring rule is measured; hints cost their points; mistakes the scenario does not score itself',
    '(a pod deleted before a capture -20, released before its identity was proven dead -15, an exercise object removed outside',
    'kustody so the case has no record of it -10) are charged too. A planted object counts as found when the team captured it,',
    'swept it (audit sweep), changed it through kustody, or named it in a case note or a checklist tick note. Every line names its evidence rows',
    '(actions = custody log seq, exercise_events = exercise log seq). While the exercise runs the score is provisional.',
  ].join('\n'),
  options: {},
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const caseDir = resolveCaseDir(args.positionals[0] ?? '', defaultCaseParent(env));
    noticeInCase(caseDir, utcNow(), 'exercise score');
    const card = scoreExercise(readScoreInput(caseDir));
    if (json) io.out(toSafeJson(card));
    else for (const line of describeScore(card)) io.out(line);
    return 0;
  },
};

/** `kustody exercise report CASE [--format html|md] [-o FILE]`. */
export const exerciseReport: Command = {
  path: ['exercise', 'report'],
  usage: 'kustody exercise report CASE [--format html|md] [-o FILE]',
  summary: 'write the after-action report (HSEEP layout) of the case\'s exercise, from its score and both logs',
  help: [
    'Objectives met or not with the rows that prove it, injects and attacker actions against the team\'s actions on one',
    'timeline, strengths, areas for improvement, and an improvement plan table (issue, corrective action, capability',
    'element; owner and dates left for the hot wash to fill in). HTML (the default; one self-contained file, no script)',
    'or Markdown; every value from the case, the exercise log or the scenario is escaped. Without -o it prints to stdout.',
  ].join('\n'),
  options: { format: { type: 'string' }, output: { type: 'string', short: 'o' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, env }) {
    const format = typeof args.values.format === 'string' ? args.values.format : 'html';
    if (format !== 'html' && format !== 'md') throw new UsageError(`--format takes html or md (not ${escapeUntrusted(format)}).`);
    const caseDir = resolveCaseDir(args.positionals[0] ?? '', defaultCaseParent(env));
    noticeInCase(caseDir, utcNow(), 'exercise report');
    const input = readScoreInput(caseDir);
    const card = scoreExercise(input);
    const model = buildAfterAction(input, card);
    const text = format === 'html' ? renderAfterActionHtml(model, utcNow()) : renderAfterActionMarkdown(model, utcNow());
    const output = args.values.output;
    if (typeof output === 'string') {
      writeOutputFile(output, [text]);
      io.err(display`Wrote ${escapeUntrusted(output)} (${escapeUntrusted(format)}, score ${card.total} of ${card.max}, ${card.objectivesMet} of ${card.objectives} objectives met)`);
    } else {
      // Every value from the case in `text` is already escaped for its format.
      io.out(composedText(text.replace(/\n$/, '')));
    }
    return 0;
  },
};

function evidenceText(item: Pick<ScoreItem, 'evidence'>): DisplayText {
  if (item.evidence.length === 0) return trusted('');
  return escapeUntrusted(` [${item.evidence.map((e) => `${e.table === 'actions' ? 'custody' : 'exercise'} ${e.rowid}`).join(', ')}]`);
}

function itemLine(item: ScoreItem): DisplayText {
  const mark = item.kind === 'hint' ? '·' : item.kind === 'mistake' ? (item.met ? '✗' : '✓') : item.met ? '✓' : '✗';
  const points = `${item.points > 0 ? '+' : ''}${item.points}`.padStart(4);
  return display`  ${escapeUntrusted(mark)} ${escapeUntrusted(points)}  ${escapeUntrusted(item.id)}: ${escapeUntrusted(item.text)} (${escapeUntrusted(item.why)})${evidenceText(item)}`;
}

/** The score card as terminal lines, every stored string escaped. */
export function describeScore(card: ScoreCard): DisplayText[] {
  const lines: DisplayText[] = [
    display`Score ${card.total} of ${card.max} · ${escapeUntrusted(card.scenario)} · exercise ${card.exercise}${card.provisional ? trusted(' · provisional: the exercise is still running') : trusted('')}${card.replay ? trusted(' · replay without a cluster: changes simulated') : trusted('')}`,
    display`Objectives met: ${card.objectivesMet} of ${card.objectives}`,
  ];
  if (card.interrupted !== null) lines.splice(1, 0, display`INTERRUPTED: ${escapeUntrusted(card.interrupted.message)} (exercise_events ${card.interrupted.evidence.rowid})${card.provisional ? trusted('; `kustody exercise stop CASE --yes` removes what it created') : trusted('')}`);
  for (const item of card.items.filter((i) => i.kind === 'objective')) lines.push(itemLine(item));
  const mistakes = card.items.filter((i) => i.kind === 'mistake');
  lines.push(display`Mistakes: ${mistakes.filter((m) => m.met).length} made of ${mistakes.length} checked`);
  for (const item of mistakes) lines.push(itemLine(item));
  const hints = card.items.filter((i) => i.kind === 'hint');
  lines.push(display`Hints used: ${hints.length} (${hints.reduce((sum, h) => sum + h.points, 0)} points)`);
  for (const item of hints) lines.push(itemLine(item));
  lines.push(trusted('Timings and facts'));
  for (const metric of card.metrics) lines.push(display`  ${escapeUntrusted(metric.id)}: ${escapeUntrusted(metric.text)}${evidenceText(metric)}`);
  return lines;
}
