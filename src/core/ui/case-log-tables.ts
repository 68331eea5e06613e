// The record-keeping tabs: the custody log (each action's one-line summary beside its outcome) and
// the capture warnings (what could not be read, linked to its process); plus the plain alert for an
// isolation that left connections open; pure, no I/O.
import { isJsonObject, parseBoundedJson } from '../credentials/bounded-json.js';
import { display, escapeUntrusted, trusted, type DisplayText } from '../display/index.js';
import { cell, lazyTable, makeRow, type BrowserRow, type BrowserTable, type RowLink } from './browser-table.js';
import { custodySummary, survivingConnections } from './custody-summary.js';
import type { CustodyRecord, EvidenceData } from './evidence-records.js';
import { line, linkSummary, type TableContext } from './process-table.js';
import { isoWithRelative } from './time-text.js';

function survivorPids(record: CustodyRecord): number[] {
  if (record.outcome !== 'isolation-incomplete') return [];
  const parsed = parseBoundedJson(record.detail, { maxChars: 4 * 1024 * 1024, maxDepth: 64 });
  if (!parsed.ok || !isJsonObject(parsed.value) || !Array.isArray(parsed.value.established)) return [];
  const pids = parsed.value.established.filter(isJsonObject).map((c) => c.pid).filter((pid): pid is number => typeof pid === 'number');
  return [...new Set(pids)];
}

/** The Custody log tab: every action, its summary first; an incomplete isolation links to the processes whose sockets survived. */
export function custodyTable(data: EvidenceData, ctx: TableContext): BrowserTable {
  const rows = (): BrowserRow[] => data.custody.map((a) => {
    const summary = custodySummary(a);
    const survivors = survivingConnections(a);
    const links = (): RowLink[] => survivorPids(a).flatMap((pid) => ctx.links.toLatestProcess(a.target, pid));
    return makeRow(() => [cell(a.seq), cell(a.at), cell(a.kind), cell(a.outcome), cell(summary)], () => [
      line(trusted('summary'), summary), line(trusted('seq'), a.seq), line(trusted('at'), isoWithRelative(a.at, ctx.now)), line(trusted('actor'), a.actor),
      line(trusted('kind'), a.kind), line(trusted('target'), a.target), line(trusted('outcome'), a.outcome),
      ...survivors.map((s, i) => line(display`survivor ${i + 1}`, s)), ...(survivors.length === 0 ? [] : [linkSummary(links())]),
      line(trusted('detail'), a.detail), line(trusted('hash'), a.hash),
    ], undefined, { ref: { table: 'actions', rowid: a.seq }, links });
  });
  return lazyTable({
    id: 'custody', source: 'actions', title: trusted('Custody log'), short: trusted('Log'), empty: trusted('The custody log is empty.'),
    columns: [
      { title: trusted('SEQ'), width: 5, align: 'right' }, { title: trusted('AT (UTC)'), width: 24 }, { title: trusted('KIND'), width: 9 },
      { title: trusted('OUTCOME'), width: 12 }, { title: trusted('SUMMARY'), width: 20, grow: 1 },
    ],
  }, data.custody.length, rows);
}

/** The Warnings tab: what each capture could not read or parse, and the process it concerns. */
export function warningTable(data: EvidenceData, ctx: TableContext): BrowserTable {
  const warnings = data.warnings ?? [];
  const rows = (): BrowserRow[] => warnings.map((w) => {
    const links = () => ctx.links.toProcess(w.target, w.captureId, w.pid);
    const process = ctx.links.processName(w.target, w.captureId, w.pid);
    return makeRow(() => [cell(w.code), cell(w.step), cell(w.pid), cell(w.message)], () => [
      line(trusted('code'), w.code), line(trusted('message'), w.message), line(trusted('step'), w.step), line(trusted('pid'), w.pid),
      line(trusted('process'), process), line(trusted('target'), w.target), line(trusted('capture'), w.captureId), linkSummary(links()),
    ], undefined, { ref: { table: 'capture_warnings', rowid: w.rowid }, links });
  });
  return lazyTable({
    id: 'warnings', source: 'capture_warnings', title: trusted('Warnings'), short: trusted('Warn'), empty: trusted('No capture warnings: every capture step read what it tried to read.'),
    columns: [
      { title: trusted('CODE'), width: 16 }, { title: trusted('STEP'), width: 14 }, { title: trusted('PID'), width: 7, align: 'right' },
      { title: trusted('MESSAGE'), width: 20, grow: 1 },
    ],
  }, warnings.length, rows);
}

/**
 * The alert shown above the tabs when a pod's latest isolation check found connections still open,
 * or null: `ISOLATION INCOMPLETE (custody row 15): 1 connection(s) survived the policy: tcp … (pid 20)`.
 */
export function isolationAlert(data: EvidenceData): DisplayText | null {
  const latest = new Map<string, CustodyRecord>();
  for (const a of data.custody) if (a.outcome === 'isolation-incomplete' || a.outcome === 'isolated') latest.set(a.target, a);
  const open = [...latest.values()].filter((a) => a.outcome === 'isolation-incomplete');
  const first = open[0];
  if (first === undefined) return null;
  const survivors = survivingConnections(first);
  const more = open.length > 1 ? display` (and ${open.length - 1} more pod(s): see the Custody log)` : trusted('');
  return display`ISOLATION INCOMPLETE for ${escapeUntrusted(first.target, { maxColumns: 80 })} (custody row ${first.seq}): ${survivors.length} connection(s) survived the policy: ${escapeUntrusted(survivors.join('; '), { maxBytes: 2048 })}${more}`;
}
