/**
 * Opens the files a user names (bundles, cases, playbooks, keys) without ever blocking on them: the
 * open is non-blocking (a FIFO with no writer would otherwise wait forever), does not follow a final
 * symlink, and anything that is not a regular file (FIFO, device, socket, folder) is refused at once,
 * saying what it is, as bad input (exit 2).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { UnreadableInputError } from '../../core/errors.js';

/** What the file is for, for messages: "bundle", "playbook", "signing key"... and what to pass instead. */
export interface InputRole {
  what: string;
  nextStep: string;
}

/** Names a file's type the way a user would: "a FIFO (named pipe)", "a character device"... */
export function describeFileType(stat: Stats): string {
  if (stat.isFile()) return 'a regular file';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** Opens `path` read-only as a regular file, or throws UnreadableInputError (exit 2) at once. Returns the fd and its stat. */
export function openRegularFile(path: string, role: InputRole): { fd: number; stat: Stats } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw notOpenable(path, role, error);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw notRegular(path, role, stat);
  }
  return { fd, stat };
}

/** Checks, without opening it, that `path` is a regular file before a library (SQLite) opens it by name. */
export function assertRegularFilePath(path: string, role: InputRole): void {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch (error) {
    throw notOpenable(path, role, error);
  }
  if (!stat.isFile()) throw notRegular(path, role, stat);
}

/** Reads a whole regular file of at most `maxBytes`, refusing anything else at once. */
export function readRegularFile(path: string, maxBytes: number, role: InputRole): Buffer {
  const { fd, stat } = openRegularFile(path, role);
  try {
    if (stat.size > maxBytes) throw new UnreadableInputError('INPUT_TOO_LARGE', `${basename(path)} (${role.what}) is ${stat.size} bytes; at most ${maxBytes} are accepted.`, role.nextStep);
    const bytes = Buffer.alloc(stat.size);
    let done = 0;
    while (done < stat.size) {
      const got = readSync(fd, bytes, done, stat.size - done, done);
      if (got === 0) break;
      done += got;
    }
    return bytes.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

function notRegular(path: string, role: InputRole, stat: Stats): UnreadableInputError {
  return new UnreadableInputError('INPUT_NOT_REGULAR_FILE', `${path} is ${describeFileType(stat)}, not a ${role.what} file: kustody reads only regular files.`, role.nextStep);
}

function notOpenable(path: string, role: InputRole, error: unknown): UnreadableInputError {
  let stat: Stats | undefined;
  try {
    stat = lstatSync(path);
  } catch {
    stat = undefined;
  }
  // A socket cannot be opened (ENXIO), and O_NOFOLLOW refuses a link (ELOOP): name what it is.
  if (stat !== undefined && !stat.isFile()) return notRegular(path, role, stat);
  const code = (error as { code?: string }).code ?? 'unknown error';
  return new UnreadableInputError('INPUT_UNREADABLE', `${path} (${role.what}) cannot be opened (${code}).`, role.nextStep, error);
}

/** A --token-file: one Kubernetes token (a JWT), far below this size. */
export const TOKEN_FILE_ROLE: InputRole = { what: 'token', nextStep: 'Pass a regular file holding the token (a JWT), e.g. written by `kubectl create token`.' };
/** The largest --token-file read. */
export const MAX_TOKEN_FILE_BYTES = 64 * 1024;
/** The largest PEM key file read (an Ed25519 key is a few hundred bytes). */
export const MAX_KEY_FILE_BYTES = 64 * 1024;
