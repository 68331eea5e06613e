import type { InetSocket } from './net-inet.js';
import type { UnixSocket } from './net-unix.js';
import type { ParseWarning } from './parse-warning.js';
import type { ProcLinkTarget } from './proc-link.js';

/** One process's open descriptors, as parsed from its `fd/N` links (confirmed by `st_mode` where possible). */
export interface ProcessFds {
  readonly pid: number;
  /** With the PID, tells apart two processes that reused one PID during the capture (ING-5). */
  readonly startTimeTicks: bigint | null;
  readonly fds: ReadonlyArray<{ readonly fd: number; readonly link: ProcLinkTarget }>;
}

/** A process descriptor that holds a socket. */
export interface SocketHolder {
  readonly pid: number;
  readonly startTimeTicks: bigint | null;
  readonly fd: number;
}

/** A socket from a /proc/net table with every descriptor that holds it; none for TIME_WAIT or sockets held outside the target. */
export interface JoinedSocket<S> {
  readonly socket: S;
  readonly holders: readonly SocketHolder[];
}

/** Sockets joined to their processes, plus the socket descriptors no table accounts for. */
export interface SocketJoin {
  readonly inet: ReadonlyArray<JoinedSocket<InetSocket>>;
  readonly unix: ReadonlyArray<JoinedSocket<UnixSocket>>;
  /** Socket descriptors whose inode is in no table given: netlink, packet or raw sockets, or another network namespace. */
  readonly unmatchedFds: ReadonlyArray<SocketHolder & { readonly inode: bigint }>;
  readonly warnings: ParseWarning[];
}

/** Joins sockets to the processes holding them by inode (`fd/N -> socket:[inode]` against the tables' inode column). */
export function joinSocketsToProcesses(input: {
  readonly processes: readonly ProcessFds[];
  readonly inet: readonly InetSocket[];
  readonly unix: readonly UnixSocket[];
}): SocketJoin {
  const warnings: ParseWarning[] = [];
  const holdersByInode = new Map<bigint, SocketHolder[]>();
  for (const process of input.processes) {
    for (const { fd, link } of process.fds) {
      if (link.kind !== 'socket') continue;
      const holder = { pid: process.pid, startTimeTicks: process.startTimeTicks, fd };
      const holders = holdersByInode.get(link.inode);
      if (holders === undefined) holdersByInode.set(link.inode, [holder]);
      else holders.push(holder);
    }
  }
  const tableInodes = new Set<bigint>();
  const join = <S extends { readonly inode: bigint; readonly line: number }>(socket: S, table: string): JoinedSocket<S> => {
    if (socket.inode === 0n) return { socket, holders: [] };
    if (tableInodes.has(socket.inode)) {
      warnings.push({ code: 'DUPLICATE_INODE', message: `socket inode ${socket.inode} appears more than once (${table} line ${socket.line})` });
    }
    tableInodes.add(socket.inode);
    return { socket, holders: holdersByInode.get(socket.inode) ?? [] };
  };
  const inet = input.inet.map((socket) => join(socket, socket.proto));
  const unix = input.unix.map((socket) => join(socket, 'unix'));
  const unmatchedFds = [...holdersByInode]
    .filter(([inode]) => !tableInodes.has(inode))
    .flatMap(([inode, holders]) => holders.map((holder) => ({ ...holder, inode })));
  return { inet, unix, unmatchedFds, warnings };
}
