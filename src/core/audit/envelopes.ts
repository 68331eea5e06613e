/**
 * The export shapes managed clusters wrap audit events in, unwrapped to plain audit.k8s.io events:
 * - EKS CloudWatch Logs: `{"message": "<event JSON>", …}` per log event (`aws logs filter-log-events
 *   … | jq -c '.events[]'`), a subscription/Firehose record `{"logEvents": [{"message": …}, …]}`, or
 *   an S3 export line `<RFC 3339 time> <event JSON>`;
 * - AKS diagnostic settings (storage account or Event Hub): `{"category": "kube-audit", "properties":
 *   {"log": "<event JSON>", …}}`, or `{"records": [ … ]}`;
 * - GKE Cloud Logging (`gcloud logging read … --format=json | jq -c '.[]'`, or a Cloud Storage sink):
 *   a LogEntry whose protoPayload is a google.cloud.audit.AuditLog, mapped field by field (no
 *   credential id or pod binding: GKE does not export user.extra, so pivots use the username).
 */
import type { AuditFormat } from './audit-row.js';
import { isAuditEvent } from './normalize-event.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: unknown, key: string): unknown => (isObject(o) && Object.hasOwn(o, key) ? o[key] : undefined);

/** One event found in a line, with the shape it came in. */
export interface FoundEvent {
  event: Json;
  format: AuditFormat;
}

/** The most events one line may hold (a Firehose record or an Event Hub batch). */
export const MAX_EVENTS_PER_LINE = 10_000;

const TIME_PREFIX = /^\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:?\d\d) (?=\{)/;

/** Strips an S3-export time prefix from a line, if it has one. */
export function stripTimePrefix(text: string): { text: string; prefixed: boolean } {
  if (text.charCodeAt(0) === 0x7b) return { text, prefixed: false };
  const match = TIME_PREFIX.exec(text);
  return match === null ? { text, prefixed: false } : { text: text.slice(match[0].length), prefixed: true };
}

/** The audit events in one parsed line, or an empty list when it holds none. */
export function unwrapEvents(value: unknown, prefixed: boolean, parse: (text: string) => unknown): FoundEvent[] {
  if (isAuditEvent(value)) return [{ event: value, format: prefixed ? 'eks-cloudwatch' : 'kubernetes' }];
  if (!isObject(value)) return [];
  const message = own(value, 'message');
  if (typeof message === 'string') return inner(parse(message), 'eks-cloudwatch');
  const logEvents = own(value, 'logEvents');
  if (Array.isArray(logEvents)) return logEvents.slice(0, MAX_EVENTS_PER_LINE).flatMap((e) => { const m = own(e, 'message'); return typeof m === 'string' ? inner(parse(m), 'eks-cloudwatch') : []; });
  const log = own(own(value, 'properties'), 'log');
  if (typeof log === 'string') return inner(parse(log), 'aks-diagnostics');
  const records = own(value, 'records');
  if (Array.isArray(records)) return records.slice(0, MAX_EVENTS_PER_LINE).flatMap((r) => { const l = own(own(r, 'properties'), 'log'); return typeof l === 'string' ? inner(parse(l), 'aks-diagnostics') : []; });
  const gke = fromGkeEntry(value);
  return gke === null ? [] : [{ event: gke, format: 'gke-cloud-logging' }];
}

function inner(value: unknown, format: AuditFormat): FoundEvent[] {
  return isAuditEvent(value) ? [{ event: value, format }] : [];
}

const GRPC_TO_HTTP: Record<number, number> = { 0: 200, 3: 400, 5: 404, 6: 409, 7: 403, 9: 422, 10: 409, 13: 500, 14: 503, 16: 401 };

/** Maps a GKE Cloud Logging entry for a Kubernetes request to the audit.k8s.io event fields kustody reads. */
function fromGkeEntry(entry: Json): Json | null {
  const payload = own(entry, 'protoPayload');
  if (!isObject(payload) || own(payload, '@type') !== 'type.googleapis.com/google.cloud.audit.AuditLog') return null;
  const method = own(payload, 'methodName');
  const resourceName = own(payload, 'resourceName');
  if (typeof method !== 'string' || !method.startsWith('io.k8s.')) return null;
  const labels = own(entry, 'labels');
  const status = own(payload, 'status');
  const grpc = own(status, 'code');
  const metadata = own(payload, 'requestMetadata');
  const ip = own(metadata, 'callerIp');
  const operation = own(entry, 'operation');
  const auditId = own(operation, 'id') ?? own(entry, 'insertId');
  return {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1',
    auditID: auditId, stage: 'ResponseComplete', stageTimestamp: own(entry, 'timestamp'),
    verb: method.slice(method.lastIndexOf('.') + 1),
    user: { username: own(own(payload, 'authenticationInfo'), 'principalEmail') },
    sourceIPs: typeof ip === 'string' ? [ip] : undefined,
    userAgent: own(metadata, 'callerSuppliedUserAgent'),
    objectRef: typeof resourceName === 'string' ? gkeObjectRef(resourceName) : undefined,
    responseStatus: { code: typeof grpc === 'number' ? (GRPC_TO_HTTP[grpc] ?? null) : grpc === undefined ? 200 : null, message: own(status, 'message') },
    annotations: { 'authorization.k8s.io/decision': own(labels, 'authorization.k8s.io/decision'), 'authorization.k8s.io/reason': own(labels, 'authorization.k8s.io/reason') },
    requestObject: own(payload, 'request'),
    responseObject: own(payload, 'response'),
  };
}

/** `core/v1/namespaces/NS/pods/NAME/exec` → objectRef fields. */
function gkeObjectRef(resourceName: string): Json {
  const parts = resourceName.split('/');
  const group = parts[0] === 'core' ? '' : (parts[0] ?? '');
  let rest = parts.slice(2);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  return { apiGroup: group, apiVersion: parts[1], namespace, resource: rest[0], name: rest[1], subresource: rest[2] };
}
