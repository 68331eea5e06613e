/**
 * Derives the stored row of one kube-apiserver audit event (audit.k8s.io/v1 Event), field by field
 * and defensively: any field may be missing or of the wrong type (it is then NULL), every text is
 * bounded, and bodies are reduced to the summaries of kept-bodies.ts.
 */
import { createHash } from 'node:crypto';
import type { Fingerprint } from '../capture/redact-argv.js';
import { AUDIT_FIELD_LIMITS, EXTRA_KEYS, ISSUED_CREDENTIAL_ANNOTATION, type AuditFormat, type AuditRow } from './audit-row.js';
import { keptBodies } from './kept-bodies.js';
import { storableText } from './line-text.js';
import { redactRequestUri } from './request-uri.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: unknown, key: string): unknown => (isObject(o) && Object.hasOwn(o, key) ? o[key] : undefined);

/** True when a parsed JSON value looks like a Kubernetes audit event (and not some other log record). */
export function isAuditEvent(value: unknown): value is Json {
  if (!isObject(value)) return false;
  const apiVersion = own(value, 'apiVersion');
  if (own(value, 'kind') === 'Event' && typeof apiVersion === 'string' && apiVersion.startsWith('audit.k8s.io/')) return true;
  return typeof own(value, 'auditID') === 'string' && typeof own(value, 'stage') === 'string';
}

/** How a row is built: the export shape it came in, whether its strings may need escaping, and the case's fingerprint. */
export interface NormalizeContext {
  format: AuditFormat;
  mayEscape: boolean;
  fingerprint: Fingerprint;
}

/** Builds the row of one audit event; the caller adds source_file, line and action_seq. */
export function normalizeEvent(event: Json, context: NormalizeContext): AuditRow {
  const escapes = { escaped: false };
  const text = (v: unknown, max: number = AUDIT_FIELD_LIMITS.maxText): string | null => {
    if (typeof v !== 'string') return null;
    if (!context.mayEscape && v.length <= max) return v;
    return storableText(v, max, escapes);
  };
  const json = (v: unknown): string | null => {
    if (v === undefined || v === null) return null;
    const out = JSON.stringify(v);
    return out.length <= AUDIT_FIELD_LIMITS.maxJson ? out : JSON.stringify({ cut: true, chars: out.length });
  };
  const stringList = (v: unknown): string[] | null => {
    if (!Array.isArray(v)) return null;
    return v.slice(0, AUDIT_FIELD_LIMITS.maxItems).map((x) => text(x, 512) ?? String(x === null ? 'null' : typeof x));
  };

  const user = own(event, 'user');
  const extra = own(user, 'extra');
  const firstExtra = (key: string) => {
    const values = own(extra, key);
    return Array.isArray(values) ? text(values[0]) : null;
  };
  const username = text(own(user, 'username'));
  const sa = username?.startsWith('system:serviceaccount:') === true ? username.slice('system:serviceaccount:'.length).split(':') : null;
  const objectRef = own(event, 'objectRef');
  const apiGroup = text(own(objectRef, 'apiGroup'));
  const resource = text(own(objectRef, 'resource'));
  const subresource = text(own(objectRef, 'subresource'));
  const annotations = own(event, 'annotations');
  const responseStatus = own(event, 'responseStatus');
  const code = own(responseStatus, 'code');
  const requestUri = text(own(event, 'requestURI'));
  const kept = keptBodies(apiGroup ?? '', resource ?? '', subresource ?? '', own(event, 'requestObject'), own(event, 'responseObject'));
  const row: Omit<AuditRow, 'event_key' | 'text_escaped'> = {
    audit_id: text(own(event, 'auditID'), 128),
    stage: text(own(event, 'stage'), 64),
    stage_timestamp: normalizeTime(own(event, 'stageTimestamp')),
    request_received_timestamp: normalizeTime(own(event, 'requestReceivedTimestamp')),
    level: text(own(event, 'level'), 64),
    verb: text(own(event, 'verb'), 64),
    request_uri: requestUri === null ? null : redactRequestUri(requestUri, context.fingerprint),
    username,
    groups_json: json(stringList(own(user, 'groups'))),
    credential_id: firstExtra(EXTRA_KEYS.credentialId),
    sa_namespace: sa !== null && sa.length === 2 ? (sa[0] ?? null) : null,
    sa_name: sa !== null && sa.length === 2 ? (sa[1] ?? null) : null,
    pod_name: firstExtra(EXTRA_KEYS.podName),
    pod_uid: firstExtra(EXTRA_KEYS.podUid),
    node_name: firstExtra(EXTRA_KEYS.nodeName),
    source_ips_json: json(stringList(own(event, 'sourceIPs'))),
    user_agent: text(own(event, 'userAgent')),
    impersonated_user: text(own(own(event, 'impersonatedUser'), 'username')),
    api_group: apiGroup,
    resource,
    subresource,
    namespace: text(own(objectRef, 'namespace')),
    name: text(own(objectRef, 'name')),
    object_uid: text(own(objectRef, 'uid'), 128),
    response_code: typeof code === 'number' && Number.isSafeInteger(code) ? code : null,
    response_message: text(own(responseStatus, 'message'), AUDIT_FIELD_LIMITS.maxMessage),
    decision: text(own(annotations, 'authorization.k8s.io/decision'), 64),
    reason: text(own(annotations, 'authorization.k8s.io/reason'), AUDIT_FIELD_LIMITS.maxMessage),
    issued_credential_id: text(own(annotations, ISSUED_CREDENTIAL_ANNOTATION), 256),
    annotations_json: json(isObject(annotations) ? boundedAnnotations(annotations, text) : null),
    kept_json: json(kept),
    format: context.format,
  };
  return { ...row, text_escaped: escapes.escaped ? 1 : 0, event_key: eventKey(row) };
}

function boundedAnnotations(annotations: Json, text: (v: unknown, max?: number) => string | null): Json {
  const out: Json = {};
  for (const key of Object.keys(annotations).slice(0, AUDIT_FIELD_LIMITS.maxItems)) out[text(key, 256) ?? ''] = text(annotations[key], 1024);
  return out;
}

/**
 * The dedupe key: the audit ID and stage when both are present (one stage of one request, whatever
 * file or export it came from), else a digest of the stored fields (never of the raw line, which may
 * hold bodies kustody does not keep).
 */
function eventKey(row: Omit<AuditRow, 'event_key' | 'text_escaped'>): string {
  if (row.audit_id !== null && row.stage !== null) return `${row.audit_id}/${row.stage}`;
  return `sha256:${createHash('sha256').update(JSON.stringify(row)).digest('hex')}`;
}

const RFC3339_UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/;

/** An audit timestamp as kustody stores times (UTC, milliseconds), or null when it is not a time. */
export function normalizeTime(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 64) return null;
  const utc = RFC3339_UTC.exec(value);
  if (utc !== null) {
    const stamp = `${utc[1] ?? ''}.${(utc[2] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
    return Number.isFinite(Date.parse(stamp)) ? stamp : null;
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || !/^\d{4}-\d\d-\d\dT/.test(value)) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
