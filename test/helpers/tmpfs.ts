/** Mounts a tiny private tmpfs for storage-fault tests (full disk, read-only file system). Needs root. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether this process may mount file systems (root); the tests that need it say so when it may not. */
export const CAN_MOUNT = process.getuid?.() === 0;

/** A mounted tmpfs of `sizeKiB`, with helpers to flip it read-only and to unmount it. */
export function mountTinyTmpfs(sizeKiB: number): { dir: string; remount: (mode: 'ro' | 'rw') => void; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kustody-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'kustody-test', dir]);
  return {
    dir,
    remount: (mode) => execFileSync('mount', ['-o', `remount,${mode}`, dir]),
    cleanup: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
