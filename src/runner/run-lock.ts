/**
 * One playbook runner per case at a time (REC-4): a lock file in the case folder holding the runner's
 * pid, created exclusively. A lock left by a process that no longer exists (kill -9, a crash) is taken
 * over, which is what makes `--resume` after a crash work without manual cleanup.
 */
import { closeSync, constants, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KustodyError } from '../core/errors.js';

/** The lock file's name inside a case folder. */
export const RUN_LOCK_FILE = 'playbook-run.lock';

/** Takes the case's run lock and returns the function that releases it; throws CASE_LOCKED when a live process holds it. */
export function acquireRunLock(caseDir: string): () => void {
  const path = join(caseDir, RUN_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new KustodyError('CASE_LOCKED', `Another kustody run (pid ${holder}) is running a playbook in this case.`, { nextStep: 'Wait for it to finish, or stop it (Ctrl-C) and continue with --resume.' });
      }
      // The holder is gone: a crashed or killed run. Its intent log says where it stopped.
      rmSync(path, { force: true });
    }
  }
  throw new KustodyError('CASE_LOCKED', 'Could not take the case\'s run lock.', { nextStep: `Remove ${path} if no kustody run is active.` });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
