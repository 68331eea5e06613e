/**
 * Derives the stored row of one kube-apiserver audit event (audit.k8s.io/v1 Event), field by field
 * and defensively: any field may be missing or of the wrong type (it is then NULL), every text is
 * bounded, and bodies are reduced to the summaries of kept-bodies.ts.
 */
import { createHash } from 'node:crypto';
import type { Fingerprint } from '../capture/redact-argv.js';
import { AUDIT_FIELD_LIMITS, EXTRA_KEYS, ISSUED_CREDENTIAL_ANNOTATION, type AuditFormat, type AuditRow, type StoredAuditRow } from './audit-row.js';
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

/** How a row is built: the export shape it came in, whether its strings may need escaping, the case's fingerprint, and where the event was read. */
export interface NormalizeContext {
  format: AuditFormat;
  mayEscape: boolean;
  fingerprint: Fingerprint;
  sourceFile: string;
  line: number;
}

/** Builds the stored row of one audit event (all but action_seq), its keys in the row digest's sorted order (audit-row-line.ts). */
export function normalizeEvent(event: Json, context: NormalizeContext): StoredAuditRow {
  const escapes = { escaped: false };
  const text = (v: unknown, max: number = AUDIT_FIELD_LIMITS.maxText): string | null => {
    if (typeof v !== 'string') return null;
    if (!context.mayEscape && v.length <= max) return v;
    return storableText(v, max, escapes);
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
  const auditId = text(own(event, 'auditID'), 128);
  const stage = text(own(event, 'stage'), 64);
  // Every derived column, in AUDIT_COLUMNS order (the order the key of an event without audit ID or stage digests).
  const fields: Omit<AuditRow, 'event_key' | 'text_escaped'> = {
    audit_id: auditId,
    stage,
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
    kept_json: json(keptBodies(apiGroup ?? '', resource ?? '', subresource ?? '', own(event, 'requestObject'), own(event, 'responseObject'))),
    format: context.format,
  };
  const f = fields;
  // The dedupe key: the audit ID and stage when both are present (one stage of one request, whatever file
  // or export it came from), else a digest of the derived fields (never of the raw line, which may hold
  // bodies kustody does not keep).
  // One literal in sorted key order: JSON.stringify of it is the row's text in the row digest (audit-row-line.ts).
  return {
    annotations_json: f.annotations_json, api_group: f.api_group, audit_id: f.audit_id, credential_id: f.credential_id, decision: f.decision,
    event_key: auditId !== null && stage !== null ? `${auditId}/${stage}` : `sha256:${createHash('sha256').update(JSON.stringify(f)).digest('hex')}`,
    format: f.format, groups_json: f.groups_json, impersonated_user: f.impersonated_user, issued_credential_id: f.issued_credential_id,
    kept_json: f.kept_json, level: f.level, line: context.line, name: f.name, namespace: f.namespace, node_name: f.node_name,
    object_uid: f.object_uid, pod_name: f.pod_name, pod_uid: f.pod_uid, reason: f.reason, request_received_timestamp: f.request_received_timestamp,
    request_uri: f.request_uri, resource: f.resource, response_code: f.response_code, response_message: f.response_message,
    sa_name: f.sa_name, sa_namespace: f.sa_namespace, source_file: context.sourceFile, source_ips_json: f.source_ips_json, stage: f.stage,
    stage_timestamp: f.stage_timestamp, subresource: f.subresource, text_escaped: escapes.escaped ? 1 : 0, user_agent: f.user_agent,
    username: f.username, verb: f.verb,
  };
}

const json = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  const out = JSON.stringify(v);
  return out.length <= AUDIT_FIELD_LIMITS.maxJson ? out : JSON.stringify({ cut: true, chars: out.length });
};

function boundedAnnotations(annotations: Json, text: (v: unknown, max?: number) => string | null): Json {
  const out: Json = {};
  for (const key of Object.keys(annotations).slice(0, AUDIT_FIELD_LIMITS.maxItems)) out[text(key, 256) ?? ''] = text(annotations[key], 1024);
  return out;
}

const RFC3339_UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/;

// Two digits at `at` as a number (the stamp is all digits there: RFC3339_UTC matched it).
const twoDigits = (stamp: string, at: number) => (stamp.charCodeAt(at) - 48) * 10 + stamp.charCodeAt(at + 1) - 48;

/** True for a YYYY-MM-DDTHH:MM:SS.mmmZ stamp that is a real time in every month (day up to 28): no need to ask Date.parse, which is slow. */
function surelyValid(stamp: string): boolean {
  const month = twoDigits(stamp, 5);
  const day = twoDigits(stamp, 8);
  return month >= 1 && month <= 12 && day >= 1 && day <= 28 && twoDigits(stamp, 11) <= 23 && twoDigits(stamp, 14) <= 59 && twoDigits(stamp, 17) <= 59;
}

/** An audit timestamp as kustody stores times (UTC, milliseconds), or null when it is not a time. */
export function normalizeTime(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 64) return null;
  const utc = RFC3339_UTC.exec(value);
  if (utc !== null) {
    const stamp = `${utc[1] ?? ''}.${(utc[2] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
    return surelyValid(stamp) || Number.isFinite(Date.parse(stamp)) ? stamp : null;
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || !/^\d{4}-\d\d-\d\dT/.test(value)) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
