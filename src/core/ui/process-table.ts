// The Processes tab: the process tree, and in the detail pane everything a reviewer checks first
// (exe hash, start time, capabilities, seccomp, the stored, already redacted environment) and
// where the process leads (parent, children, sockets, mounts, credentials); pure, no I/O.
import { isJsonObject, parseBoundedJson } from '../credentials/bounded-json.js';
import { display, escapeUntrusted, trusted, type DisplayText } from '../display/index.js';
import { cell, detailValue, lazyTable, makeRow, type BrowserRow, type BrowserTable, type DetailLine, type RowLink } from './browser-table.js';
import type { EvidenceLinks } from './evidence-links.js';
import type { EvidenceData, ProcessRecord } from './evidence-records.js';
import { processTree, treePrefix } from './process-tree.js';
import { spanText } from './time-text.js';

/** What every table builder is given beside the evidence: the clock for relative times, and the link index. */
export interface TableContext {
  readonly now: number;
  readonly links: EvidenceLinks;
}

const ENV_LINES = 200;
/** Linux's USER_HZ: the unit of /proc/PID/stat's start time on every mainstream architecture. */
const USER_HZ = 100;

/** A detail line from kustody's label and a hostile value. */
export const line = (label: DisplayText, value: string | number | boolean | null | undefined): DetailLine => ({ label, value: detailValue(value) });

/** The executable as shown: with ` (deleted)` when the kernel said so. */
export function exeText(p: ProcessRecord): string {
  return p.exe === null ? '' : p.exeDeleted && !p.exe.endsWith(' (deleted)') ? `${p.exe} (deleted)` : p.exe;
}

/** Says when a process started, from clock ticks after boot (the case records no boot time to make it a date). */
export function startTimeText(ticks: string | null | undefined): string | null {
  if (ticks === null || ticks === undefined) return null;
  if (!/^\d{1,20}$/.test(ticks)) return ticks;
  const seconds = Number(ticks) / USER_HZ;
  return `${ticks} ticks after boot (${spanText(seconds * 1000)} after boot at ${USER_HZ} ticks/s; the case records no boot time, so no date)`;
}

const SECCOMP: Readonly<Record<number, string>> = { 0: 'disabled (no seccomp filter)', 1: 'strict', 2: 'filter' };

/** The stored environment, one line per variable; values are as capture kept them (secrets already fingerprints). */
export function environmentLines(envJson: string | null | undefined): DetailLine[] {
  if (envJson === null || envJson === undefined) return [line(trusted('environment'), 'not captured')];
  const parsed = parseBoundedJson(envJson, { maxChars: 4 * 1024 * 1024, maxDepth: 8 });
  if (!parsed.ok || !Array.isArray(parsed.value)) return [line(trusted('environment'), `not shown: ${parsed.ok ? 'not a list' : parsed.reason}`)];
  const out: DetailLine[] = [];
  for (const entry of parsed.value.slice(0, ENV_LINES)) {
    if (!Array.isArray(entry) || isJsonObject(entry)) continue;
    const [name, value] = entry as unknown[];
    out.push(line(trusted('env'), `${String(name)}=${value === null ? '(unreadable)' : String(value)}`));
  }
  if (parsed.value.length > ENV_LINES) out.push(line(trusted('environment'), `${parsed.value.length - ENV_LINES} more variables (query processes.env_json with sqlite3)`));
  return out.length === 0 ? [line(trusted('environment'), 'empty')] : out;
}

/** One detail line counting a row's links by kind, with the key that lists them. */
export function linkSummary(links: readonly RowLink[]): DetailLine {
  if (links.length === 0) return line(trusted('links'), 'none');
  const counts = new Map<string, number>();
  for (const l of links) {
    const word = /^[a-z_]+/.exec(l.label)?.[0] ?? l.ref.table;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return { label: trusted('links'), value: display`${escapeUntrusted([...counts].map(([w, n]) => `${n} ${n === 1 ? w : w === 'child' ? 'children' : `${w}s`}`).join(', '))}  (Enter lists them, b goes back)` };
}

/** The Processes tab. */
export function processTable(data: EvidenceData, ctx: TableContext): BrowserTable {
  // Few distinct tree guides exist; escape each once (they are kustody's own box-drawing characters).
  const guides = new Map<string, DisplayText>();
  const guide = (prefix: string): DisplayText => {
    let escaped = guides.get(prefix);
    if (escaped === undefined) guides.set(prefix, (escaped = escapeUntrusted(prefix)));
    return escaped;
  };
  const rows = (): BrowserRow[] => processTree(data.processes).map((entry) => {
    const p = entry.process;
    const exe = exeText(p);
    let links: RowLink[] | null = null;
    const linksOf = (): RowLink[] => (links ??= ctx.links.processLinks(p));
    return makeRow(() => [cell(p.pid), cell(p.ppid), cell(p.uid), display`${guide(treePrefix(entry))}${cell(p.comm)}`, cell(p.cmdline), cell(exe)], () => [
      line(trusted('target'), p.target), line(trusted('capture'), p.captureId), line(trusted('pid / ppid'), `${p.pid} / ${p.ppid ?? '-'}`),
      line(trusted('uid'), p.uid), line(trusted('comm'), p.comm), line(trusted('cmdline'), p.cmdline), line(trusted('exe'), exe),
      line(trusted('exe_sha256'), p.exeSha256 ?? 'not hashed'), line(trusted('start_time'), startTimeText(p.startTime)),
      line(trusted('cwd'), p.cwd), line(trusted('state'), p.state), line(trusted('cap_eff'), p.capEff),
      line(trusted('seccomp'), p.seccomp === null || p.seccomp === undefined ? null : (SECCOMP[p.seccomp] ?? String(p.seccomp))),
      linkSummary(linksOf()), ...environmentLines(p.envJson),
    ], undefined, { ref: p.rowid === undefined ? undefined : { table: 'processes', rowid: p.rowid }, links: linksOf });
  });
  return lazyTable({
    id: 'processes', source: 'processes', title: trusted('Processes'), short: trusted('Procs'), empty: trusted('No processes were captured in this case.'),
    columns: [
      { title: trusted('PID'), width: 7, align: 'right' }, { title: trusted('PPID'), width: 7, align: 'right' },
      { title: trusted('UID'), width: 5, align: 'right' }, { title: trusted('PROCESS'), width: 18, grow: 1 },
      { title: trusted('COMMAND LINE'), width: 20, grow: 3 }, { title: trusted('EXE'), width: 12, grow: 1 },
    ],
  }, data.processes.length, rows);
}
