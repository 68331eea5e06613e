/**
 * Cutting the connections that survive isolation (NetworkPolicy leaves established flows alone on
 * kube-router and other CNIs): which sockets to destroy, the node pod that destroys them, and the
 * verdict from what was read before and after. Pure: rows in, plans and verdicts out.
 */
import { isIP } from 'node:net';
import type { ConnectionRow, ProcessRow } from '../capture/capture-rows.js';

/**
 * TCP states in which a socket can still send or receive data: each is cut, not only ESTABLISHED.
 * SYN_SENT is left out: after isolation it is a new attempt (a redial) that the policy drops, and it
 * cannot carry data until a handshake the policy refuses.
 */
export const CUT_STATES: readonly string[] = ['ESTABLISHED', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING'];

/** The rule, as shown to the responder. */
export const CUT_RULE = `every TCP socket of the pod's network namespace in state ${CUT_STATES.join(', ')} and every connected UDP socket, whose peer is not loopback (connections inside the pod are left alone), and every conntrack flow of the pod's addresses on the node (an unconnected UDP socket's replies ride on those); listening sockets, new attempts (SYN_SENT, which the policy drops) and processes are untouched`;

/** One connection to cut (or that survived), with the processes holding it. */
export interface LiveConnection {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  local_addr: string;
  local_port: number;
  remote_addr: string;
  remote_port: number;
  state: string;
  inode: string;
  pids: number[];
}

/** A process of the pod's network namespace, by pid and start time (clock ticks after boot). */
export interface ProcessMark {
  pid: number;
  start_time: string | null;
  comm: string | null;
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address.startsWith('::ffff:127.') || address === '::1';
}

/** The connections the rule selects, one per socket, with every holding pid. */
export function connectionsToCut(rows: readonly ConnectionRow[]): LiveConnection[] {
  const bySocket = new Map<string, LiveConnection>();
  for (const row of rows) {
    if (row.proto === 'unix') continue;
    // A UDP socket has a peer only once connect() gave it one (state ESTABLISHED in the kernel's table).
    const live = row.proto === 'udp' || row.proto === 'udp6' ? row.state === 'ESTABLISHED' : CUT_STATES.includes(row.state);
    if (!live || row.local_addr === null || row.remote_addr === null || row.local_port === null || row.remote_port === null) continue;
    if (isIP(row.local_addr) === 0 || isIP(row.remote_addr) === 0 || isLoopback(row.remote_addr)) continue;
    const key = `${row.proto} ${row.local_addr} ${row.local_port} ${row.remote_addr} ${row.remote_port}`;
    const found = bySocket.get(key) ?? { proto: row.proto as LiveConnection['proto'], local_addr: row.local_addr, local_port: row.local_port, remote_addr: row.remote_addr, remote_port: row.remote_port, state: row.state, inode: String(row.inode), pids: [] };
    if (row.pid !== null && !found.pids.includes(row.pid)) found.pids.push(row.pid);
    bySocket.set(key, found);
  }
  return [...bySocket.values()];
}

/** The pid and start time of each process, to prove afterwards that none was killed or replaced. */
export function processMarks(rows: readonly ProcessRow[]): ProcessMark[] {
  return rows.map((r) => ({ pid: r.pid, start_time: r.start_time === null ? null : String(r.start_time), comm: r.comm }));
}

/** The cut script's arguments for these connections (every value validated: addresses by isIP, ports as integers). */
export function cutArguments(containerId: string, netns: string, connections: readonly LiveConnection[]): string[] {
  if (!/^[0-9a-f]{64}$/.test(containerId)) throw new Error('invalid container id');
  if (!/^net:\[[0-9]{1,20}\]$/.test(netns)) throw new Error('invalid network namespace');
  const args = ['cut', containerId, netns];
  for (const c of connections) {
    const port = (p: number) => {
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error('invalid port');
      return String(p);
    };
    const family = isIP(c.local_addr) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(c.local_addr) === 0 || isIP(c.remote_addr) !== isIP(c.local_addr)) throw new Error('invalid address');
    args.push(c.proto.startsWith('udp') ? 'udp' : 'tcp', family, c.local_addr, port(c.local_port), c.remote_addr, port(c.remote_port));
  }
  return args;
}

/** The cut script's arguments that delete every conntrack flow of the pod's own addresses on the node. */
export function podFlowArguments(containerId: string, netns: string, podIps: readonly string[]): string[] {
  const args = cutArguments(containerId, netns, []);
  for (const ip of podIps) {
    if (isIP(ip) === 0 || isLoopback(ip)) throw new Error('invalid pod address');
    args.push('ip', isIP(ip) === 6 ? 'ipv6' : 'ipv4', ip);
  }
  return args;
}

/** One action of the cut script: `ss` (sockets destroyed), `conntrack-<node|pod>-<out|in>` (one connection's flows deleted) or `conntrack-ip-<src|reply>` (every flow of a pod address; index -1 once recorded). */
export interface CutAction {
  index: number;
  what: string;
  exit_code: number;
  count: number;
}

/** Reads the cut script's `R` lines; anything else is a note. `complete` once its end marker came. */
export function parseCutOutput(text: string): { actions: CutAction[]; complete: boolean; notes: string[] } {
  const actions: CutAction[] = [];
  const notes: string[] = [];
  let complete = false;
  for (const line of text.split('\n').slice(0, 10_000)) {
    if (line === '') continue;
    if (line === 'E') {
      complete = true;
      continue;
    }
    const m = /^R ([0-9]{1,5}) (ss|conntrack-(?:node|pod)-(?:out|in)|conntrack-ip-(?:src|reply)) ([0-9]{1,3}) ([0-9]{1,9})$/.exec(line);
    if (m === null) {
      if (notes.length < 20) notes.push(line.slice(0, 200));
      continue;
    }
    actions.push({ index: Number(m[1]), what: m[2] ?? '', exit_code: Number(m[3]), count: Number(m[4]) });
  }
  return { actions, complete, notes };
}

/** What the cut achieved, from the reads before and after it. */
export interface CutVerdict {
  outcome: 'cut' | 'incomplete' | 'nothing-to-cut';
  cut: LiveConnection[];
  remaining: LiveConnection[];
  /**
   * UDP sockets connected after the cut (a redial): UDP has no handshake, so connect() alone makes
   * the socket look established; with the pod's flows deleted the policy sees its packets as new
   * and drops them. Listed, not counted as a survivor.
   */
  redialed_udp: LiveConnection[];
  /** Same pid and start time before and after. */
  running: ProcessMark[];
  /** Gone after the cut: kustody sent no signal, so they exited on their own (a holder often exits when its socket dies). */
  exited: ProcessMark[];
  conntrack_deleted: number;
}

/** Compares the reads before and after the cut. */
export function judgeCut(before: { connections: LiveConnection[]; processes: ProcessMark[] }, after: { connections: LiveConnection[]; processes: ProcessMark[] }, actions: readonly CutAction[]): CutVerdict {
  const now = new Map(after.processes.map((p) => [p.pid, p.start_time]));
  const running = before.processes.filter((p) => now.has(p.pid) && now.get(p.pid) === p.start_time);
  const exited = before.processes.filter((p) => !(now.has(p.pid) && now.get(p.pid) === p.start_time));
  const conntrackDeleted = actions.filter((a) => a.what.startsWith('conntrack-')).reduce((sum, a) => sum + a.count, 0);
  const seen = new Set(before.connections.map((c) => c.inode));
  const redialed = after.connections.filter((c) => c.proto.startsWith('udp') && !seen.has(c.inode));
  const remaining = after.connections.filter((c) => !redialed.includes(c));
  const outcome = remaining.length > 0 ? 'incomplete' : before.connections.length === 0 && conntrackDeleted === 0 ? 'nothing-to-cut' : 'cut';
  return { outcome, cut: before.connections, remaining, redialed_udp: redialed, running, exited, conntrack_deleted: conntrackDeleted };
}
