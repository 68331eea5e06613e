// Orders captured processes as a tree (parents before children, siblings by pid) and gives each its
// depth; hostile pid/ppid values (self-parent, cycles, missing parents) cannot loop or drop a row.
import type { ProcessRecord } from './evidence-records.js';

/** A process in tree order, with its depth below its capture's roots and whether it is the last sibling. */
export interface TreeEntry {
  readonly process: ProcessRecord;
  readonly depth: number;
  /** For each ancestor level (outermost first) and this one: true when that node is the last of its siblings. */
  readonly lastAtLevel: readonly boolean[];
}

const byPid = (a: ProcessRecord, b: ProcessRecord): number => a.pid - b.pid;

/**
 * Returns the processes in depth-first tree order, one tree set per (target, capture).
 *
 * @example processTree([{pid: 1, ppid: 0}, {pid: 7, ppid: 1}]) // depths 0, 1
 */
export function processTree(processes: readonly ProcessRecord[]): TreeEntry[] {
  const groups = new Map<string, ProcessRecord[]>();
  for (const p of processes) {
    const key = `${p.target}\u0000${p.captureId}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [p]);
    else list.push(p);
  }
  const out: TreeEntry[] = [];
  for (const group of groups.values()) out.push(...groupTree(group));
  return out;
}

function groupTree(group: readonly ProcessRecord[]): TreeEntry[] {
  const pids = new Set(group.map((p) => p.pid));
  const children = new Map<number, ProcessRecord[]>();
  const roots: ProcessRecord[] = [];
  for (const p of group) {
    if (p.ppid === null || p.ppid === p.pid || !pids.has(p.ppid)) roots.push(p);
    else {
      const list = children.get(p.ppid);
      if (list === undefined) children.set(p.ppid, [p]);
      else list.push(p);
    }
  }
  for (const list of children.values()) list.sort(byPid);
  roots.sort(byPid);
  const out: TreeEntry[] = [];
  const seen = new Set<ProcessRecord>();
  // An explicit stack: a hostile capture can nest thousands deep.
  const stack: { process: ProcessRecord; lastAtLevel: boolean[] }[] = [];
  const pushAll = (list: readonly ProcessRecord[], parentLevels: readonly boolean[]): void => {
    for (let i = list.length - 1; i >= 0; i--) {
      const process = list[i];
      if (process !== undefined) stack.push({ process, lastAtLevel: [...parentLevels, i === list.length - 1] });
    }
  };
  const walk = (start: readonly ProcessRecord[]): void => {
    pushAll(start, []);
    while (stack.length > 0) {
      const item = stack.pop();
      if (item === undefined || seen.has(item.process)) continue;
      seen.add(item.process);
      out.push({ process: item.process, depth: item.lastAtLevel.length - 1, lastAtLevel: item.lastAtLevel });
      pushAll((children.get(item.process.pid) ?? []).filter((c) => !seen.has(c)), item.lastAtLevel);
    }
  };
  walk(roots);
  // Members of a ppid cycle have no root; show each remaining one as a root of its own.
  for (const p of [...group].sort(byPid)) if (!seen.has(p)) walk([p]);
  return out;
}

/**
 * Draws the tree guide for an entry: `├─ `, `└─ ` and `│  ` columns (kustody's own characters).
 *
 * @example treePrefix({depth: 2, lastAtLevel: [true, false, true]}) // '│  └─ '
 */
export function treePrefix(entry: Pick<TreeEntry, 'depth' | 'lastAtLevel'>): string {
  if (entry.depth === 0) return '';
  let prefix = '';
  for (let level = 1; level < entry.depth; level++) prefix += entry.lastAtLevel[level] === true ? '   ' : '│  ';
  prefix += entry.lastAtLevel[entry.depth] === true ? '└─ ' : '├─ ';
  return prefix;
}
