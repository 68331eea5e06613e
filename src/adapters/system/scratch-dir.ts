/**
 * Where a private work copy of evidence goes (verify's copy of evidence.db, export's rebuilt
 * snapshot). When the user set TMPDIR, there. Otherwise in a RAM-backed tmpfs (/dev/shm) when it has
 * room to spare, since writing hundreds of MB to a disk only to read them back once costs more kernel
 * time than hashing them; else in the OS temp folder. The copy is still a 0600 file in a 0700 folder
 * that only this process writes, so the bytes hashed are the bytes SQLite reads either way.
 *
 * A copy in tmpfs is RAM (shared memory, `Shmem` in /proc/meminfo) for as long as the command runs:
 * it is not counted in the process's resident memory. To keep that bounded, tmpfs is used only when
 * the copy takes at most half of the tmpfs's free space and at most half of the memory the kernel
 * reports available.
 */
import { accessSync, constants, lstatSync, readFileSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** The RAM-backed folders tried, in order, when TMPDIR is not set. */
export const TMPFS_CANDIDATES: readonly string[] = ['/dev/shm'];
const TMPFS_MAGIC = 0x01021994;

/** Where a copy goes and why, for `--json`, the bench and the tests. */
export interface ScratchChoice {
  parent: string;
  /** True when `parent` is a tmpfs, so the copy is held in RAM rather than written to a disk. */
  inMemory: boolean;
  reason: string;
}

/** What the choice reads from the system; the tests pass other folders and memory figures. */
export interface ScratchInputs {
  env?: NodeJS.ProcessEnv;
  candidates?: readonly string[];
  memAvailableBytes?: () => number | null;
}

/** Chooses the parent folder for a private copy of about `bytes` bytes. */
export function chooseScratchParent(bytes: number, inputs: ScratchInputs = {}): ScratchChoice {
  const env = inputs.env ?? process.env;
  if ((env.TMPDIR ?? '') !== '') return { parent: tmpdir(), inMemory: false, reason: 'TMPDIR is set' };
  const available = (inputs.memAvailableBytes ?? memAvailableBytes)();
  const refusals: string[] = [];
  for (const candidate of inputs.candidates ?? TMPFS_CANDIDATES) {
    const refusal = tmpfsRefusal(candidate, bytes, available);
    if (refusal === null) return { parent: candidate, inMemory: true, reason: `${candidate} is a tmpfs with room for the copy` };
    refusals.push(`${candidate}: ${refusal}`);
  }
  return { parent: tmpdir(), inMemory: false, reason: refusals.join('; ') || 'no tmpfs candidate' };
}

/** Why `dir` cannot take a copy of `bytes` bytes in RAM, or null when it can. */
function tmpfsRefusal(dir: string, bytes: number, memAvailable: number | null): string | null {
  try {
    if (!lstatSync(dir).isDirectory()) return 'not a folder';
    const fs = statfsSync(dir);
    if (fs.type !== TMPFS_MAGIC) return 'not a tmpfs';
    accessSync(dir, constants.W_OK | constants.X_OK);
    const free = fs.bavail * fs.bsize;
    if (bytes > free / 2) return `the copy would take more than half of its ${free} free bytes`;
  } catch (error) {
    return `unusable (${(error as { code?: string }).code ?? 'error'})`;
  }
  if (memAvailable === null) return 'available memory unknown';
  if (bytes > memAvailable / 2) return `the copy would take more than half of the ${memAvailable} bytes of available memory`;
  return null;
}

/** MemAvailable from /proc/meminfo, in bytes, or null where it cannot be read. */
export function memAvailableBytes(): number | null {
  try {
    const match = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'latin1'));
    return match?.[1] === undefined ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}
