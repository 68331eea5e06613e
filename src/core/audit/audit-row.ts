/**
 * One stored audit event stage: the columns of the public `audit_events` table (docs/evidence-schema.md),
 * as kustody derives them from a kube-apiserver audit event. Pure data.
 */

/** Which export shape an event came in. */
export type AuditFormat = 'kubernetes' | 'eks-cloudwatch' | 'aks-diagnostics' | 'gke-cloud-logging';

/** The columns kustody derives from one event (source_file, line and action_seq are added when stored). */
export interface AuditRow {
  audit_id: string | null;
  stage: string | null;
  stage_timestamp: string | null;
  request_received_timestamp: string | null;
  level: string | null;
  verb: string | null;
  request_uri: string | null;
  username: string | null;
  groups_json: string | null;
  credential_id: string | null;
  sa_namespace: string | null;
  sa_name: string | null;
  pod_name: string | null;
  pod_uid: string | null;
  node_name: string | null;
  source_ips_json: string | null;
  user_agent: string | null;
  impersonated_user: string | null;
  api_group: string | null;
  resource: string | null;
  subresource: string | null;
  namespace: string | null;
  name: string | null;
  object_uid: string | null;
  response_code: number | null;
  response_message: string | null;
  decision: string | null;
  reason: string | null;
  issued_credential_id: string | null;
  annotations_json: string | null;
  kept_json: string | null;
  format: AuditFormat;
  text_escaped: number;
  event_key: string;
}

/** A row ready to store: the derived columns plus where it was read (action_seq is the custody row's, added when stored). */
export interface StoredAuditRow extends AuditRow {
  source_file: string;
  line: number;
}

/** The stored column order (kustody's own names, never taken from evidence). */
export const AUDIT_COLUMNS = [
  'audit_id', 'stage', 'stage_timestamp', 'request_received_timestamp', 'level', 'verb', 'request_uri', 'username', 'groups_json',
  'credential_id', 'sa_namespace', 'sa_name', 'pod_name', 'pod_uid', 'node_name', 'source_ips_json', 'user_agent', 'impersonated_user',
  'api_group', 'resource', 'subresource', 'namespace', 'name', 'object_uid', 'response_code', 'response_message', 'decision', 'reason',
  'issued_credential_id', 'annotations_json', 'kept_json', 'format', 'text_escaped', 'event_key',
] as const satisfies readonly (keyof AuditRow)[];

/** Caps on what one event may put into a row. */
export const AUDIT_FIELD_LIMITS = {
  /** Characters of any one text value (URIs, names, user agents); longer values are cut and marked. */
  maxText: 4096,
  /** Characters of a response message. */
  maxMessage: 1024,
  /** Entries of any list (groups, source IPs, subjects, rules, containers). */
  maxItems: 64,
  /** Characters of the annotations and kept-body JSON. */
  maxJson: 16_384,
} as const;

/** The `user.extra` keys the bound-token authenticator sets (KEP-4193). */
export const EXTRA_KEYS = {
  credentialId: 'authentication.kubernetes.io/credential-id',
  podName: 'authentication.kubernetes.io/pod-name',
  podUid: 'authentication.kubernetes.io/pod-uid',
  nodeName: 'authentication.kubernetes.io/node-name',
} as const;

/** The annotation a TokenRequest's event carries naming the id of the token it minted. */
export const ISSUED_CREDENTIAL_ANNOTATION = 'authentication.kubernetes.io/issued-credential-id';

/** A row with every derived column NULL (format kubernetes, key empty), to fill in field by field. */
export function emptyAuditRow(): AuditRow {
  const row = Object.fromEntries(AUDIT_COLUMNS.map((c) => [c, null])) as unknown as AuditRow;
  return { ...row, format: 'kubernetes', text_escaped: 0, event_key: '' };
}
