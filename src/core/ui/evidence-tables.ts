// Turns a case's evidence into the browser's tabs: findings first, then the process tree, connections (with their process),
// mounts, credentials (claims and fingerprints only), Kubernetes objects, the custody log and the
// capture warnings; every time ISO with how long ago; pure, no I/O.
import { display, escapeUntrusted, trusted } from '../display/index.js';
import { cell, lazyTable, makeRow, type BrowserRow, type BrowserTable, type DetailLine } from './browser-table.js';
import { custodyTable, warningTable } from './case-log-tables.js';
import { endpoint, evidenceLinks } from './evidence-links.js';
import { findingsTable } from './findings-table.js';
import type { EvidenceData } from './evidence-records.js';
import { claimLines, metadataLines } from './json-summary.js';
import { line, linkSummary, processTable, type TableContext } from './process-table.js';
import { isoWithRelative } from './time-text.js';

function connectionTable(data: EvidenceData, ctx: TableContext): BrowserTable {
  const rows = (): BrowserRow[] => data.connections.map((c) => {
    const local = endpoint(c.localAddr, c.localPort);
    const remote = endpoint(c.remoteAddr, c.remotePort);
    const process = ctx.links.processName(c.target, c.captureId, c.pid);
    const links = () => ctx.links.toProcess(c.target, c.captureId, c.pid);
    return makeRow(() => [cell(c.proto), cell(local), cell(remote), cell(c.state), cell(c.pid), cell(process), cell(c.target)], () => [
      line(trusted('target'), c.target), line(trusted('proto'), c.proto), line(trusted('local'), local),
      line(trusted('remote'), remote), line(trusted('state'), c.state), line(trusted('pid'), c.pid),
      line(trusted('process'), process ?? (c.pid === null ? 'no owning process found' : 'not among the captured processes')), linkSummary(links()),
    ], undefined, { ref: c.rowid === undefined ? undefined : { table: 'connections', rowid: c.rowid }, links });
  });
  return lazyTable({
    id: 'connections', source: 'connections', title: trusted('Connections'), short: trusted('Conns'), empty: trusted('No sockets were captured in this case.'),
    columns: [
      { title: trusted('PROTO'), width: 5 }, { title: trusted('LOCAL'), width: 21, grow: 1 }, { title: trusted('REMOTE'), width: 21, grow: 1 },
      { title: trusted('STATE'), width: 11 }, { title: trusted('PID'), width: 7, align: 'right' }, { title: trusted('PROCESS'), width: 10, grow: 1 },
      { title: trusted('TARGET'), width: 8, grow: 1 },
    ],
  }, data.connections.length, rows);
}

function mountTable(data: EvidenceData, ctx: TableContext): BrowserTable {
  const rows = (): BrowserRow[] => data.mounts.map((m) => makeRow(() => [cell(m.mountPoint), cell(m.fsType), cell(m.source), cell(m.options), cell(m.flagged), cell(m.pid)], () => [
    line(trusted('target'), m.target), line(trusted('mount point'), m.mountPoint), line(trusted('type'), m.fsType),
    line(trusted('source'), m.source), line(trusted('options'), m.options), line(trusted('flagged'), m.flagged), line(trusted('pid'), m.pid),
    line(trusted('mount namespace'), m.mntNs),
  ], undefined, { ref: m.rowid === undefined ? undefined : { table: 'mounts', rowid: m.rowid }, links: () => ctx.links.toProcess(m.target, m.captureId, m.pid) }));
  return lazyTable({
    id: 'mounts', source: 'mounts', title: trusted('Mounts'), short: trusted('Mounts'), empty: trusted('No mounts were captured in this case.'),
    columns: [
      { title: trusted('MOUNT POINT'), width: 20, grow: 3 }, { title: trusted('TYPE'), width: 8 }, { title: trusted('SOURCE'), width: 10, grow: 1 },
      { title: trusted('OPTIONS'), width: 12, grow: 2 }, { title: trusted('FLAG'), width: 8, grow: 1 }, { title: trusted('PID'), width: 6, align: 'right' },
    ],
  }, data.mounts.length, rows);
}

function credentialTable(data: EvidenceData, ctx: TableContext): BrowserTable {
  // Only the kind, where it was, whose it is, the keyed fingerprint, expiry and decoded claims: no value is ever stored.
  const rows = (): BrowserRow[] => data.credentials.map((c) => {
    const expires = c.expiresAt === null ? null : isoWithRelative(c.expiresAt, ctx.now);
    const links = () => ctx.links.toProcess(c.target, c.captureId, c.pid);
    return makeRow(() => [cell(c.kind), cell(c.subject), cell(c.fingerprint), cell(expires), cell(c.location)], () => [
      line(trusted('target'), c.target), line(trusted('kind'), c.kind), line(trusted('location'), c.location), line(trusted('subject'), c.subject),
      line(trusted('fingerprint'), c.fingerprint), line(trusted('expires'), expires), line(trusted('pid'), c.pid ?? 'none (found outside a process: pod-wide)'),
      ...claimLines(c.claimsJson, ctx.now),
    ], undefined, { ref: c.rowid === undefined ? undefined : { table: 'credentials', rowid: c.rowid }, links });
  });
  return lazyTable({
    id: 'credentials', source: 'credentials', title: trusted('Credentials'), short: trusted('Creds'), empty: trusted('No credentials were found in this case.'),
    columns: [
      { title: trusted('KIND'), width: 14, grow: 1 }, { title: trusted('SUBJECT'), width: 16, grow: 2 }, { title: trusted('FINGERPRINT'), width: 20, grow: 1 },
      { title: trusted('EXPIRES'), width: 24, grow: 1 }, { title: trusted('LOCATION'), width: 12, grow: 2 },
    ],
  }, data.credentials.length, rows);
}

function objectTable(data: EvidenceData): BrowserTable {
  const rows = (): BrowserRow[] => data.objects.map((o) => {
    let meta: DetailLine[] | null = null;
    const metaOf = (): DetailLine[] => (meta ??= metadataLines(o.json));
    return makeRow(() => [cell(o.kind), cell(o.namespace), cell(o.name), cell(o.uid), cell(o.resourceVersion)], () => [
      line(trusted('target'), o.target), line(trusted('kind'), o.kind), line(trusted('namespace'), o.namespace), line(trusted('name'), o.name),
      line(trusted('uid'), o.uid), line(trusted('resourceVersion'), o.resourceVersion), ...metaOf(),
    ], () => metaOf().map((m) => m.value), { ref: o.rowid === undefined ? undefined : { table: 'k8s_objects', rowid: o.rowid } });
  });
  return lazyTable({
    id: 'objects', source: 'k8s_objects', title: trusted('Kubernetes objects'), short: trusted('Objs'), empty: trusted('No Kubernetes objects were captured in this case.'),
    columns: [
      { title: trusted('KIND'), width: 18 }, { title: trusted('NAMESPACE'), width: 12, grow: 1 }, { title: trusted('NAME'), width: 16, grow: 3 },
      { title: trusted('UID'), width: 12, grow: 1 }, { title: trusted('RV'), width: 8, align: 'right' },
    ],
  }, data.objects.length, rows);
}

/** What the tabs need besides the evidence: the clock relative times are measured from (ms since the epoch). */
export interface TableOptions {
  readonly now: number;
}

/**
 * Builds the evidence tabs from a case, escaping every value once; relative times are from `now`.
 *
 * @example evidenceTables(data, {now: Date.now()}).map((t) => t.title) // ['Findings', 'Processes', 'Connections', 'Mounts', 'Credentials', 'Kubernetes objects', 'Custody log', 'Warnings']
 */
export function evidenceTables(data: EvidenceData, options: TableOptions): BrowserTable[] {
  const ctx: TableContext = { now: options.now, links: evidenceLinks(data) };
  return [findingsTable(data, ctx), processTable(data, ctx), connectionTable(data, ctx), mountTable(data, ctx), credentialTable(data, ctx), objectTable(data), custodyTable(data, ctx), warningTable(data, ctx)];
}
