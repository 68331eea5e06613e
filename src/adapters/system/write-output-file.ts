/** Writes a command's output file (-o) whole or not at all: a private temporary file beside it, fsynced, then renamed over it. */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UnreadableInputError } from '../../core/errors.js';

/** Writes every chunk to `path` (mode 0600), replacing it atomically; a symbolic link at `path` is replaced, never followed. */
export function writeOutputFile(path: string, chunks: Iterable<string>): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown';
    throw new UnreadableInputError('OUTPUT_UNWRITABLE', `Cannot write in the folder of ${basename(path)} (${code}).`, 'Pass -o a path in a folder you can write to.', error);
  }
  try {
    let pending = '';
    for (const chunk of chunks) {
      pending += chunk;
      if (pending.length >= 1 << 16) {
        writeSync(fd, pending);
        pending = '';
      }
    }
    if (pending !== '') writeSync(fd, pending);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temp, { force: true });
    throw error;
  }
}
