/**
 * The facilitator's view as terminal lines: every string that came from a log, the scenario file or
 * the cluster is escaped (and bounded) here, so the screen and `watch --once` print DisplayText only.
 */
import { display, escapeUntrusted, joinDisplay, trusted, type DisplayText } from '../display/index.js';
import { cutDisplay, fitDisplay } from '../display/fit-text.js';
import type { WatchInject, WatchView } from './watch-view.js';

/** One line and how to draw it. */
export interface WatchLine {
  text: DisplayText;
  tone: 'accent' | 'muted' | 'normal' | 'warn' | 'ok';
}

const u = (value: string, columns = 80): DisplayText => cutDisplay(escapeUntrusted(value, { maxBytes: 4096 }), columns);
const col = (value: string, width: number): DisplayText => fitDisplay(u(value, width), width);
const time = (at: string): DisplayText => u(at.slice(11, 19), 8);
const list = (values: string[]): DisplayText => (values.length === 0 ? trusted('none') : joinDisplay(values.slice(0, 6).map((v) => u(v, 60)), trusted(', ')));

function injectState(i: WatchInject): DisplayText {
  if (i.state === 'fired') return display`fired ${time(i.firedAt ?? '')} ${u(i.trigger ?? '', 30)}`;
  if (i.state === 'requested') return trusted('requested: the attacker process fires it on its next tick');
  if (i.dueIn !== null) return i.dueIn === 0 ? trusted('due now') : display`due in ${i.dueIn} min`;
  return display`waiting: the team has not caused ${u(i.when.replace(/^on /, ''), 30)} yet`;
}

/** The view as lines (header, injects with their messages, attacker, team, hints). */
export function watchLines(view: WatchView): WatchLine[] {
  const lines: WatchLine[] = [];
  const add = (text: DisplayText, tone: WatchLine['tone'] = 'normal') => lines.push({ text, tone });
  add(display`${u(view.scenarioId, 40)}: ${u(view.title, 100)}`, 'accent');
  const attacker = view.stoppedAt !== null ? display`stopped ${u(view.stoppedAt, 30)}${view.interrupted === null ? trusted('') : trusted(' (interrupted)')}` : view.attackerRunning ? trusted('attacker running') : view.interrupted !== null ? trusted('INTERRUPTED') : trusted('attacker NOT running');
  const score = view.score === null ? trusted('score: run kustody exercise score') : display`score ${view.score.total}/${view.score.max}${view.score.provisional ? trusted(' (provisional)') : trusted('')}, objectives ${view.score.objectivesMet}/${view.score.objectives}`;
  add(display`exercise ${view.exercise}  namespace ${u(view.namespace, 63)}  minute ${view.minute} of ${view.durationMinutes}  ${attacker}  ${score}`);
  if (view.interrupted !== null) add(display`INTERRUPTED: ${u(view.interrupted.message, 200)}${view.stoppedAt === null ? trusted('; kustody exercise stop CASE --yes removes what it created') : trusted('')}`, 'warn');
  add(trusted(''));
  add(trusted('Injects'), 'muted');
  for (const i of view.injects) {
    add(display`  ${i.key}. ${col(i.id, 22)} ${col(i.when, 20)} ${injectState(i)}${i.hasAction ? trusted('  (+ attacker action)') : trusted('')}`, i.state === 'fired' ? 'ok' : 'normal');
    add(display`       ${u(i.message, 200)}`, 'muted');
  }
  add(trusted(''));
  add(display`Attacker (${view.attackerActions} actions, ${view.attackerRefused} refused by the cluster)`, 'muted');
  if (view.attacker.length === 0) add(trusted('  (nothing yet)'));
  for (const a of view.attacker) {
    add(display`  ${time(a.at)} ${a.refused ? trusted('REFUSED ') : col(a.outcome, 8)} ${col(a.name, 24)} ${u(a.what, 120)}`, a.refused ? 'warn' : 'normal');
  }
  add(trusted(''));
  const t = view.team;
  add(display`Team (custody log: ${t.rows} rows${t.findings === null ? trusted('') : display`, ${t.findings} findings`})`, 'muted');
  if (t.partial !== null) add(display`  partial: ${u(t.partial, 160)}`, 'warn');
  add(display`  captured ${list(t.captures)}   isolated ${list(t.isolated)}   deleted ${list(t.podsDeleted)}`);
  add(display`  revocations ${t.revocations}   tokens proven dead ${list(t.provenDead)}${t.stillValid.length > 0 ? display`   STILL VALID ${list(t.stillValid)}` : trusted('')}`, t.stillValid.length > 0 ? 'warn' : 'normal');
  add(display`  checklist ticks ${t.checklistTicks}   notes ${t.notes}   swept objects ${t.sweptObjects}   exports ${t.exports}`);
  if (t.events.length > 0) add(display`  events: ${joinDisplay(t.events.map((e) => display`${u(e.event, 30)} ${time(e.at)}`), trusted(', '))}`);
  if (t.recent.length === 0) add(trusted('  (nothing yet)'));
  for (const r of t.recent) add(display`  ${time(r.at)} ${col(r.kind, 9)} ${col(r.outcome, 12)} ${u(r.target, 100)}${r.count > 1 ? display` (${r.count} rows)` : trusted('')}  ${u(r.actor, 60)}`);
  add(trusted(''));
  const given = view.hints.filter((h) => h.givenAt !== null).length;
  add(display`Hints (${given} of ${view.hints.length} given, -${view.hintCost} points)`, 'muted');
  for (const h of view.hints) add(display`  ${col(h.id, 20)} -${h.cost}  ${h.givenAt === null ? trusted('not given') : display`given ${time(h.givenAt)}`}`);
  return lines;
}
