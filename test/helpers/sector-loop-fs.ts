/** Mounts a small ext4 on a loop device with 4 KiB logical sectors, where O_DIRECT refuses 512-byte writes. Needs root. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The mounted file system's folder and how to take it down again. */
export function mountFourKSectorFs(sizeMiB: number): { dir: string; cleanup: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'kustody-4k-'));
  const image = join(base, 'fs.img');
  const dir = join(base, 'mnt');
  mkdirSync(dir);
  execFileSync('truncate', ['-s', `${sizeMiB}M`, image]);
  const device = execFileSync('losetup', ['--find', '--show', '--sector-size', '4096', image], { encoding: 'utf8' }).trim();
  const detach = () => {
    execFileSync('losetup', ['-d', device]);
    rmSync(base, { recursive: true, force: true });
  };
  try {
    execFileSync('mkfs.ext4', ['-q', device]);
    execFileSync('mount', [device, dir]);
  } catch (error) {
    detach();
    throw error;
  }
  return {
    dir,
    cleanup: () => {
      execFileSync('umount', [dir]);
      detach();
    },
  };
}
