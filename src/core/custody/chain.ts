/**
 * The custody chain: every row of the `actions` table carries the SHA-256 of its own canonical
 * encoding and of the previous row's hash, so that editing, deleting or reordering any row breaks
 * every hash after it.
 *
 *   hash = hex(SHA-256("kustody-row-v1\n" + canonicalJson({seq, at, actor, kind, target, detail, outcome, prev_hash})))
 *
 * where `detail` is the parsed JSON object, and the first row's prev_hash is 64 zeros.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type JsonValue } from './canonical-json.js';

/** The prev_hash of the first row of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The domain tag that makes a kustody row hash unusable as any other SHA-256. */
export const ROW_HASH_TAG = 'kustody-row-v1';

/** One custody log row, as hashed. */
export interface ActionRow {
  seq: number;
  at: string;
  actor: string;
  kind: string;
  target: string;
  detail: JsonValue;
  outcome: string;
  prev_hash: string;
}

/** Computes the hash of a custody row from its content and its predecessor's hash. */
export function hashActionRow(row: ActionRow): string {
  const body = canonicalJson({
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    kind: row.kind,
    target: row.target,
    detail: row.detail,
    outcome: row.outcome,
    prev_hash: row.prev_hash,
  });
  return createHash('sha256').update(`${ROW_HASH_TAG}\n${body}`, 'utf8').digest('hex');
}

/** What is wrong with one row of a chain. */
export interface ChainBreak {
  seq: number;
  problem: string;
}

/** A stored row: the hashed fields plus the hash that was stored with them. */
export interface StoredActionRow extends ActionRow {
  hash: string;
}

/** What is wrong with one row, given the seq and prev_hash the chain so far expects (empty when it fits). */
export function chainRowProblems(row: StoredActionRow, expectedSeq: number, prevHash: string): string[] {
  const problems: string[] = [];
  if (row.seq !== expectedSeq) problems.push(`expected seq ${expectedSeq}: a row is missing or out of order`);
  if (row.prev_hash !== prevHash) problems.push('prev_hash does not match the previous row: a row before it was changed, removed or inserted');
  if (hashActionRow(row) !== row.hash) problems.push('hash does not match the row content: this row was edited');
  return problems;
}

/** Checks a whole chain in seq order and returns the breaks found (empty when intact), the first `maxBreaks` of them. */
export function verifyChain(rows: Iterable<StoredActionRow>, maxBreaks = Number.POSITIVE_INFINITY): { breaks: ChainBreak[]; count: number; head: string } {
  const breaks: ChainBreak[] = [];
  const push = (found: ChainBreak) => {
    if (breaks.length < maxBreaks) breaks.push(found);
  };
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  for (const row of rows) {
    count += 1;
    for (const problem of chainRowProblems(row, expectedSeq, prev)) push({ seq: row.seq, problem });
    prev = row.hash;
    expectedSeq = row.seq + 1;
  }
  return { breaks, count, head: prev };
}
