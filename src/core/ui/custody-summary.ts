// One line saying what a custody row did (a note's text, a change's target and outcome, a capture
// step's rows, the connections that survived isolation), read from its JSON detail; pure. The text is
// hostile (notes, targets and object names come from people and the workload): callers escape it.
import { isJsonObject, parseBoundedJson } from '../credentials/bounded-json.js';
import type { CustodyRecord } from './evidence-records.js';

/** A summary is cut at this many characters (the detail pane shows the whole row). */
export const SUMMARY_CHARS = 400;

type JsonObject = Record<string, unknown>;

const LIMITS = { maxChars: 4 * 1024 * 1024, maxDepth: 64 } as const;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null);

function cut(text: string): string {
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS)}…` : text;
}

/** A connection as the isolation check records it: `tcp 10.0.0.1:40040 → 10.0.0.2:8080 (pid 20)`. */
export function connectionText(c: JsonObject): string {
  const end = (addr: unknown, port: unknown): string => `${str(addr) ?? '?'}:${str(port) ?? '?'}`;
  const pid = str(c.pid);
  return `${str(c.proto) ?? '?'} ${end(c.local_addr, c.local_port)} → ${end(c.remote_addr, c.remote_port)}${pid === null ? '' : ` (pid ${pid})`}`;
}

/** The connections an isolation check found still open, from a custody row's detail (empty for any other row). */
export function survivingConnections(record: CustodyRecord): string[] {
  if (record.outcome !== 'isolation-incomplete') return [];
  const parsed = parseBoundedJson(record.detail, LIMITS);
  if (!parsed.ok || !isJsonObject(parsed.value) || !Array.isArray(parsed.value.established)) return ['(the row\'s detail could not be read)'];
  return parsed.value.established.filter(isJsonObject).map(connectionText);
}

function rowCounts(rows: unknown): string {
  if (!isJsonObject(rows)) return '';
  const parts = Object.entries(rows).filter(([, n]) => typeof n === 'number').map(([table, n]) => `${String(n)} ${table}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function summaryOfDetail(record: CustodyRecord, detail: JsonObject): string {
  if (record.kind === 'note') return str(detail.text) ?? '(no text)';
  if (record.outcome === 'isolation-incomplete') {
    const survivors = survivingConnections(record);
    return `ISOLATION INCOMPLETE: ${survivors.length} connection(s) survived the policy: ${survivors.join('; ')}`;
  }
  if (detail.step === 'isolation-check') return record.outcome === 'isolated' ? 'isolation check: no connection survived' : `isolation check: ${record.outcome}${typeof detail.error === 'string' ? ` (${detail.error})` : ''}`;
  if (record.kind === 'case-open') return `case opened: ${str(detail.title) ?? ''}`;
  if (record.kind === 'plan') {
    const changes = Array.isArray(detail.changes) ? `${detail.changes.length} change(s)` : '';
    return `plan ${str(detail.plan) ?? ''}: ${record.outcome}${changes === '' ? '' : `, ${changes}`} for ${record.target}`;
  }
  if (typeof detail.change_id === 'string' || typeof detail.title === 'string') {
    const error = str(detail.error);
    return `${record.outcome}: ${str(detail.title) ?? record.kind} → ${record.target}${error === null ? '' : ` (${error})`}`;
  }
  if (typeof detail.step === 'string') return `${detail.step}: ${record.outcome}${rowCounts(detail.rows)}`;
  return `${record.kind} ${record.outcome}: ${record.target}`;
}

/**
 * Summarises a custody row in one line: what a person needs before opening its JSON detail.
 *
 * @example custodySummary({kind: 'note', detail: '{"text":"called the owner"}', …}) // 'called the owner'
 */
export function custodySummary(record: CustodyRecord): string {
  const parsed = parseBoundedJson(record.detail, LIMITS);
  if (!parsed.ok || !isJsonObject(parsed.value)) return cut(`${record.kind} ${record.outcome}: ${record.target}`);
  return cut(summaryOfDetail(record, parsed.value).replace(/\s+/g, ' '));
}
