/**
 * Checklists as the custody log holds them: a playbook's checklist step records the items it showed
 * (`check` row, outcome `shown`), and each tick is its own `check` row (outcome `ticked`) saying which
 * item, who, when and an optional note. This folds those rows into each checklist's current state. Pure.
 */

/** The custody row kind of checklist rows. */
export const CHECK_ROW_KIND = 'check';

/** A `check` custody row as read back from the case. */
export interface CheckRow {
  seq: number;
  at: string;
  actor: string;
  outcome: string;
  detail: unknown;
}

/** One item's tick. */
export interface ItemTick {
  by: string;
  at: string;
  note: string | null;
  /** Custody row of the tick. */
  seq: number;
}

/** One checklist item (numbered from 1, as players name it). */
export interface ChecklistItem {
  index: number;
  text: string;
  tick: ItemTick | null;
}

/** One checklist step of one playbook run. */
export interface Checklist {
  runId: string;
  stepId: string;
  title: string;
  /** `namespace/pod` the run acted on. */
  target: string;
  /** Custody row that first showed it. */
  shownSeq: number;
  shownAt: string;
  items: ChecklistItem[];
}

/** The custody target of a checklist's rows. */
export function checklistTarget(runId: string, stepId: string): string {
  return `checklist:${runId}/${stepId}`;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Folds `check` rows (in seq order) into checklists, in the order they were first shown; ticks of unknown items are ignored. */
export function foldChecklists(rows: readonly CheckRow[]): Checklist[] {
  const lists = new Map<string, Checklist>();
  for (const row of rows) {
    const d = (row.detail ?? {}) as Record<string, unknown>;
    const runId = text(d.run_id);
    const stepId = text(d.step_id);
    if (runId === null || stepId === null) continue;
    const key = checklistTarget(runId, stepId);
    if (row.outcome === 'shown' && Array.isArray(d.items)) {
      if (lists.has(key)) continue;
      const items = d.items.filter((i): i is string => typeof i === 'string').map((t, i): ChecklistItem => ({ index: i + 1, text: t, tick: null }));
      lists.set(key, { runId, stepId, title: text(d.title) ?? stepId, target: text(d.target) ?? '', shownSeq: row.seq, shownAt: row.at, items });
      continue;
    }
    if (row.outcome !== 'ticked') continue;
    const item = lists.get(key)?.items.find((i) => i.index === d.item);
    if (item === undefined || item.tick !== null) continue;
    item.tick = { by: row.actor, at: row.at, note: text(d.note), seq: row.seq };
  }
  return [...lists.values()];
}

/** The checklist a player means by STEP: the latest one shown with that step id (or in run `runId`). */
export function findChecklist(lists: readonly Checklist[], stepId: string, runId?: string): Checklist | null {
  const matching = lists.filter((l) => l.stepId === stepId && (runId === undefined || l.runId === runId));
  return matching.at(-1) ?? null;
}

/** The item a player means by ITEM: its number (from 1) or its exact text; null when none matches. */
export function findItem(list: Checklist, item: string): ChecklistItem | null {
  if (/^[0-9]{1,6}$/.test(item)) return list.items.find((i) => i.index === Number(item)) ?? null;
  return list.items.find((i) => i.text === item) ?? null;
}

/** How many items are still open. */
export function openItems(list: Checklist): number {
  return list.items.filter((i) => i.tick === null).length;
}
