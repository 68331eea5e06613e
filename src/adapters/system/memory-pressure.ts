/**
 * Keeps peak memory bounded while kustody walks large BLOBs. better-sqlite3 copies every BLOB into a
 * fresh Buffer; V8 frees those only when it collects, and it collects lazily when the Buffers live
 * outside its heap, so hashing 1 GiB of 16 MiB artifacts peaked at 250 MiB. Collecting after every
 * ~64 MiB of BLOB data holds the peak near one artifact's size.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** Counts bytes of transient BLOB data and asks V8 to collect after every `everyBytes` of it. */
export function blobMemoryBudget(everyBytes = 64 * 1024 * 1024): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    collector()?.();
  };
}
