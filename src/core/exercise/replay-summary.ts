/**
 * What the terminal UI shows after replaying a scenario with no cluster: the score, each objective met
 * or not (with why), the mistakes made, hints, and the after-action report's strengths and areas for
 * improvement, as plain lines (untrusted text: the UI escapes every one). Pure.
 */
import type { AfterActionModel } from './after-action.js';
import type { ScoreCard } from './score.js';

/** A shipped scenario that can be replayed from its recording. */
export interface ScenarioChoice {
  id: string;
  title: string;
  summary: string;
  durationMinutes: number;
}

/** One line of the summary and how to show it. */
export interface SummaryLine {
  text: string;
  tone: 'accent' | 'ok' | 'danger' | 'warn' | 'muted' | 'normal';
}

/** How a replay ended, where it was recorded, and its summary. */
export interface ReplayOutcome {
  caseDir: string;
  status: 'finished' | 'interrupted';
  summary: SummaryLine[];
}

const MAX_LIST = 3;

/** Builds the summary of a scored replay. */
export function replaySummary(card: ScoreCard, model: AfterActionModel, caseDir: string): SummaryLine[] {
  const lines: SummaryLine[] = [];
  lines.push({ text: `Score ${card.total} of ${card.max} · objectives met ${card.objectivesMet} of ${card.objectives}${card.replay ? ' · replay: changes simulated' : ''}`, tone: 'accent' });
  if (card.interrupted !== null) lines.push({ text: `Interrupted: ${card.interrupted.message}`, tone: 'warn' });
  for (const item of card.items.filter((i) => i.kind === 'objective')) {
    const text = item.text.replace(/\.$/, '');
    lines.push(item.met ? { text: `✓ ${text} (+${item.points})`, tone: 'ok' } : { text: `✗ ${text}: ${item.why}`, tone: 'danger' });
  }
  const mistakes = card.items.filter((i) => i.kind === 'mistake' && i.met);
  lines.push({ text: mistakes.length === 0 ? 'No mistake made.' : `Mistakes made: ${mistakes.length}`, tone: mistakes.length === 0 ? 'ok' : 'warn' });
  for (const m of mistakes) lines.push({ text: `! ${m.text} (${m.points}): ${m.why}`, tone: 'warn' });
  const hints = card.items.filter((i) => i.kind === 'hint');
  if (hints.length > 0) lines.push({ text: `Hints used: ${hints.length} (${hints.reduce((sum, h) => sum + h.points, 0)} points)`, tone: 'muted' });
  lines.push({ text: 'After-action report', tone: 'accent' });
  for (const s of model.strengths.slice(0, MAX_LIST)) lines.push({ text: `+ ${s}`, tone: 'ok' });
  for (const s of model.improvements.slice(0, MAX_LIST)) lines.push({ text: `- ${s}`, tone: 'warn' });
  if (model.strengths.length + model.improvements.length > 2 * MAX_LIST) lines.push({ text: `(${model.strengths.length} strengths, ${model.improvements.length} areas for improvement in all)`, tone: 'muted' });
  lines.push({ text: `Case: ${caseDir}  ·  full report: kustody exercise report ${caseDir} -o aar.html`, tone: 'muted' });
  return lines;
}
