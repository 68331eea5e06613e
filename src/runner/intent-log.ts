/**
 * The playbook intent log: custody rows of kind `playbook` (chained like every other row) that say
 * which run and step is planned, about to act (`intent`, committed before anything is sent), done,
 * failed, declined or interrupted. A resumed run folds these rows back into each step's last state
 * and, for a step whose changes may have been sent, the plan it recorded with its intent.
 */
import type { ChangePlan } from '../core/changes/change.js';
import type { JsonValue } from '../core/custody/canonical-json.js';
import { recordAction, type RecordedAction } from '../adapters/store/case-store.js';
import type { ReadableDb, WritableDb } from '../adapters/store/open-store.js';
import { utcNow } from '../adapters/system/responder-env.js';

/** The custody row kind of the intent log. */
export const PLAYBOOK_ROW_KIND = 'playbook';

/** Run-level states (`planned`, `resumed`, `finished`) and step states (the rest). */
export type IntentState = 'planned' | 'resumed' | 'finished' | 'intent' | 'done' | 'failed' | 'declined' | 'interrupted';

/** One intent-log row to append. */
export interface IntentEntry {
  runId: string;
  stepId: string | null;
  state: IntentState;
  detail?: Record<string, JsonValue>;
}

/** A step's last recorded state in a run. */
export interface StepHistory {
  state: IntentState;
  seq: number;
  /** Seq of the step's latest `intent` row, and the change plan recorded with it (contain and revoke steps). */
  intentSeq: number | null;
  plan: ChangePlan | null;
}

/** What the intent log says about one run. */
export interface RunHistory {
  runId: string;
  playbookId: string;
  playbookSha256: string;
  dryRun: boolean;
  attempts: number;
  finished: string | null;
  steps: Map<string, StepHistory>;
}

/** Appends one intent-log row for `target` (`namespace/pod`). */
export function recordIntent(db: WritableDb, actor: string, target: string, entry: IntentEntry): RecordedAction {
  return recordAction(db, {
    at: utcNow(), actor, kind: PLAYBOOK_ROW_KIND, target: `pod:${target}`,
    detail: { run_id: entry.runId, step_id: entry.stepId, state: entry.state, ...(entry.detail ?? {}) }, outcome: entry.state,
  });
}

interface Row {
  seq: number;
  detail: { run_id?: string; step_id?: string | null; state?: IntentState; playbook?: string; playbook_sha256?: string; dry_run?: boolean; plan?: ChangePlan; status?: string };
}

/** The latest run of `playbookId` against `target` that was not a dry run, or null when there is none. */
export function findLatestRun(db: ReadableDb, playbookId: string, target: string): RunHistory | null {
  const rows = (db.prepare('SELECT seq, detail FROM actions WHERE kind = ? AND target = ? ORDER BY seq').all(PLAYBOOK_ROW_KIND, `pod:${target}`) as Array<{ seq: number | bigint; detail: string }>)
    .map((r): Row => ({ seq: Number(r.seq), detail: JSON.parse(r.detail) as Row['detail'] }));
  const start = rows.filter((r) => r.detail.state === 'planned' && r.detail.playbook === playbookId && r.detail.dry_run !== true).at(-1);
  if (start === undefined || start.detail.run_id === undefined) return null;
  const history: RunHistory = { runId: start.detail.run_id, playbookId, playbookSha256: start.detail.playbook_sha256 ?? '', dryRun: false, attempts: 1, finished: null, steps: new Map() };
  for (const row of rows) {
    const d = row.detail;
    if (d.run_id !== history.runId || row.seq < start.seq || d.state === undefined) continue;
    if (d.state === 'resumed') history.attempts += 1;
    if (d.state === 'finished') history.finished = d.status ?? null;
    if (typeof d.step_id !== 'string') continue;
    const previous = history.steps.get(d.step_id);
    const isIntent = d.state === 'intent';
    history.steps.set(d.step_id, {
      state: d.state, seq: row.seq,
      intentSeq: isIntent ? row.seq : previous?.intentSeq ?? null,
      plan: isIntent ? d.plan ?? null : previous?.plan ?? null,
    });
  }
  return history;
}

/** Whether any change of `plan` has an `intent` custody row after `seq`: it may have reached the API server. */
export function changesSentSince(db: ReadableDb, seq: number, plan: ChangePlan): boolean {
  const ids = new Set(plan.changes.map((c) => c.id));
  const rows = db.prepare("SELECT detail FROM actions WHERE seq > ? AND kind IN ('contain', 'revoke') AND outcome = 'intent'").pluck().all(seq) as string[];
  return rows.some((text) => {
    const d = JSON.parse(text) as { plan?: string; plan_target?: string; change_id?: string };
    return d.plan === plan.kind && d.plan_target === plan.target && d.change_id !== undefined && ids.has(d.change_id);
  });
}
