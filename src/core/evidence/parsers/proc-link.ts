import { latin1, toByteText, type ByteText } from './byte-text.js';
import { NAMESPACE_TYPES, type NamespaceType } from './ns-link.js';
import { describeBytes, WarningList, type ParseWarning } from './parse-warning.js';
import { parseDecimalBigInt } from './numbers.js';

/**
 * What a readlink of `exe`, `cwd`, `root` or `fd/N` names, judged from its text alone. The text cannot
 * tell a socket from a file literally named `socket:[1234]` (a lying collector can send either), so a
 * caller that can `stat` the link must pass its `st_mode` to `confirmLinkKind` before trusting `kind`.
 */
export type ProcLinkTarget =
  | { readonly kind: 'path'; readonly path: ByteText; readonly deleted: boolean; readonly memfd: boolean }
  | { readonly kind: 'socket'; readonly inode: bigint }
  | { readonly kind: 'pipe'; readonly inode: bigint }
  | { readonly kind: 'namespace'; readonly namespaceType: NamespaceType; readonly inode: bigint }
  | { readonly kind: 'anon_inode'; readonly name: string }
  | { readonly kind: 'other' };

/** A parsed readlink: the target, the exact link text, and any warnings. */
export type ProcLink = ProcLinkTarget & { readonly raw: ByteText; readonly warnings: ParseWarning[] };

const DELETED = ' (deleted)';
const INODE_LINK = /^([a-z_]+):\[([0-9]+)\]$/;
const ANON_INODE = /^anon_inode:(\[[\x21-\x7e]+\]|[\x21-\x7e]+)$/;

/**
 * Parses the text of a /proc readlink. A trailing ` (deleted)` sets `deleted` on paths, but a live file can
 * carry that name too, and `memfd` only means the path starts with `/memfd:`: both are hints to confirm.
 */
export function parseProcLink(bytes: Uint8Array): ProcLink {
  const warnings = new WarningList();
  const raw = toByteText(bytes);
  const done = (target: ProcLinkTarget): ProcLink => ({ ...target, raw, warnings: warnings.toArray() });
  if (bytes.length === 0) {
    warnings.add('EMPTY_INPUT', 'the link is empty');
    return done({ kind: 'other' });
  }
  if (bytes[0] === 0x2f) {
    const deleted = latin1(bytes, Math.max(0, bytes.length - DELETED.length)) === DELETED;
    const path = toByteText(bytes, 0, deleted ? bytes.length - DELETED.length : bytes.length);
    return done({ kind: 'path', path, deleted, memfd: latin1(bytes, 0, 7) === '/memfd:' });
  }
  const text = latin1(bytes, 0, Math.min(bytes.length, 64));
  const inodeLink = bytes.length <= 64 ? INODE_LINK.exec(text) : null;
  if (inodeLink !== null) {
    const [, type = '', digits = ''] = inodeLink;
    const inode = parseDecimalBigInt(digits);
    if (inode === null) {
      warnings.add('BAD_NUMBER', `inode out of range in ${describeBytes(bytes)}`);
      return done({ kind: 'other' });
    }
    if (type === 'socket' || type === 'pipe') return done({ kind: type, inode });
    const namespaceType = NAMESPACE_TYPES.find((known) => known === type);
    if (namespaceType !== undefined) return done({ kind: 'namespace', namespaceType, inode });
  }
  const anon = bytes.length <= 64 ? ANON_INODE.exec(text) : null;
  if (anon !== null) return done({ kind: 'anon_inode', name: anon[1] ?? '' });
  warnings.add('UNKNOWN_TYPE', `unrecognised link ${describeBytes(bytes)}`);
  return done({ kind: 'other' });
}

const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFIFO = 0o010000;

/**
 * Checks a parsed link against the `st_mode` of what it points to (from `stat`, which follows the
 * link): a `socket` must be S_IFSOCK and a `pipe` S_IFIFO, else the link is demoted to `other` with a warning.
 */
export function confirmLinkKind(link: ProcLink, stMode: number): ProcLink {
  const expected = link.kind === 'socket' ? S_IFSOCK : link.kind === 'pipe' ? S_IFIFO : null;
  if (expected === null || (stMode & S_IFMT) === expected) return link;
  const warning: ParseWarning = {
    code: 'LINK_KIND_MISMATCH',
    message: `link ${describeBytes(link.raw.bytes)} reads as a ${link.kind} but st_mode is 0${stMode.toString(8)}`,
  };
  return { kind: 'other', raw: link.raw, warnings: [...link.warnings, warning] };
}
