/** Joins the network tables of each namespace to the target's socket descriptors and makes `connections` rows. */
import { joinSocketsToProcesses, parseNetInet, parseNetUnix, type InetSocket, type ProcLink, type UnixSocket } from '../evidence/parsers/index.js';
import type { CaptureWarning, ConnectionRow } from './capture-rows.js';
import type { RawNetNamespace } from './raw-capture.js';

/** A process as the join needs it. */
export interface ProcessSockets {
  pid: number;
  startTime: bigint | null;
  netNs: string | null;
  fdLinks: { fd: number; link: ProcLink }[];
}

/** Builds one row per (socket, holding descriptor), plus unheld sockets of namespaces only the target uses. */
export function buildConnectionRows(namespaces: readonly RawNetNamespace[], processes: readonly ProcessSockets[]): { rows: ConnectionRow[]; warnings: CaptureWarning[] } {
  const rows: ConnectionRow[] = [];
  const warnings: CaptureWarning[] = [];
  for (const ns of namespaces) {
    const inet: InetSocket[] = [];
    let unix: readonly UnixSocket[] = [];
    for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
      const file = ns.tables[proto];
      if (file === undefined) continue;
      if (file.error !== undefined) {
        warnings.push({ pid: ns.viaPid, code: 'READ_FAILED', message: `net/${proto}: ${file.error}` });
        continue;
      }
      const parsed = parseNetInet(file.bytes, proto);
      inet.push(...parsed.sockets);
      for (const w of parsed.warnings) warnings.push({ pid: ns.viaPid, code: w.code, message: `net/${proto}: ${w.message}` });
    }
    const unixFile = ns.tables.unix;
    if (unixFile !== undefined && unixFile.error === undefined) {
      const parsed = parseNetUnix(unixFile.bytes);
      unix = parsed.sockets;
      for (const w of parsed.warnings) warnings.push({ pid: ns.viaPid, code: w.code, message: `net/unix: ${w.message}` });
    }
    const members = processes.filter((p) => p.netNs === ns.netnsInode);
    const joined = joinSocketsToProcesses({
      processes: members.map((p) => ({ pid: p.pid, startTimeTicks: p.startTime, fds: p.fdLinks })),
      inet,
      unix,
    });
    for (const w of joined.warnings) warnings.push({ pid: null, code: w.code, message: w.message });
    for (const { socket, holders } of joined.inet) {
      const base = { proto: socket.proto, local_addr: socket.localAddress, local_port: socket.localPort, remote_addr: socket.remoteAddress, remote_port: socket.remotePort, state: socket.state, inode: socket.inode, net_ns: ns.netnsInode, uid: socket.uid };
      if (holders.length === 0 && ns.exclusive) rows.push({ ...base, pid: null, fd: null });
      for (const holder of holders) rows.push({ ...base, pid: holder.pid, fd: holder.fd });
    }
    for (const { socket, holders } of joined.unix) {
      const base = { proto: 'unix' as const, local_addr: socket.path?.text ?? null, local_port: null, remote_addr: null, remote_port: null, state: socket.state, inode: socket.inode, net_ns: ns.netnsInode, uid: null };
      if (holders.length === 0 && ns.exclusive) rows.push({ ...base, pid: null, fd: null });
      for (const holder of holders) rows.push({ ...base, pid: holder.pid, fd: holder.fd });
    }
  }
  return { rows, warnings };
}
