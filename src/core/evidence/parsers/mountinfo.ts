import { latin1, toByteText, type ByteText } from './byte-text.js';
import { splitLines } from './lines.js';
import { describeBytes, WarningList, type ParseWarning } from './parse-warning.js';
import { parseDecimalNumber, U32_MAX } from './numbers.js';

/** One mount from `/proc/<pid>/mountinfo`, with the kernel's octal escapes (`\040`, `\011`, `\012`, `\134`) decoded. */
export interface MountInfoEntry {
  readonly line: number;
  readonly mountId: number;
  readonly parentId: number;
  readonly major: number;
  readonly minor: number;
  /** The directory of the filesystem that is mounted here (not `/` for bind mounts). */
  readonly root: ByteText;
  readonly mountPoint: ByteText;
  /** Per-mount options such as `rw`, `nosuid`, `relatime`. */
  readonly mountOptions: readonly string[];
  readonly readOnly: boolean;
  /** Propagation tags before the `-` separator, such as `shared:1` or `master:2`. */
  readonly optionalFields: readonly string[];
  readonly fsType: ByteText;
  readonly source: ByteText;
  /** Per-superblock options, decoded but not split: overlay paths in them may hold commas. */
  readonly superOptions: ByteText;
}

/** The mounts of one mountinfo file plus warnings for lines that could not be read. */
export interface ProcMountInfo {
  readonly mounts: readonly MountInfoEntry[];
  readonly warnings: ParseWarning[];
}

/** Default cap on mountinfo lines read; busy nodes have thousands of mounts. */
export const DEFAULT_MOUNTINFO_MAX_LINES = 100_000;
const MAJOR_MINOR = /^([0-9]{1,10}):([0-9]{1,10})$/;

/** Parses `/proc/<pid>/mountinfo`, skipping malformed lines with a warning each. */
export function parseMountInfo(bytes: Uint8Array, options: { maxLines?: number } = {}): ProcMountInfo {
  const warnings = new WarningList();
  const { lines, skippedLines } = splitLines(bytes, options.maxLines ?? DEFAULT_MOUNTINFO_MAX_LINES);
  if (skippedLines > 0) warnings.add('LINE_LIMIT', `mountinfo has ${skippedLines} lines past the limit of ${lines.length}; they were not read`);
  const mounts: MountInfoEntry[] = [];
  for (const span of lines) {
    const lineBytes = bytes.subarray(span.start, span.end);
    if (lineBytes.length === 0) continue;
    const malformed = (why: string): void => warnings.add('MALFORMED_LINE', `${why}: ${describeBytes(lineBytes)}`, span.number);
    const tokens = splitSpaces(lineBytes);
    const separator = tokens.findIndex((token, index) => index >= 6 && token.length === 1 && token[0] === 0x2d);
    if (tokens.length < 10 || separator === -1 || tokens.length - separator < 4) {
      malformed('expected 6 fields, optional fields, "-" and 3 more');
      continue;
    }
    if (tokens.length - separator > 4) malformed('extra fields after the super options');
    const text = (index: number): string => latin1(tokens[index] ?? new Uint8Array());
    const mountId = parseDecimalNumber(text(0), 0, U32_MAX);
    const parentId = parseDecimalNumber(text(1), 0, U32_MAX);
    const device = MAJOR_MINOR.exec(text(2));
    const major = parseDecimalNumber(device?.[1] ?? '', 0, U32_MAX);
    const minor = parseDecimalNumber(device?.[2] ?? '', 0, U32_MAX);
    if (mountId === null || parentId === null || major === null || minor === null) {
      malformed('bad mount id, parent id or major:minor');
      continue;
    }
    const decode = (index: number): ByteText => {
      const { bytes: decoded, badEscapes } = decodeOctalEscapes(tokens[index] ?? new Uint8Array());
      if (badEscapes > 0) warnings.add('BAD_ESCAPE', `${badEscapes} backslashes not followed by three octal digits, kept as is`, span.number);
      return toByteText(decoded);
    };
    const mountOptions = decode(5).text.split(',');
    mounts.push({
      line: span.number,
      mountId,
      parentId,
      major,
      minor,
      root: decode(3),
      mountPoint: decode(4),
      mountOptions,
      readOnly: mountOptions.includes('ro'),
      optionalFields: tokens.slice(6, separator).map((token) => toByteText(token).text),
      fsType: decode(separator + 1),
      source: decode(separator + 2),
      superOptions: decode(separator + 3),
    });
  }
  return { mounts, warnings: warnings.toArray() };
}

/** Decodes `\ooo` octal escapes (value at most 0o377); any other backslash is kept and counted. */
export function decodeOctalEscapes(bytes: Uint8Array): { bytes: Uint8Array; badEscapes: number } {
  if (!bytes.includes(0x5c)) return { bytes, badEscapes: 0 };
  const out: number[] = [];
  let badEscapes = 0;
  const octal = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x37;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i] ?? 0;
    const [a, b, c] = [bytes[i + 1], bytes[i + 2], bytes[i + 3]];
    if (byte === 0x5c && octal(a) && octal(b) && octal(c) && (a ?? 0) <= 0x33) {
      out.push(((a ?? 0) - 0x30) * 64 + ((b ?? 0) - 0x30) * 8 + ((c ?? 0) - 0x30));
      i += 3;
    } else {
      if (byte === 0x5c) badEscapes += 1;
      out.push(byte);
    }
  }
  return { bytes: Uint8Array.from(out), badEscapes };
}

function splitSpaces(bytes: Uint8Array): Uint8Array[] {
  const tokens: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i += 1) {
    if (i === bytes.length || bytes[i] === 0x20) {
      if (i > start) tokens.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return tokens;
}
