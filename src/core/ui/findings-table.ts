// The Findings tab, the browser's first: what the finding rules derived, most urgent first, each
// linked to the evidence rows it rests on (Enter jumps there); pure, no I/O.
import { display, escapeUntrusted, trusted, type DisplayText } from '../display/index.js';
import { frameworkEntry, type Finding } from '../findings/index.js';
import { cell, lazyTable, makeRow, type BrowserRow, type BrowserTable, type EvidenceRef, type RowLink } from './browser-table.js';
import { custodySummary } from './custody-summary.js';
import { endpoint } from './evidence-links.js';
import type { EvidenceData } from './evidence-records.js';
import { line, linkSummary, type TableContext } from './process-table.js';
import { isoWithRelative } from './time-text.js';

const LABEL_BYTES = 512;
const esc = (text: string): DisplayText => escapeUntrusted(text, { maxBytes: LABEL_BYTES });

/** Says what an evidence row is, from the rows the browser holds: `process 20 nc`, `custody row 15: …`. */
export function refDescriber(data: EvidenceData): (ref: EvidenceRef) => DisplayText {
  const by = <T extends { rowid?: number }>(rows: readonly T[] | undefined): Map<number, T> => new Map((rows ?? []).flatMap((r) => (r.rowid === undefined ? [] : [[r.rowid, r] as const])));
  let maps: ReturnType<typeof build> | null = null;
  const build = () => ({
    processes: by(data.processes), connections: by(data.connections), mounts: by(data.mounts), credentials: by(data.credentials),
    warnings: by(data.warnings), objects: by(data.objects), custody: new Map(data.custody.map((a) => [a.seq, a])),
  });
  return (ref) => {
    maps ??= build();
    const id = ref.rowid;
    const p = ref.table === 'processes' ? maps.processes.get(id) : undefined;
    if (p !== undefined) return display`process ${p.pid} ${esc(p.comm ?? '?')} (${esc(p.exe ?? 'no exe')})`;
    const c = ref.table === 'connections' ? maps.connections.get(id) : undefined;
    if (c !== undefined) return display`connection ${esc(c.proto)} ${esc(endpoint(c.localAddr, c.localPort))} → ${esc(endpoint(c.remoteAddr, c.remotePort))} ${esc(c.state ?? '')}`;
    const m = ref.table === 'mounts' ? maps.mounts.get(id) : undefined;
    if (m !== undefined) return display`mount ${esc(m.mountPoint)} (${esc(m.fsType ?? '?')})`;
    const k = ref.table === 'credentials' ? maps.credentials.get(id) : undefined;
    if (k !== undefined) return display`credential ${esc(k.kind)} ${esc(k.subject ?? '')}`;
    const w = ref.table === 'capture_warnings' ? maps.warnings.get(id) : undefined;
    if (w !== undefined) return display`warning ${esc(w.code)}: ${esc(w.message)}`;
    const o = ref.table === 'k8s_objects' ? maps.objects.get(id) : undefined;
    if (o !== undefined) return display`object ${esc(o.kind)} ${esc(o.namespace ?? '')}/${esc(o.name)}`;
    const a = ref.table === 'actions' ? maps.custody.get(id) : undefined;
    if (a !== undefined) return display`custody row ${a.seq}: ${esc(custodySummary(a))}`;
    return display`${esc(ref.table)} row ${id} (not shown in the browser; query it with sqlite3)`;
  };
}

const SEVERITY_TEXT: Readonly<Record<Finding['severity'], string>> = { critical: 'CRITICAL', high: 'HIGH', medium: 'medium', low: 'low', info: 'info' };

function mappingName(framework: string, id: string): string {
  const entry = frameworkEntry(`${framework}:${id}`);
  return entry === undefined ? '' : ` ${entry.name}`;
}

function findingDetail(f: Finding, links: readonly RowLink[], ctx: TableContext) {
  return [
    line(trusted('severity'), SEVERITY_TEXT[f.severity]), line(trusted('title'), f.title), line(trusted('detail'), f.detail),
    line(trusted('rule'), f.rule), line(trusted('observed'), f.at === undefined ? null : isoWithRelative(f.at, ctx.now)),
    ...f.mappings.map((m) => line(display`${escapeUntrusted(m.framework)}`, `${m.id}${mappingName(m.framework, m.id)}`)),
    linkSummary(links),
    ...links.map((l, i) => ({ label: display`evidence ${i + 1}`, value: l.label })),
    ...(f.evidenceOmitted === undefined || f.evidenceOmitted === 0 ? [] : [line(trusted('evidence'), `${f.evidenceOmitted} more rows not listed`)]),
    line(trusted('id'), f.id),
  ];
}

/** The Findings tab over the case's findings; when they could not be derived its empty text says why. */
export function findingsTable(data: EvidenceData, ctx: TableContext): BrowserTable {
  const findings = data.findings ?? [];
  const describe = refDescriber(data);
  const rows = (): BrowserRow[] => findings.map((f) => {
    let links: RowLink[] | null = null;
    const linksOf = (): RowLink[] => (links ??= f.evidence.map((ref) => ({ label: describe(ref), ref })));
    return makeRow(() => [cell(SEVERITY_TEXT[f.severity]), cell(f.title), cell(f.evidence.length + (f.evidenceOmitted ?? 0)), cell(f.rule)],
      () => findingDetail(f, linksOf(), ctx), () => [esc(f.detail)], { links: linksOf });
  });
  const empty = data.findingsError !== undefined
    ? display`No findings shown: ${escapeUntrusted(data.findingsError, { maxBytes: 1024 })}.`
    : trusted('No findings: no rule matched this case (the other tabs hold everything captured).');
  return lazyTable({
    id: 'findings', title: trusted('Findings'), short: trusted('Finds'), empty,
    columns: [
      { title: trusted('SEVERITY'), width: 8 }, { title: trusted('FINDING'), width: 30, grow: 3 },
      { title: trusted('ROWS'), width: 4, align: 'right' }, { title: trusted('RULE'), width: 12, grow: 1 },
    ],
  }, findings.length, rows);
}
