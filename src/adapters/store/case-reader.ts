/** Reads a case back: its metadata, its custody log and per-table counts. */
import type { StoredActionRow } from '../../core/custody/chain.js';
import type { JsonValue } from '../../core/custody/canonical-json.js';
import { UnreadableInputError } from '../../core/errors.js';
import { countRows, type EVIDENCE_TABLES } from './case-store.js';
import type { ReadableDb } from './open-store.js';

/** The `cases` row. */
export interface CaseMetadata {
  id: string;
  title: string;
  created_at: string;
  tool_name: string;
  tool_version: string;
  sqlite_version: string;
  host: string;
  os_user: string;
  clock_note: string;
}

/** Everything `case show` prints. */
export interface CaseSummary {
  case: CaseMetadata;
  schemaVersion: number;
  counts: Record<(typeof EVIDENCE_TABLES)[number], number>;
  actions: StoredActionRow[];
}

/** Reads the single `cases` row; a database without one is not a usable case. */
export function readCaseMetadata(db: ReadableDb): CaseMetadata {
  const row = db.prepare('SELECT id, title, created_at, tool_name, tool_version, sqlite_version, host, os_user, clock_note FROM cases').all() as CaseMetadata[];
  const first = row[0];
  if (row.length !== 1 || first === undefined) {
    throw new UnreadableInputError('CASE_CORRUPT', `The case database holds ${row.length} case records instead of one.`, 'Keep the file for examination and open a new case.');
  }
  return first;
}

/** Iterates the custody log in seq order without loading it all at once. */
export function* iterateActions(db: ReadableDb): Generator<StoredActionRow> {
  const statement = db.prepare('SELECT seq, at, actor, kind, target, detail, outcome, prev_hash, hash FROM actions ORDER BY seq');
  for (const raw of statement.iterate() as Iterable<Record<string, unknown>>) {
    yield {
      seq: Number(raw.seq),
      at: String(raw.at),
      actor: String(raw.actor),
      kind: String(raw.kind),
      target: String(raw.target),
      detail: parseDetail(raw.detail),
      outcome: String(raw.outcome),
      prev_hash: String(raw.prev_hash),
      hash: String(raw.hash),
    };
  }
}

/** The whole summary of a case, for `case show`. */
export function readCaseSummary(db: ReadableDb): CaseSummary {
  return {
    case: readCaseMetadata(db),
    schemaVersion: Number(db.pragma('user_version', { simple: true })),
    counts: countRows(db) as CaseSummary['counts'],
    actions: [...iterateActions(db)],
  };
}

function parseDetail(value: unknown): JsonValue {
  try {
    return JSON.parse(String(value)) as JsonValue;
  } catch {
    // Kept as text so the chain check reports the row instead of crashing on it.
    return { unparseable_detail: String(value) };
  }
}
