/** Records checklist steps and their ticks in the custody log (`check` rows) and reads them back. */
import { CHECK_ROW_KIND, checklistTarget, foldChecklists, type CheckRow, type Checklist, type ChecklistItem } from '../core/checklist/checklist-state.js';
import { KustodyError } from '../core/errors.js';
import { recordAction, type RecordedAction } from '../adapters/store/case-store.js';
import type { ReadableDb, WritableDb } from '../adapters/store/open-store.js';
import { utcNow } from '../adapters/system/responder-env.js';

/** Longest note a tick may carry. */
export const MAX_TICK_NOTE_BYTES = 4096;

/** Reads every checklist of the case with its ticks. */
export function readChecklists(db: ReadableDb): Checklist[] {
  const rows = db.prepare('SELECT seq, at, actor, outcome, detail FROM actions WHERE kind = ? ORDER BY seq').all(CHECK_ROW_KIND) as Array<{ seq: number | bigint; at: string; actor: string; outcome: string; detail: string }>;
  return foldChecklists(rows.map((r): CheckRow => ({ seq: Number(r.seq), at: r.at, actor: r.actor, outcome: r.outcome, detail: JSON.parse(r.detail) as unknown })));
}

/** What a checklist step records when it shows its items. */
export interface ShownChecklist {
  runId: string;
  stepId: string;
  title: string;
  target: string;
  items: readonly string[];
}

/** Records that a checklist step showed its items (once per run and step; a resumed run keeps the first). */
export function recordChecklistShown(db: WritableDb, actor: string, shown: ShownChecklist): void {
  const known = readChecklists(db).some((l) => l.runId === shown.runId && l.stepId === shown.stepId);
  if (known) return;
  recordAction(db, {
    at: utcNow(), actor, kind: CHECK_ROW_KIND, target: checklistTarget(shown.runId, shown.stepId),
    detail: { run_id: shown.runId, step_id: shown.stepId, title: shown.title, target: shown.target, items: [...shown.items] }, outcome: 'shown',
  });
}

/** How a tick request ended: recorded now, or already ticked earlier (nothing recorded). */
export interface TickResult {
  item: ChecklistItem;
  recorded: RecordedAction | null;
}

/** Ticks one item of a checklist as `actor`, with an optional note; an item already ticked keeps its first tick. */
export function tickItem(db: WritableDb, actor: string, list: Checklist, index: number, note: string | null): TickResult {
  const item = list.items.find((i) => i.index === index);
  if (item === undefined) throw new KustodyError('NO_SUCH_ITEM', `Checklist ${list.stepId} has no item ${index} (it has ${list.items.length}).`, { kind: 'usage', nextStep: 'Name the item by its number from 1, or by its exact text: `kustody check CASE` lists them.' });
  if (note !== null && Buffer.byteLength(note) > MAX_TICK_NOTE_BYTES) throw new KustodyError('USAGE', `The note is longer than ${MAX_TICK_NOTE_BYTES} bytes.`, { kind: 'usage', nextStep: 'Shorten it, or add the rest with `kustody case note`.' });
  // Re-read inside the caller's view of the log: a tick made meanwhile (another terminal) wins.
  const current = readChecklists(db).find((l) => l.runId === list.runId && l.stepId === list.stepId)?.items.find((i) => i.index === index);
  if (current?.tick) return { item: current, recorded: null };
  const recorded = recordAction(db, {
    at: utcNow(), actor, kind: CHECK_ROW_KIND, target: checklistTarget(list.runId, list.stepId),
    detail: { run_id: list.runId, step_id: list.stepId, item: index, text: item.text, note }, outcome: 'ticked',
  });
  return { item: { ...item, tick: { by: actor, at: recorded.at, note, seq: recorded.seq } }, recorded };
}
