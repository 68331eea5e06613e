import { latin1 } from './byte-text.js';
import { describeBytes, type ParseWarning } from './parse-warning.js';
import { parseDecimalBigInt } from './numbers.js';

/** Namespace kinds as the kernel names them in `/proc/<pid>/ns/*` links (`pid_for_children` reads `pid:[…]`). */
export const NAMESPACE_TYPES = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'] as const;

/** One of the kernel's namespace kinds. */
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];

/** A parsed `ns/*` readlink such as `net:[4026531840]`; two processes share a namespace when type and inode match. */
export interface NamespaceLink {
  readonly namespace: { readonly type: NamespaceType; readonly inode: bigint } | null;
  readonly warnings: ParseWarning[];
}

const NS_LINK = /^([a-z_]+):\[([0-9]{1,20})\]$/;

/** Parses a `/proc/<pid>/ns/<type>` readlink into its type and inode. */
export function parseNamespaceLink(bytes: Uint8Array): NamespaceLink {
  const match = bytes.length <= 64 ? NS_LINK.exec(latin1(bytes)) : null;
  const inode = match === null ? null : parseDecimalBigInt(match[2] ?? '');
  const type = NAMESPACE_TYPES.find((known) => known === match?.[1]);
  if (match === null || inode === null) {
    return { namespace: null, warnings: [{ code: 'MALFORMED_LINE', message: `not a namespace link: ${describeBytes(bytes)}` }] };
  }
  if (type === undefined) {
    return { namespace: null, warnings: [{ code: 'UNKNOWN_TYPE', message: `unknown namespace type in ${describeBytes(bytes)}` }] };
  }
  return { namespace: { type, inode }, warnings: [] };
}
