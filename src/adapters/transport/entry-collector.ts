/**
 * Receives tar-stream's entries, checks each one against the framer's view of the same header,
 * hashes every data byte while it streams, and keeps at most `maxEntryBytes` of each regular file.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Extract, Header } from 'tar-stream';
import { findDuplicates, findLinkParents, judgeName } from './entry-names.js';
import type { FramedEntry, TarFramer } from './tar-framer.js';
import type { CapturedEntry, NameProblem } from './tar-stream-types.js';

interface Building {
  framed: FramedEntry;
  header: Header;
  hash: Hash;
  sha256: string | null;
  content: Buffer | null;
  received: number;
}

/** Collects the entries tar-stream emits into `CapturedEntry` records. */
export class EntryCollector {
  /** Why tar-stream failed or disagreed with the framer, if it did. */
  failure: string | null = null;
  private readonly building: Building[] = [];
  private closed = false;

  constructor(extract: Extract, private readonly framer: TarFramer, private readonly maxEntryBytes: number) {
    extract.on('entry', (header, stream, next) => {
      if (this.closed) return;
      const framed = this.framer.entries[this.building.length];
      if (framed === undefined || framed.headerOffset !== stream.offset || framed.declaredSize !== header.size || framed.nameBytes.toString('utf8') !== header.name) {
        this.failure ??= `tar-stream and kustody's header guard disagree about the member whose header is at byte ${stream.offset}`;
        stream.destroy();
        return;
      }
      const entry: Building = { framed, header, hash: createHash('sha256'), sha256: null, received: 0, content: framed.type === 'file' ? Buffer.alloc(Math.min(framed.declaredSize, maxEntryBytes)) : null };
      this.building.push(entry);
      stream.on('data', (chunk: unknown) => {
        if (chunk instanceof Uint8Array) this.onData(entry, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      });
      stream.on('end', () => {
        if (this.closed) return;
        entry.sha256 = entry.hash.digest('hex');
        next();
      });
      stream.on('error', () => { /* reported through the extract's own error */ });
    });
    extract.on('error', (error: Error) => {
      this.failure ??= `tar-stream refused the stream: ${error.message}`;
    });
  }

  /** True once tar-stream has handed over every entry and data byte the framer let through. */
  settled(): boolean {
    if (this.failure !== null) return true;
    if (this.building.length !== this.framer.entries.length) return false;
    const last = this.building.at(-1);
    return last === undefined || last.received === last.framed.dataPassed;
  }

  /** Stops collecting and returns the entries, names judged and duplicates flagged. */
  finish(): CapturedEntry[] {
    this.closed = true;
    const verdicts = this.building.map((entry) => judgeName(entry.framed.nameBytes));
    const keys = verdicts.map((verdict) => verdict.collisionKey);
    const duplicates = findDuplicates(keys);
    const viaLink = findLinkParents(keys, this.building.map((entry) => entry.framed.type === 'symlink'));
    return this.building.map((entry, index) => {
      const { framed, header } = entry;
      const duplicateOf = duplicates[index] ?? null;
      const verdict = verdicts[index];
      const link = viaLink[index] ?? null;
      const nameProblem: NameProblem | null = verdict?.problem
        ?? (link === null ? null : { code: 'PATH_UNSAFE', reason: `the name passes through the symlink of entry ${link}` })
        ?? (duplicateOf === null ? null : { code: 'NAME_DUPLICATE', reason: `the name collides with entry ${duplicateOf}` });
      const kept = Math.min(entry.received, this.maxEntryBytes);
      return {
        index,
        name: framed.nameBytes.toString('utf8'),
        nameBytes: framed.nameBytes,
        nameSafe: nameProblem === null,
        nameProblem,
        duplicateOf,
        type: framed.type,
        typeflag: framed.typeflag,
        linkname: framed.linkBytes === null ? null : framed.linkBytes.toString('utf8'),
        declaredSize: framed.declaredSize,
        receivedBytes: entry.received,
        content: entry.content === null ? null : entry.content.subarray(0, kept),
        truncated: entry.content !== null && kept < framed.declaredSize,
        complete: entry.received === framed.declaredSize,
        sha256: entry.sha256 ?? entry.hash.digest('hex'),
        mode: finite(header.mode),
        mtime: finite(header.mtime.getTime() / 1000),
        uid: finite(header.uid),
        gid: finite(header.gid),
      };
    });
  }

  private onData(entry: Building, chunk: Buffer): void {
    if (this.closed) return;
    entry.hash.update(chunk);
    // Copy what is kept: tar-stream hands out views, and a view would pin the whole chunk it came in.
    if (entry.content !== null && entry.received < entry.content.length) chunk.copy(entry.content, entry.received);
    entry.received += chunk.length;
  }
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
