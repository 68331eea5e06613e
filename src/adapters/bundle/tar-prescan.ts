/**
 * A strict, bounded reader of the tar headers in a received bundle. It reads only 512-byte headers
 * by offset, never member data, and accepts only what kustody itself writes: regular files with
 * kustody's own member names, no links, no PAX or GNU long-name records, no duplicates. Nothing it
 * reads is ever used as a path.
 */
import { readSync } from 'node:fs';

const BLOCK = 512;

/** A problem found in the archive structure. `unreadable` problems mean it is not a usable tar at all. */
export interface TarProblem {
  code: string;
  severity: 'tampered' | 'unreadable';
  message: string;
}

/** A member as found in the headers: its declared size and where its data starts. */
export interface TarMember {
  name: string;
  size: number;
  dataOffset: number;
}

/** Limits on what a bundle's tar may contain. */
export interface TarLimits {
  maxMembers: number;
  maxMemberSize: (name: string) => number;
}

/** Scans the headers of the tar open on `fd` (of `fileSize` bytes) and lists its members, or the first fatal problem. */
export function prescanTar(fd: number, fileSize: number, allowedNames: ReadonlySet<string>, limits: TarLimits): { members: TarMember[]; problem: TarProblem | null } {
  const members: TarMember[] = [];
  const header = Buffer.alloc(BLOCK);
  let offset = 0;
  for (;;) {
    if (offset + BLOCK > fileSize) return fail(members, 'TAR_TRUNCATED', 'unreadable', `the archive ends in the middle of a header at byte ${offset}: it is truncated`);
    readFully(fd, header, offset);
    if (isZeroBlock(header)) return { members, problem: checkTrailer(fd, offset, fileSize) };
    if (members.length >= limits.maxMembers) return fail(members, 'BUNDLE_EXTRA_MEMBER', 'tampered', `the archive holds more than ${limits.maxMembers} members`);
    if (!checksumMatches(header)) return fail(members, 'TAR_CORRUPT', 'unreadable', `the tar header at byte ${offset} has a bad checksum`);
    const type = String.fromCharCode(header[156] ?? 0);
    const name = readName(header);
    if (type !== '0' && type !== '\0') return fail(members, 'BUNDLE_MEMBER_TYPE', 'tampered', `the member at byte ${offset} is a ${describeType(type)}; a kustody bundle holds regular files only`);
    if (!allowedNames.has(name)) {
      const what = /(^|\/)\.\.(\/|$)/.test(name) || name.startsWith('/') ? 'an unsafe path' : 'not a kustody bundle member';
      return fail(members, 'BUNDLE_MEMBER_NAME', 'tampered', `the archive holds a member named ${JSON.stringify(name.slice(0, 120))}, which is ${what}`);
    }
    if (members.some((m) => m.name === name)) return fail(members, 'BUNDLE_DUPLICATE_MEMBER', 'tampered', `the archive holds ${name} twice`);
    const size = parseSize(header);
    if (size === null) return fail(members, 'TAR_HEADER_LIMIT', 'tampered', `the size field of ${name} is not a plain octal number (kustody never writes binary or huge sizes)`);
    if (size > limits.maxMemberSize(name)) return fail(members, 'TAR_HEADER_LIMIT', 'tampered', `${name} claims ${size} bytes, more than the ${limits.maxMemberSize(name)} allowed`);
    const dataOffset = offset + BLOCK;
    if (dataOffset + size > fileSize) return fail(members, 'TAR_TRUNCATED', 'unreadable', `${name} claims ${size} bytes but the archive ends first: it is truncated`);
    members.push({ name, size, dataOffset });
    offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    // kustody pads with zeros; anything else in the padding is a changed byte no member hash would cover.
    if (offset > fileSize) return fail(members, 'TAR_TRUNCATED', 'unreadable', `the archive ends inside the padding of ${name}: it is truncated`);
    if (!isZeroRange(fd, dataOffset + size, offset)) return fail(members, 'BUNDLE_PADDING', 'tampered', `the padding after ${name} is not zero`);
  }
}

function fail(members: TarMember[], code: string, severity: TarProblem['severity'], message: string) {
  return { members, problem: { code, severity, message } };
}

function checkTrailer(fd: number, offset: number, fileSize: number): TarProblem | null {
  if (offset + 2 * BLOCK > fileSize) return { code: 'TAR_TRUNCATED', severity: 'unreadable', message: 'the archive has no complete end-of-archive marker: it is truncated' };
  // Anything after the end marker must be zero padding; hidden data there is tampering.
  const chunk = Buffer.alloc(64 * 1024);
  for (let at = offset; at < fileSize; at += chunk.length) {
    const length = Math.min(chunk.length, fileSize - at);
    readFully(fd, chunk.subarray(0, length), at);
    if (!isZeroBlock(chunk.subarray(0, length))) return { code: 'BUNDLE_TRAILING_DATA', severity: 'tampered', message: `the archive has data after its end marker (near byte ${at})` };
  }
  return null;
}

function isZeroRange(fd: number, from: number, to: number): boolean {
  if (to <= from) return true;
  const padding = Buffer.alloc(to - from);
  readFully(fd, padding, from);
  return isZeroBlock(padding);
}

function readFully(fd: number, buffer: Buffer, position: number): void {
  let done = 0;
  while (done < buffer.length) {
    const n = readSync(fd, buffer, done, buffer.length - done, position + done);
    if (n === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += n;
  }
}

function isZeroBlock(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

function checksumMatches(header: Buffer): boolean {
  const stored = parseOctal(header.subarray(148, 156));
  if (stored === null) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum === stored;
}

function readName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const magic = header.subarray(257, 263).toString('latin1');
  const prefix = magic === 'ustar\0' ? cString(header.subarray(345, 500)) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('latin1');
}

function parseSize(header: Buffer): number | null {
  if (((header[124] ?? 0) & 0x80) !== 0) return null;
  return parseOctal(header.subarray(124, 136));
}

function parseOctal(field: Buffer): number | null {
  const text = cString(field).trim();
  if (!/^[0-7]{1,11}$/.test(text)) return null;
  return Number.parseInt(text, 8);
}

function describeType(type: string): string {
  const names: Record<string, string> = { '1': 'hard link', '2': 'symbolic link', '3': 'character device', '4': 'block device', '5': 'directory', '6': 'FIFO', x: 'PAX extended header', g: 'PAX global header', L: 'GNU long name record', K: 'GNU long link record' };
  return names[type] ?? `member of type ${JSON.stringify(type)}`;
}
