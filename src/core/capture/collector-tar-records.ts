/**
 * Turns the members of the collector's `tar` output (debug and node vantages) into collector records.
 * Members arrive from the bounded tar reader with their names as data; a name is only ever compared
 * with the keys the collector can emit, never used as a path.
 */
import { assembleCapture, type CollectorRecord, type ParsedCollectorOutput } from './collector-records.js';
import type { RawCapture } from './raw-capture.js';

/** The parts of a tar member this needs (see adapters/transport CapturedEntry). */
export interface TarMemberLike {
  name: string;
  nameSafe: boolean;
  type: 'file' | 'symlink' | 'hardlink' | 'dir' | 'other';
  linkname: string | null;
  content: Buffer | null;
  truncated: boolean;
}

/** Assembles a capture from the collector's tar members; `stopped` says why the stream ended early, if it did. */
export function parseCollectorTar(members: readonly TarMemberLike[], stopped: string | null, context: { vantage: RawCapture['vantage']; target: string; exclusiveNetns: boolean; maxProcesses?: number }): ParsedCollectorOutput {
  const notes: string[] = [];
  const records: CollectorRecord[] = [];
  let header = false;
  let end = false;
  for (const member of members) {
    const name = member.name.replace(/^\.\//, '');
    if (member.type === 'dir' || name === '.' || name === '') continue;
    if (!member.nameSafe) {
      if (notes.length < 100) notes.push(`unsafe member name ${JSON.stringify(member.name.slice(0, 80))} ignored`);
      continue;
    }
    if (name === 'K') {
      header = member.content?.toString('latin1') === 'kustody-collector 1';
      continue;
    }
    if (name === 'E') {
      end = true;
      continue;
    }
    const text = member.content?.toString('utf8') ?? '';
    if (member.type === 'symlink' && member.linkname !== null) records.push({ kind: 'link', key: name, target: Buffer.from(member.linkname, 'utf8') });
    else if (member.type !== 'file' || member.content === null) notes.push(`member ${JSON.stringify(name.slice(0, 80))} is a ${member.type}; ignored`);
    else if (name.endsWith('.sha256')) records.push({ kind: 'digest', key: name.slice(0, -7), hex: text.trim() });
    else if (name.endsWith('.name')) records.push({ kind: 'name', key: name.slice(0, -5), name: text });
    else if (name.endsWith('.x')) records.push({ kind: 'failed', key: name.slice(0, -2), reason: text.slice(0, 80) || 'unreadable' });
    else records.push({ kind: 'file', key: name, file: { bytes: member.content, truncated: member.truncated } });
  }
  if (!header) notes.push('the tar has no collector header: the collector did not run as expected');
  if (stopped !== null) notes.push(`the tar stream stopped early: ${stopped}`);
  else if (!end) notes.push('the tar has no end marker: the collector was cut off or killed');
  return assembleCapture(records, { ...context, maxProcesses: context.maxProcesses ?? 20_000 }, notes, header && end && stopped === null);
}
