/** `kustody check CASE [STEP ITEM] [--note TEXT]`: tick a checklist item of a playbook run, or list the case's checklists. */
import { join } from 'node:path';
import { findChecklist, findItem, openItems, type Checklist } from '../core/checklist/checklist-state.js';
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { CASE_DB_FILE, resolveCaseDir } from '../adapters/store/case-store.js';
import { openReadableDb, openWritableDb } from '../adapters/store/open-store.js';
import { readResponderIdentity } from '../adapters/system/responder-env.js';
import { readChecklists, tickItem } from '../runner/checklist-log.js';
import { defaultCaseParent, type Command } from './command.js';

/** `kustody check`. */
export const checkCommand: Command = {
  path: ['check', ''],
  usage: 'kustody check CASE [STEP ITEM] [--note TEXT] [--run RUN_ID] [--json]',
  summary: 'tick a checklist item of a playbook run (who, when, an optional note), or list the checklists',
  help: [
    'With CASE alone: lists every checklist the case\'s playbook runs showed, each item ticked (by whom, when) or open.',
    'With STEP ITEM: ticks item ITEM (its number from 1, or its exact text) of checklist step STEP of the latest run that showed it',
    '(--run RUN_ID picks another run). The tick is a custody row with your OS user and host, the time and the note.',
    'An item already ticked keeps its first tick; nothing new is recorded and the command says who ticked it.',
  ].join('\n'),
  options: { note: { type: 'string' }, run: { type: 'string' } },
  positionals: { min: 1, max: 3 },
  async run(args, { io, json, env }) {
    const [caseArg = '', stepId, itemArg] = args.positionals;
    if (stepId !== undefined && itemArg === undefined) throw new UsageError('Name the item too: kustody check CASE STEP ITEM.', 'Run `kustody check CASE` to list the checklists and their items.');
    const caseDir = resolveCaseDir(caseArg, defaultCaseParent(env));
    const runId = typeof args.values.run === 'string' ? args.values.run : undefined;
    if (stepId === undefined || itemArg === undefined) {
      const db = openReadableDb(join(caseDir, CASE_DB_FILE));
      try {
        const lists = readChecklists(db).filter((l) => runId === undefined || l.runId === runId);
        if (json) io.out(toSafeJson({ checklists: lists }));
        else for (const line of describeChecklists(lists)) io.out(line);
      } finally {
        db.close();
      }
      return 0;
    }
    const note = typeof args.values.note === 'string' && args.values.note.trim() !== '' ? args.values.note : null;
    const db = openWritableDb(join(caseDir, CASE_DB_FILE));
    try {
      const list = findChecklist(readChecklists(db), stepId, runId);
      if (list === null) throw new UsageError(`No playbook run in this case showed a checklist step ${stepId}${runId === undefined ? '' : ` in run ${runId}`}.`, 'Run `kustody check CASE` to list the checklists, then pass one of their step ids.');
      const item = findItem(list, itemArg);
      if (item === null) throw new UsageError(`Checklist ${stepId} has no item ${itemArg} (it has ${list.items.length}).`, 'Name the item by its number from 1, or by its exact text: `kustody check CASE` lists them.');
      const who = readResponderIdentity();
      const result = tickItem(db, `${who.osUser}@${who.host}`, list, item.index, note);
      const tick = result.item.tick;
      if (json) io.out(toSafeJson({ run_id: list.runId, step_id: list.stepId, item: item.index, text: item.text, recorded: result.recorded !== null, seq: tick?.seq ?? null, by: tick?.by ?? null, at: tick?.at ?? null, note: tick?.note ?? null }));
      else if (result.recorded === null) io.out(display`Item ${item.index} of ${escapeUntrusted(stepId)} was already ticked by ${escapeUntrusted(tick?.by ?? '')} at ${escapeUntrusted(tick?.at ?? '')}; nothing recorded.`);
      else io.out(display`Ticked item ${item.index} of ${escapeUntrusted(stepId)} (${escapeUntrusted(item.text, { maxBytes: 200 })}) as custody row ${result.recorded.seq}.`);
    } finally {
      db.close();
    }
    return 0;
  },
};

/** Renders checklists as terminal lines, every stored string escaped. */
export function describeChecklists(lists: readonly Checklist[]): DisplayText[] {
  if (lists.length === 0) return [trusted('No checklist in this case yet: playbook runs record one when they reach a checklist step.')];
  const lines: DisplayText[] = [];
  for (const list of lists) {
    lines.push(display`${escapeUntrusted(list.stepId)} · ${escapeUntrusted(list.title)} · ${escapeUntrusted(list.target)} · run ${escapeUntrusted(list.runId)} · ${openItems(list)} open`);
    for (const item of list.items) {
      const tick = item.tick === null ? trusted('') : display`  ✓ ${escapeUntrusted(item.tick.by)} ${escapeUntrusted(item.tick.at)}${item.tick.note === null ? trusted('') : display`: ${escapeUntrusted(item.tick.note, { maxBytes: 4096 })}`}`;
      lines.push(display`  ${item.tick === null ? trusted('[ ]') : trusted('[x]')} ${item.index}. ${escapeUntrusted(item.text)}${tick}`);
    }
  }
  return lines;
}
