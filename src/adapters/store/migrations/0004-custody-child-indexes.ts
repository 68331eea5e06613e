/**
 * Migration 4: indexes on the columns that reference a custody row (`action_seq`). Rows go in before
 * the custody row that carries their digest (foreign keys deferred), so inserting that custody row
 * makes SQLite look for the rows that now have their parent: without an index, a scan of the whole
 * table for every batch, which made a large audit ingest quadratic.
 */
export const migration0004 = {
  id: 4,
  name: 'custody-child-indexes',
  sql: `
CREATE INDEX audit_events_by_action ON audit_events(action_seq);
CREATE INDEX artifacts_by_action ON artifacts(action_seq);
`,
} as const;
