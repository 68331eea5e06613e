/**
 * Reads the custody rows a report shows, bounded whatever the size of the custody log: the first
 * REPORT_LIMITS.custody rows (a detail larger than DETAIL_BYTES is replaced, in SQL, by the few fields a
 * summary uses, each cut), the plan rows, the distinct responders and the total. Never reads the whole log.
 */
import type { JsonValue } from '../../core/custody/canonical-json.js';
import type { ActionFact } from '../../core/findings/types.js';
import { REPORT_LIMITS } from '../../core/report/model.js';
import type { ReadableDb } from '../store/open-store.js';

/** A detail larger than this is not parsed whole: only the fields a summary reads, each cut to FIELD_CHARS. */
export const DETAIL_BYTES = 16 * 1024;
const FIELD_CHARS = 1000;
const SUMMARY_FIELDS = ['text', 'title', 'plan', 'step', 'state', 'step_id', 'change_id'] as const;

/** A custody row with its hash, as the report's custody section shows it. */
export interface CustodyRowFact extends ActionFact {
  readonly hash: string;
}

/** The custody section: the first rows, the plan rows, the responders and how many rows the log holds. */
export interface CustodySection {
  readonly rows: readonly CustodyRowFact[];
  readonly plans: readonly ActionFact[];
  readonly actors: readonly string[];
  readonly total: number;
}

const SMALL_DETAIL = `CASE WHEN length(CAST(detail AS BLOB)) <= ${DETAIL_BYTES} THEN detail
  WHEN json_valid(detail) THEN json_object(${SUMMARY_FIELDS.map((f) => `'${f}', substr(json_extract(detail, '$.${f}'), 1, ${FIELD_CHARS})`).join(', ')})
  ELSE '{"unparseable_detail":"(too large to show)"}' END`;

function parseDetail(text: unknown): JsonValue {
  try {
    return JSON.parse(String(text)) as JsonValue;
  } catch {
    return { unparseable_detail: String(text).slice(0, 200) };
  }
}

function toFact(raw: Record<string, unknown>): CustodyRowFact {
  return {
    seq: Number(raw.seq), at: String(raw.at), actor: String(raw.actor), kind: String(raw.kind), target: String(raw.target),
    outcome: String(raw.outcome), detail: parseDetail(raw.detail), hash: String(raw.hash ?? ''),
  };
}

const COLUMNS = `seq, substr(at, 1, 100) AS at, substr(actor, 1, ${FIELD_CHARS}) AS actor, substr(kind, 1, 100) AS kind,
  substr(target, 1, ${FIELD_CHARS}) AS target, substr(outcome, 1, 200) AS outcome, ${SMALL_DETAIL} AS detail, hash`;

/** Reads the custody section of a case; memory depends on the limits, not on the log's size. */
export function readCustodySection(db: ReadableDb): CustodySection {
  const rows = (db.prepare(`SELECT ${COLUMNS} FROM actions ORDER BY seq LIMIT ?`).all(REPORT_LIMITS.custody) as Record<string, unknown>[]).map(toFact);
  const plans = (db.prepare(`SELECT ${COLUMNS} FROM actions WHERE kind = 'plan' ORDER BY seq LIMIT ?`).all(REPORT_LIMITS.plans) as Record<string, unknown>[]).map(toFact);
  const actors = (db.prepare(`SELECT substr(actor, 1, ${FIELD_CHARS}) AS actor FROM actions GROUP BY actor ORDER BY min(seq) LIMIT ?`).all(REPORT_LIMITS.responders) as { actor: string }[]).map((r) => String(r.actor));
  const total = Number((db.prepare('SELECT count(*) AS n FROM actions').get() as { n: number }).n);
  return { rows, plans, actors, total };
}
