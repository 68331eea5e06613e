// Turns a case's evidence into the browser's six tabs: process tree, connections, mounts,
// credentials (claims and fingerprints only), Kubernetes objects and the custody log; pure, no I/O.
import { display, escapeUntrusted, trusted, type DisplayText } from '../display/index.js';
import { cell, detailValue, lazyTable, makeRow, type BrowserRow, type BrowserTable, type DetailLine } from './browser-table.js';
import type { EvidenceData } from './evidence-records.js';
import { processTree, treePrefix } from './process-tree.js';
import { claimLines, metadataLines } from './json-summary.js';

const line = (label: DisplayText, value: string | number | boolean | null | undefined): DetailLine => ({ label, value: detailValue(value) });

const endpoint = (addr: string | null, port: number | null): string => (addr === null ? '' : port === null ? addr : addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);

function processTable(data: EvidenceData): BrowserTable {
  // Few distinct tree guides exist; escape each once (they are kustody's own box-drawing characters).
  const guides = new Map<string, DisplayText>();
  const guide = (prefix: string): DisplayText => {
    let escaped = guides.get(prefix);
    if (escaped === undefined) guides.set(prefix, (escaped = escapeUntrusted(prefix)));
    return escaped;
  };
  const rows = (): BrowserRow[] => processTree(data.processes).map((entry) => {
    const p = entry.process;
    const exe = p.exe === null ? '' : p.exeDeleted && !p.exe.endsWith(' (deleted)') ? `${p.exe} (deleted)` : p.exe;
    return makeRow(() => [cell(p.pid), cell(p.ppid), cell(p.uid), display`${guide(treePrefix(entry))}${cell(p.comm)}`, cell(p.cmdline), cell(exe)], () => [
      line(trusted('target'), p.target), line(trusted('capture'), p.captureId), line(trusted('pid / ppid'), `${p.pid} / ${p.ppid ?? '-'}`),
      line(trusted('uid'), p.uid), line(trusted('comm'), p.comm), line(trusted('cmdline'), p.cmdline), line(trusted('exe'), exe),
      line(trusted('cwd'), p.cwd), line(trusted('state'), p.state), line(trusted('cap_eff'), p.capEff),
    ]);
  });
  return lazyTable({
    id: 'processes', title: trusted('Processes'), short: trusted('Procs'), empty: trusted('No processes were captured in this case.'),
    columns: [
      { title: trusted('PID'), width: 7, align: 'right' }, { title: trusted('PPID'), width: 7, align: 'right' },
      { title: trusted('UID'), width: 5, align: 'right' }, { title: trusted('PROCESS'), width: 18, grow: 1 },
      { title: trusted('COMMAND LINE'), width: 20, grow: 3 }, { title: trusted('EXE'), width: 12, grow: 1 },
    ],
  }, data.processes.length, rows);
}

function connectionTable(data: EvidenceData): BrowserTable {
  const rows = (): BrowserRow[] => data.connections.map((c) => {
    const local = endpoint(c.localAddr, c.localPort);
    const remote = endpoint(c.remoteAddr, c.remotePort);
    return makeRow(() => [cell(c.proto), cell(local), cell(remote), cell(c.state), cell(c.pid), cell(c.target)], () => [
      line(trusted('target'), c.target), line(trusted('proto'), c.proto), line(trusted('local'), local),
      line(trusted('remote'), remote), line(trusted('state'), c.state), line(trusted('pid'), c.pid),
    ]);
  });
  return lazyTable({
    id: 'connections', title: trusted('Connections'), short: trusted('Conns'), empty: trusted('No sockets were captured in this case.'),
    columns: [
      { title: trusted('PROTO'), width: 5 }, { title: trusted('LOCAL'), width: 21, grow: 1 }, { title: trusted('REMOTE'), width: 21, grow: 1 },
      { title: trusted('STATE'), width: 11 }, { title: trusted('PID'), width: 7, align: 'right' }, { title: trusted('TARGET'), width: 12, grow: 1 },
    ],
  }, data.connections.length, rows);
}

function mountTable(data: EvidenceData): BrowserTable {
  const rows = (): BrowserRow[] => data.mounts.map((m) => makeRow(() => [cell(m.mountPoint), cell(m.fsType), cell(m.source), cell(m.options), cell(m.flagged), cell(m.pid)], () => [
    line(trusted('target'), m.target), line(trusted('mount point'), m.mountPoint), line(trusted('type'), m.fsType),
    line(trusted('source'), m.source), line(trusted('options'), m.options), line(trusted('flagged'), m.flagged), line(trusted('pid'), m.pid),
  ]));
  return lazyTable({
    id: 'mounts', title: trusted('Mounts'), short: trusted('Mounts'), empty: trusted('No mounts were captured in this case.'),
    columns: [
      { title: trusted('MOUNT POINT'), width: 20, grow: 3 }, { title: trusted('TYPE'), width: 8 }, { title: trusted('SOURCE'), width: 10, grow: 1 },
      { title: trusted('OPTIONS'), width: 12, grow: 2 }, { title: trusted('FLAG'), width: 8, grow: 1 }, { title: trusted('PID'), width: 6, align: 'right' },
    ],
  }, data.mounts.length, rows);
}

function credentialTable(data: EvidenceData): BrowserTable {
  // Only the kind, where it was, whose it is, the keyed fingerprint, expiry and decoded claims: no value is ever stored.
  const rows = (): BrowserRow[] => data.credentials.map((c) => makeRow(() => [cell(c.kind), cell(c.subject), cell(c.fingerprint), cell(c.expiresAt), cell(c.location)], () => [
    line(trusted('target'), c.target), line(trusted('kind'), c.kind), line(trusted('location'), c.location), line(trusted('subject'), c.subject),
    line(trusted('fingerprint'), c.fingerprint), line(trusted('expires'), c.expiresAt), line(trusted('pid'), c.pid), ...claimLines(c.claimsJson),
  ]));
  return lazyTable({
    id: 'credentials', title: trusted('Credentials'), short: trusted('Creds'), empty: trusted('No credentials were found in this case.'),
    columns: [
      { title: trusted('KIND'), width: 14, grow: 1 }, { title: trusted('SUBJECT'), width: 16, grow: 2 }, { title: trusted('FINGERPRINT'), width: 20, grow: 1 },
      { title: trusted('EXPIRES'), width: 24 }, { title: trusted('LOCATION'), width: 12, grow: 2 },
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
    ], () => metaOf().map((m) => m.value));
  });
  return lazyTable({
    id: 'objects', title: trusted('Kubernetes objects'), short: trusted('Objects'), empty: trusted('No Kubernetes objects were captured in this case.'),
    columns: [
      { title: trusted('KIND'), width: 18 }, { title: trusted('NAMESPACE'), width: 12, grow: 1 }, { title: trusted('NAME'), width: 16, grow: 3 },
      { title: trusted('UID'), width: 12, grow: 1 }, { title: trusted('RV'), width: 8, align: 'right' },
    ],
  }, data.objects.length, rows);
}

function custodyTable(data: EvidenceData): BrowserTable {
  const rows = (): BrowserRow[] => data.custody.map((a) => makeRow(() => [cell(a.seq), cell(a.at), cell(a.kind), cell(a.target), cell(a.outcome), cell(a.actor)], () => [
    line(trusted('seq'), a.seq), line(trusted('at'), a.at), line(trusted('actor'), a.actor), line(trusted('kind'), a.kind),
    line(trusted('target'), a.target), line(trusted('outcome'), a.outcome), line(trusted('detail'), a.detail), line(trusted('hash'), a.hash),
  ]));
  return lazyTable({
    id: 'custody', title: trusted('Custody log'), short: trusted('Custody'), empty: trusted('The custody log is empty.'),
    columns: [
      { title: trusted('SEQ'), width: 5, align: 'right' }, { title: trusted('AT (UTC)'), width: 24 }, { title: trusted('KIND'), width: 9 },
      { title: trusted('TARGET'), width: 14, grow: 2 }, { title: trusted('OUTCOME'), width: 10 }, { title: trusted('ACTOR'), width: 10, grow: 1 },
    ],
  }, data.custody.length, rows);
}

/**
 * Builds the six browser tabs from a case's evidence, escaping every value once.
 *
 * @example evidenceTables(data).map((t) => t.title) // ['Processes', 'Connections', 'Mounts', 'Credentials', 'Kubernetes objects', 'Custody log']
 */
export function evidenceTables(data: EvidenceData): BrowserTable[] {
  return [processTable(data), connectionTable(data), mountTable(data), credentialTable(data), objectTable(data), custodyTable(data)];
}
