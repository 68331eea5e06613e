/**
 * Keeps peak memory bounded while kustody walks large BLOBs. better-sqlite3 copies every BLOB into a
 * fresh Buffer; V8 frees those only when it collects, and it collects lazily when the Buffers live
 * outside its heap, so hashing 1 GiB of 16 MiB artifacts peaked at 250 MiB. A young-generation
 * collection after every ~32 MiB of BLOB data holds the peak down at a small cost in time.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: ((options?: { type: 'minor' | 'major' }) => void) | null | undefined;

function collector(): ((options?: { type: 'minor' | 'major' }) => void) | null {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** Counts bytes of transient BLOB data and asks V8 to collect after every `everyBytes` of it. */
export function blobMemoryBudget(everyBytes = 32 * 1024 * 1024): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    // A scavenge is enough: the Buffers' small wrappers die young, and freeing them frees their bytes.
    collector()?.({ type: 'minor' });
  };
}
