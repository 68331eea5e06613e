/**
 * Judges entry names as data. A name from the target is never joined to a local path; these checks
 * only tell the caller which names it must not trust as keys or show without care.
 */
import { isUtf8 } from 'node:buffer';
import type { NameProblem } from './tar-stream-types.js';

/** The verdict on one name: a problem (or null) and the key it collides on with equivalent spellings. */
export interface NameVerdict {
  problem: NameProblem | null;
  collisionKey: string;
}

/** Says why a name would be unsafe as a path or a key, and computes the key that equivalent names share. */
export function judgeName(bytes: Buffer): NameVerdict {
  const utf8 = isUtf8(bytes);
  const name = bytes.toString(utf8 ? 'utf8' : 'latin1');
  const unsafe = unsafeReason(bytes, name, utf8);
  let problem: NameProblem | null = null;
  if (unsafe !== null) problem = { code: 'PATH_UNSAFE', reason: unsafe };
  else if (!utf8) problem = { code: 'NAME_NOT_UTF8', reason: 'the name is not valid UTF-8' };
  return { problem, collisionKey: collisionKey(name, utf8) };
}

function unsafeReason(bytes: Buffer, name: string, utf8: boolean): string | null {
  if (bytes.length === 0) return 'the name is empty';
  if (bytes.includes(0)) return 'the name holds a NUL byte';
  if (name.startsWith('/')) return 'the name is absolute';
  if (/^[A-Za-z]:/.test(name)) return 'the name starts with a Windows drive letter';
  if (name.includes('\\')) return 'the name holds a backslash, a separator on Windows';
  if (name.split('/').includes('..')) return 'the name has a `..` segment';
  // Control characters are legal in POSIX names, never in a /proc capture, and a terminal hazard.
  // C1 is only checked in UTF-8 names: in other bytes 0x80-0x9f are not characters at all.
  if (/[\u0000-\u001f\u007f]/.test(name) || (utf8 && /[\u0080-\u009f]/.test(name))) return 'the name holds a control character';
  return null;
}

function collisionKey(name: string, utf8: boolean): string {
  const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
  const joined = segments.join('/');
  return utf8 ? joined.normalize('NFC').toLowerCase() : joined;
}

/** Finds, for each name key, the index of the first earlier entry with the same key (or null). */
export function findDuplicates(keys: readonly string[]): (number | null)[] {
  const first = new Map<string, number>();
  return keys.map((key, index) => {
    const earlier = first.get(key);
    if (earlier !== undefined) return earlier;
    first.set(key, index);
    return null;
  });
}

/** For each key, the index of a symlink entry that is a proper parent of it (or null): such a name reaches through a link. */
export function findLinkParents(keys: readonly string[], isSymlink: readonly boolean[]): (number | null)[] {
  const links = new Map<string, number>();
  keys.forEach((key, index) => {
    if (isSymlink[index] === true && !links.has(key)) links.set(key, index);
  });
  if (links.size === 0) return keys.map(() => null);
  return keys.map((key) => {
    for (let slash = key.indexOf('/'); slash !== -1; slash = key.indexOf('/', slash + 1)) {
      const link = links.get(key.slice(0, slash));
      if (link !== undefined) return link;
    }
    return null;
  });
}
