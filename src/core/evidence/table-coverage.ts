/**
 * Which committed digest covers each evidence table, as data: `bundle verify` walks exactly these
 * tables, docs/evidence-schema.md lists the same, and a test fails when the schema gains a table
 * that is missing here.
 */

/** How the rows of one table are tied to the custody log. */
export interface TableCoverage {
  /** `chain`: the table is the custody log; `rows_sha256`: the inserting custody row carries its digest. */
  readonly by: 'chain' | 'rows_sha256';
  /** The column(s) that say which custody row inserted a row, for naming it in findings. */
  readonly owner: 'none' | 'action_seq' | 'capture_id' | 'capture_step';
  /** Columns left out of the row digest, with what covers them instead. */
  readonly excluded?: readonly string[];
  /** One sentence for the schema doc and for findings. */
  readonly covered: string;
}

/** Every table of a case, and what commits its rows. */
export const TABLE_COVERAGE = {
  actions: { by: 'chain', owner: 'none', covered: 'the custody chain: each row hashes its content and the previous row' },
  cases: { by: 'rows_sha256', owner: 'none', covered: 'rows_sha256.cases of the case-open row' },
  artifacts: { by: 'rows_sha256', owner: 'action_seq', excluded: ['content'], covered: 'rows_sha256.artifacts of the row that stored them; content by its own sha256 column' },
  captures: { by: 'rows_sha256', owner: 'capture_id', covered: 'rows_sha256.captures of capture-start (the row as inserted: finished_at NULL, status running); finished_at and status by the capture-end row (its at and detail.status)' },
  processes: { by: 'rows_sha256', owner: 'capture_id', covered: 'rows_sha256.processes of the capture step' },
  connections: { by: 'rows_sha256', owner: 'capture_id', covered: 'rows_sha256.connections of the capture step' },
  mounts: { by: 'rows_sha256', owner: 'capture_id', covered: 'rows_sha256.mounts of the capture step' },
  credentials: { by: 'rows_sha256', owner: 'capture_id', covered: 'rows_sha256.credentials of the capture step' },
  k8s_objects: { by: 'rows_sha256', owner: 'capture_id', covered: 'rows_sha256.k8s_objects of the capture step' },
  capture_warnings: { by: 'rows_sha256', owner: 'capture_step', covered: 'rows_sha256.capture_warnings of the capture step' },
  audit_events: { by: 'rows_sha256', owner: 'action_seq', covered: 'rows_sha256.audit_events of the audit-ingest row that stored them' },
} as const satisfies Record<string, TableCoverage>;

/** A table whose rows are committed by a row digest. */
export type DigestedTable = Exclude<keyof typeof TABLE_COVERAGE, 'actions'>;

/** The digested tables, in the fixed order verify walks them. */
export const DIGESTED_TABLES = (Object.keys(TABLE_COVERAGE) as (keyof typeof TABLE_COVERAGE)[]).filter((t): t is DigestedTable => TABLE_COVERAGE[t].by === 'rows_sha256');
