/**
 * The custody chain of a live case, recomputed from the stored rows one at a time (memory does not
 * grow with the log), and the refusal that commands replaying or signing the case use before acting.
 */
import { canonicalJson, type JsonValue } from '../../core/custody/canonical-json.js';
import { GENESIS_HASH, chainRowProblems, type StoredActionRow } from '../../core/custody/chain.js';
import { KustodyError } from '../../core/errors.js';
import type { ReadableDb } from './open-store.js';

/** Where the chain stands: intact up to its head, or the first row that breaks it. */
export type ChainState =
  | { intact: true; rows: number; head: { seq: number; hash: string } | null }
  | { intact: false; rows: number; broken: { seq: number; problem: string } };

/** Walks the custody log in seq order and stops at the first row that does not chain (edited, removed, reordered, or detail rewritten). */
export function readChainState(db: ReadableDb): ChainState {
  const statement = db.prepare('SELECT seq, at, actor, kind, target, detail, outcome, prev_hash, hash FROM actions ORDER BY seq');
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let rows = 0;
  let head: { seq: number; hash: string } | null = null;
  for (const raw of statement.iterate() as Iterable<Record<string, unknown>>) {
    rows += 1;
    const detailText = String(raw.detail);
    const row: StoredActionRow = {
      seq: Number(raw.seq), at: String(raw.at), actor: String(raw.actor), kind: String(raw.kind), target: String(raw.target),
      detail: parseDetail(detailText), outcome: String(raw.outcome), prev_hash: String(raw.prev_hash), hash: String(raw.hash),
    };
    const problems = chainRowProblems(row, expectedSeq, prev);
    if (canonicalJson(row.detail) !== detailText) problems.push('detail is not in the canonical form kustody writes: it was edited');
    if (problems.length > 0) return { intact: false, rows, broken: { seq: row.seq, problem: problems.join('; ') } };
    prev = row.hash;
    expectedSeq = row.seq + 1;
    head = { seq: row.seq, hash: row.hash };
  }
  return { intact: true, rows, head };
}

/** Refuses (exit 1) to `purpose` a case whose custody chain is broken, naming the first broken row. */
export function assertChainIntact(db: ReadableDb, purpose: string): void {
  const state = readChainState(db);
  if (state.intact) return;
  throw new KustodyError('CASE_CHAIN_BROKEN', `Refusing to ${purpose}: the custody log of this case is broken at row ${state.broken.seq} (${state.broken.problem}).`, {
    nextStep: 'Keep the case folder unchanged for examination; `kustody case show CASE` prints the chain state. Work from a backup or a verified bundle of the case, or open a new case.',
  });
}

function parseDetail(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // Kept as text: the canonical-form check then reports the row instead of crashing on it.
    return { unparseable_detail: text };
  }
}
