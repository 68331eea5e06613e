/**
 * Migration 3: `audit_events`, one row per stage of each kube-apiserver audit event a case ingested
 * (`kustody audit ingest`), with the custody row that stored it. `event_key` (audit ID and stage)
 * keeps a second ingest of the same events from adding rows.
 */
/**
 * The indexes the pivots look events up by. A large ingest drops them first and builds them at its end
 * (audit-indexes.ts), so each is their exact statement, reused there.
 */
export const AUDIT_LOOKUP_INDEXES: readonly { name: string; sql: string }[] = [
  { name: 'audit_events_by_credential', sql: 'CREATE INDEX audit_events_by_credential ON audit_events(credential_id) WHERE credential_id IS NOT NULL' },
  { name: 'audit_events_by_username', sql: 'CREATE INDEX audit_events_by_username ON audit_events(username, stage_timestamp)' },
  { name: 'audit_events_by_issued_credential', sql: 'CREATE INDEX audit_events_by_issued_credential ON audit_events(issued_credential_id) WHERE issued_credential_id IS NOT NULL' },
];

export const migration0003 = {
  id: 3,
  name: 'audit-events',
  sql: `
CREATE TABLE audit_events (
  audit_id TEXT,
  stage TEXT,
  stage_timestamp TEXT,
  request_received_timestamp TEXT,
  level TEXT,
  verb TEXT,
  request_uri TEXT,
  username TEXT,
  groups_json TEXT,
  credential_id TEXT,
  sa_namespace TEXT,
  sa_name TEXT,
  pod_name TEXT,
  pod_uid TEXT,
  node_name TEXT,
  source_ips_json TEXT,
  user_agent TEXT,
  impersonated_user TEXT,
  api_group TEXT,
  resource TEXT,
  subresource TEXT,
  namespace TEXT,
  name TEXT,
  object_uid TEXT,
  response_code INTEGER,
  response_message TEXT,
  decision TEXT,
  reason TEXT,
  issued_credential_id TEXT,
  annotations_json TEXT,
  kept_json TEXT,
  format TEXT NOT NULL,
  text_escaped INTEGER NOT NULL,
  event_key TEXT NOT NULL UNIQUE,
  source_file TEXT NOT NULL,
  line INTEGER NOT NULL,
  action_seq INTEGER NOT NULL REFERENCES actions(seq)
) STRICT;
${AUDIT_LOOKUP_INDEXES.map((index) => `${index.sql};\n`).join('')}`,
} as const;
