/**
 * Timeline source of the ingested API server audit log (audit_events): the completed requests an
 * investigator reads a timeline for (writes, exec/attach/port-forward, token minting, Secret reads,
 * denials), without the control plane's routine traffic (except what the case's identities did: a
 * stolen kube-system token is no routine), capped so a large log cannot exhaust the memory of a report or a review. `kustody audit who` pivots on every event. Pure.
 */
import { BY_CASE_IDENTITY } from '../audit/attacker-sql.js';
import { boundMessage, textOf } from './message-text.js';
import { isoUtc } from './time-values.js';
import type { TimelineEvent, TimelineSource } from './timeline-event.js';

/** Most audit events placed on one timeline. */
export const MAX_AUDIT_TIMELINE_EVENTS = 50_000;

const ROUTINE_USER = "(username LIKE 'system:node:%' OR username LIKE 'system:serviceaccount:kube-system:%' OR username IN ('system:kube-controller-manager', 'system:kube-scheduler', 'system:apiserver'))";
/** Not the control plane's routine traffic, unless made by one of the case's identities (a stolen kube-system token, one the attacker minted for a controller). */
const CONTROL_PLANE = `(NOT coalesce(${ROUTINE_USER}, 0) OR ${BY_CASE_IDENTITY})`;
const INTERESTING = `stage = 'ResponseComplete' AND (
  (verb IN ('create', 'update', 'patch', 'delete', 'deletecollection') AND COALESCE(resource, '') NOT IN ('leases', 'events') AND COALESCE(subresource, '') <> 'status' AND ${CONTROL_PLANE})
  OR subresource IN ('exec', 'attach', 'portforward', 'token')
  OR (resource = 'secrets' AND verb IN ('get', 'list', 'watch') AND ${CONTROL_PLANE})
  OR response_code IN (401, 403))`;
const NTH = (offset: number) => `(SELECT rowid FROM audit_events WHERE ${INTERESTING} ORDER BY rowid LIMIT 1 OFFSET ${offset})`;
const COLUMNS = ['stage_timestamp', 'verb', 'resource', 'subresource', 'namespace', 'name', 'username', 'credential_id', 'response_code', 'source_ips_json', 'user_agent'] as const;

/** What one audit row says, as one line. */
function describe(row: Readonly<Record<string, unknown>>): string {
  const resource = `${textOf(row.resource)}${textOf(row.subresource) === '' ? '' : `/${textOf(row.subresource)}`}`;
  const namespace = textOf(row.namespace);
  const object = textOf(row.name) === '' ? (namespace === '' ? '' : `in ${namespace}`) : `${namespace === '' ? '' : `${namespace}/`}${textOf(row.name)}`;
  const credential = textOf(row.credential_id);
  const code = textOf(row.response_code);
  return `${textOf(row.username) || '(no user)'}${credential === '' ? '' : ` [${credential}]`} ${textOf(row.verb)} ${resource}${object === '' ? '' : ` ${object}`}` +
    ` → ${code === '' ? '?' : code} from ${textOf(row.source_ips_json) || '?'} (${textOf(row.user_agent) || 'no user agent'})`;
}

/** Completed API requests of interest from the ingested audit log, one event each at its stage timestamp. */
export const auditSource: TimelineSource = {
  id: 'audit-events',
  reads: {
    events: { table: 'audit_events', columns: COLUMNS, where: `${INTERESTING} AND rowid <= COALESCE(${NTH(MAX_AUDIT_TIMELINE_EVENTS - 1)}, 9223372036854775807)` },
    beyond: { table: 'audit_events', columns: ['stage'], where: `rowid = ${NTH(MAX_AUDIT_TIMELINE_EVENTS)}` },
  },
  events(rows, gaps) {
    const out: TimelineEvent[] = [];
    let undated = 0;
    for (const row of rows.events ?? []) {
      const datetime = isoUtc(row.stage_timestamp);
      if (datetime === null) {
        undated += 1;
        continue;
      }
      out.push({ datetime, timestampDesc: 'API request completed (audit log)', message: boundMessage(`audit: ${describe(row)}`), source: { table: 'audit_events', rowid: row.rowid } });
    }
    if ((rows.events ?? []).length > 0) gaps.push('Audit log: only writes, exec/attach/port-forward, token requests, Secret reads and denials are on the timeline (not leases, events, or the nodes\' and kube-system controllers\' routine traffic unless made by a token the case captured or the attacker minted or created); kustody audit who reads every event.');
    if (undated > 0) gaps.push(`${undated} audit event(s) of interest carry no valid stage timestamp and are not on the timeline.`);
    if ((rows.beyond ?? []).length > 0) gaps.push(`More than ${MAX_AUDIT_TIMELINE_EVENTS} audit events of interest: only the first ${MAX_AUDIT_TIMELINE_EVENTS} ingested are on the timeline; kustody audit who reads them all.`);
    return out;
  },
};
