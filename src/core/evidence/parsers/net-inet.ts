import { latin1 } from './byte-text.js';
import { addressBytesFromProcHex, formatAddress, type ByteOrder } from './inet-address.js';
import { splitTable } from './lines.js';
import { describeBytes, WarningList, type ParseWarning } from './parse-warning.js';
import { parseDecimalBigInt, parseDecimalNumber, parseHexNumber, U32_MAX } from './numbers.js';

/** Which /proc/net table a socket came from. */
export type InetProto = 'tcp' | 'tcp6' | 'udp' | 'udp6';

/** Kernel TCP state names by code (1–12); UDP uses 1 for a connected socket and 7 for an unconnected one. */
export const TCP_STATES: Readonly<Record<number, string>> = {
  1: 'ESTABLISHED', 2: 'SYN_SENT', 3: 'SYN_RECV', 4: 'FIN_WAIT1', 5: 'FIN_WAIT2', 6: 'TIME_WAIT',
  7: 'CLOSE', 8: 'CLOSE_WAIT', 9: 'LAST_ACK', 10: 'LISTEN', 11: 'CLOSING', 12: 'NEW_SYN_RECV',
};

/** One socket from /proc/net/{tcp,tcp6,udp,udp6}. */
export interface InetSocket {
  readonly proto: InetProto;
  readonly line: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The state name (`LISTEN`, `ESTABLISHED`, …; unconnected UDP is `UNCONN`, as `ss` shows it), or `UNKNOWN`. */
  readonly state: string;
  readonly stateCode: number;
  readonly transmitQueue: number;
  readonly receiveQueue: number;
  readonly uid: number;
  /** The socket inode, joined to processes through `fd/N -> socket:[inode]`; 0 for TIME_WAIT and similar. */
  readonly inode: bigint;
}

/** The sockets of one table, and whether the line cap cut it short. */
export interface ProcNetInet {
  readonly sockets: readonly InetSocket[];
  readonly truncated: boolean;
  readonly warnings: ParseWarning[];
}

/** Options for reading a /proc/net socket table. */
export interface NetTableOptions {
  /** Data lines read; the rest are counted in a warning. */
  readonly maxLines?: number;
  /** Byte order of the host that wrote the table; little-endian unless it was, say, s390x. */
  readonly byteOrder?: ByteOrder;
}

/** Default cap on socket lines read from one table. */
export const DEFAULT_NET_MAX_LINES = 200_000;

/** Parses /proc/net/tcp, tcp6, udp or udp6; each malformed line is skipped with a warning. */
export function parseNetInet(bytes: Uint8Array, proto: InetProto, options: NetTableOptions = {}): ProcNetInet {
  const warnings = new WarningList();
  const maxLines = options.maxLines ?? DEFAULT_NET_MAX_LINES;
  const { data, hasHeader, droppedLines: dropped } = splitTable(bytes, maxLines, (start) => /^\s*sl\s/.test(start));
  if (!hasHeader && bytes.length > 0) warnings.add('MISSING_HEADER', `${proto} table does not start with its "sl" header`, 1);
  if (dropped > 0) warnings.add('LINE_LIMIT', `${proto} table has ${dropped} lines past the limit of ${maxLines}; they were not read`);
  const addressDigits = proto.endsWith('6') ? 32 : 8;
  const byteOrder = options.byteOrder ?? 'little';
  const sockets: InetSocket[] = [];
  const seen = new Map<bigint, number>();
  // Tables repeat a few addresses many times; format each distinct one once.
  const addresses = new Map<string, string | null>();
  for (const span of data) {
    if (span.end === span.start) continue;
    const fields = latin1(bytes, span.start, span.end).trim().split(/[ \t]+/);
    const reject = (code: 'MALFORMED_LINE' | 'BAD_NUMBER', why: string): void =>
      warnings.add(code, `${why}: ${describeBytes(bytes.subarray(span.start, span.end))}`, span.number);
    const [slot = '', local = '', remote = '', state = '', queues = '', , , uidText = '', , inodeText = ''] = fields;
    if (fields.length < 10 || !/^[0-9]+:$/.test(slot)) {
      reject('MALFORMED_LINE', 'expected at least 10 fields after a "N:" slot');
      continue;
    }
    const localEnd = endpoint(local, addressDigits, byteOrder, addresses);
    const remoteEnd = endpoint(remote, addressDigits, byteOrder, addresses);
    const stateCode = state.length === 2 ? parseHexNumber(state, 2) : null;
    const [txText = '', rxText = '', ...extra] = queues.split(':');
    const transmitQueue = txText.length === 8 && extra.length === 0 ? parseHexNumber(txText, 8) : null;
    const receiveQueue = rxText.length === 8 ? parseHexNumber(rxText, 8) : null;
    if (localEnd === null || remoteEnd === null || stateCode === null || transmitQueue === null || receiveQueue === null) {
      reject('BAD_NUMBER', `bad hex in address, port, state or queues (expected ${addressDigits}-digit addresses)`);
      continue;
    }
    const uid = parseDecimalNumber(uidText, 0, U32_MAX);
    const inode = parseDecimalBigInt(inodeText);
    if (uid === null || inode === null) {
      reject('BAD_NUMBER', 'bad uid or inode');
      continue;
    }
    const known = proto.startsWith('udp') && stateCode === 7 ? 'UNCONN' : TCP_STATES[stateCode];
    if (known === undefined) warnings.add('UNKNOWN_STATE', `unknown ${proto} state 0x${state}`, span.number);
    if (inode !== 0n) {
      const previous = seen.get(inode);
      if (previous !== undefined) warnings.add('DUPLICATE_INODE', `inode ${inode} also on line ${previous}`, span.number);
      else seen.set(inode, span.number);
    }
    sockets.push({
      proto, line: span.number,
      localAddress: localEnd.address, localPort: localEnd.port,
      remoteAddress: remoteEnd.address, remotePort: remoteEnd.port,
      state: known ?? 'UNKNOWN', stateCode, transmitQueue, receiveQueue, uid, inode,
    });
  }
  return { sockets, truncated: dropped > 0, warnings: warnings.toArray() };
}

function endpoint(text: string, addressDigits: number, byteOrder: ByteOrder, cache: Map<string, string | null>): { address: string; port: number } | null {
  const colon = text.indexOf(':');
  const hex = text.slice(0, colon);
  const port = text.length === colon + 5 ? parseHexNumber(text.slice(colon + 1), 4) : null;
  if (colon !== addressDigits || port === null) return null;
  let address = cache.get(hex);
  if (address === undefined) {
    const bytes = addressBytesFromProcHex(hex, byteOrder);
    address = bytes === null ? null : formatAddress(bytes);
    if (cache.size < 4096) cache.set(hex, address);
  }
  return address === null ? null : { address, port };
}
