/**
 * Reads one file below a root the target controls, such as `/proc/<pid>/root` (ING-6). The kernel
 * would resolve an absolute symlink in there against kustody's own root, so the walk is done here,
 * one component at a time, holding a directory descriptor per level and looking each name up
 * through `/proc/self/fd/<dir>/<name>` (openat without openat): absolute link targets restart at
 * the root, relative ones at the current directory, `..` never climbs above the root, at most 40
 * links are followed. Only a regular file is opened, with O_NOFOLLOW|O_NONBLOCK, checked again by
 * fstat, and read up to a size cap; FIFOs, devices and sockets are never opened.
 */
import { Buffer } from 'node:buffer';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readlinkSync, type Stats } from 'node:fs';
import type { RawFile } from '../../core/capture/raw-capture.js';
import { codeOf } from './bounded-read.js';

/** Caps on one walk and read. */
export interface InRootLimits {
  maxBytes: number;
  maxLinks: number;
  maxComponents: number;
}

/** Defaults: 64 KiB per file, 40 symlinks (Linux's own limit), 4,096 path components walked. */
export const IN_ROOT_LIMITS: InRootLimits = { maxBytes: 64 * 1024, maxLinks: 40, maxComponents: 4096 };

/** A file read below a root: its bytes (or why not), and the path it resolved to inside the root when symlinks were followed. */
export interface InRootFile extends RawFile {
  resolved?: string;
}

const SLASH = 0x2f;
const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const FILE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/** Reads `path` as if `root` were `/`; `root` is a directory path (opened here) or a directory descriptor the caller keeps open. */
export function readFileInRoot(root: string | { fd: number }, path: string, limits: InRootLimits = IN_ROOT_LIMITS): InRootFile {
  let rootFd: number;
  try {
    rootFd = typeof root === 'string' ? openSync(root, constants.O_RDONLY | constants.O_DIRECTORY) : root.fd;
  } catch (error) {
    return failed(codeOf(error));
  }
  const dirs: number[] = [rootFd];
  const names: Buffer[] = [];
  try {
    return walk(dirs, names, Buffer.from(path, 'utf8'), limits);
  } finally {
    for (const fd of dirs.slice(1)) closeSync(fd);
    if (typeof root === 'string') closeSync(rootFd);
  }
}

function walk(dirs: number[], names: Buffer[], path: Buffer, limits: InRootLimits): InRootFile {
  let pending = split(path);
  let links = 0;
  let walked = 0;
  const resolved = () => `/${Buffer.concat(names.flatMap((n, i) => (i === 0 ? [n] : [Buffer.from('/'), n]))).toString('utf8')}`;
  for (;;) {
    const name = pending.shift();
    if (name === undefined) return failed('EISDIR');
    if (name.equals(DOT)) continue;
    if (name.equals(DOTDOT)) {
      // `..` of the root is the root, as in the kernel; the directory stack holds no symlinks, so popping is exact.
      if (dirs.length > 1) {
        closeSync(dirs.pop() as number);
        names.pop();
      }
      continue;
    }
    walked += 1;
    if (walked > limits.maxComponents) return failed('ENAMETOOLONG');
    const here = Buffer.concat([Buffer.from(`/proc/self/fd/${dirs[dirs.length - 1]}/`), name]);
    let stat: Stats;
    try {
      stat = lstatSync(here);
    } catch (error) {
      return failed(codeOf(error));
    }
    if (stat.isSymbolicLink()) {
      links += 1;
      if (links > limits.maxLinks) return failed('ELOOP');
      let target: Buffer;
      try {
        target = readlinkSync(here, { encoding: 'buffer' });
      } catch (error) {
        return failed(codeOf(error));
      }
      if (target[0] === SLASH) {
        // An absolute target means the target's root, never ours.
        while (dirs.length > 1) closeSync(dirs.pop() as number);
        names.length = 0;
      }
      pending = [...split(target), ...pending];
      continue;
    }
    const last = pending.every((p) => p.equals(DOT));
    if (!last) {
      if (!stat.isDirectory()) return failed('ENOTDIR');
      try {
        dirs.push(openSync(here, DIR_FLAGS));
      } catch (error) {
        // ELOOP here means the name became a symlink after lstat: a race, refused.
        return failed(codeOf(error));
      }
      names.push(name);
      continue;
    }
    names.push(name);
    const result = stat.isFile() ? readRegular(here, stat, limits.maxBytes) : failed(stat.isDirectory() ? 'EISDIR' : `not a regular file (${typeName(stat)})`);
    return links > 0 ? { ...result, resolved: resolved() } : result;
  }
}

function readRegular(path: Buffer, seen: Stats, maxBytes: number): RawFile {
  let fd: number;
  try {
    fd = openSync(path, FILE_FLAGS);
  } catch (error) {
    return failed(codeOf(error));
  }
  try {
    const stat = fstatSync(fd);
    // The name may have been swapped for another file (a FIFO, a device) between lstat and open.
    if (!stat.isFile() || stat.dev !== seen.dev || stat.ino !== seen.ino) return failed('changed while it was opened');
    const buffer = Buffer.allocUnsafe(maxBytes + 1);
    let total = 0;
    while (total < buffer.length) {
      const got = readSync(fd, buffer, total, buffer.length - total, null);
      if (got === 0) break;
      total += got;
    }
    const bytes = Buffer.from(buffer.subarray(0, Math.min(total, maxBytes)));
    return { bytes, truncated: total > maxBytes };
  } catch (error) {
    return failed(codeOf(error));
  } finally {
    closeSync(fd);
  }
}

function split(path: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i += 1) {
    if (i === path.length || path[i] === SLASH) {
      if (i > start) parts.push(path.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

function typeName(stat: Stats): string {
  if (stat.isFIFO()) return 'fifo';
  if (stat.isCharacterDevice()) return 'character device';
  if (stat.isBlockDevice()) return 'block device';
  if (stat.isSocket()) return 'socket';
  return 'unknown type';
}

function failed(error: string): InRootFile {
  return { bytes: new Uint8Array(0), truncated: false, error };
}
