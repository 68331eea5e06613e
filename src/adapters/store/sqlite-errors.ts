/** Turns SQLite and file-system failures on a case into errors that tell the responder what to do. */
import { accessSync, constants, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { KustodyError, UnreadableInputError } from '../../core/errors.js';

interface CodedError {
  code?: unknown;
  message?: unknown;
}

/** Maps an error thrown while using a case database to a KustodyError; KustodyErrors pass through. */
export function translateSqliteError(error: unknown, path: string): KustodyError {
  if (error instanceof KustodyError) return error;
  const code = typeof (error as CodedError)?.code === 'string' ? String((error as CodedError).code) : '';
  const storageFailure = code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || (storageFailure && diskLooksFull(path))) {
    return new KustodyError('DISK_FULL', `The disk holding ${path} is full; nothing was written.`, {
      nextStep: 'Free space on that disk (or move the case directory to a larger one) and run the command again.',
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EROFS' || code === 'EPERM' || (storageFailure && !folderWritable(path))) {
    return new KustodyError('CASE_READ_ONLY', `${path} cannot be written (read-only file, folder or file system).`, {
      nextStep: 'Make the case directory writable for your user, or copy it somewhere writable; `kustody case show` still reads it.',
      cause: error,
    });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new KustodyError('CASE_LOCKED', `Another kustody process is writing ${path}.`, {
      nextStep: 'Wait for it to finish (or stop it), then run the command again.',
      cause: error,
    });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new UnreadableInputError('CASE_CORRUPT', `${path} is damaged or is not a kustody case database.`, 'Keep the file as it is for examination and open a new case.', error);
  }
  if (code === 'ENOENT') {
    return new UnreadableInputError('CASE_NOT_FOUND', `There is no case at ${path}.`, 'Pass the case directory that `kustody case new` printed.', error);
  }
  if (code === 'ELOOP') {
    return new UnreadableInputError('NOT_A_CASE', `${path} is a symbolic link; kustody does not follow links to evidence.`, 'Pass the real path of the case.', error);
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') {
    return new KustodyError('CASE_IO', `Reading or writing ${path} failed at the disk; the last change was not saved.`, {
      nextStep: 'Check the disk (dmesg), then run the command again.',
      cause: error,
    });
  }
  return new KustodyError('CASE_STORAGE', `The case at ${path} could not be used: ${code || 'unknown error'}.`, {
    nextStep: 'Rerun with --debug for the details.',
    cause: error,
  });
}

/** Whether the file system holding `path` has (almost) no space left, which SQLite often reports as a plain I/O error. */
function diskLooksFull(path: string): boolean {
  try {
    const stats = statfsSync(dirname(path));
    return stats.bavail * stats.bsize < 256 * 1024;
  } catch {
    return false;
  }
}

/** Whether the folder holding `path` accepts new files (SQLite needs it for -wal and -shm). */
function folderWritable(path: string): boolean {
  try {
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
