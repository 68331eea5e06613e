/**
 * Strict readers for the fields of one 512-byte tar header block and for PAX record bodies. They
 * accept a subset of what tar-stream accepts, so that whatever passes here is read the same way by
 * tar-stream (see read-tar-stream.ts for where tar-stream is lenient).
 */

/** The size of a tar block. */
export const BLOCK = 512;

/** The zero bytes that pad `size` bytes of data to a whole block. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The index of the first non-zero byte of `chunk` at or after `from`, or -1. */
export function firstNonZero(chunk: Uint8Array, from: number): number {
  for (let at = from; at < chunk.length; at += 1) if (chunk[at] !== 0) return at;
  return -1;
}

/** A numeric field's value, or why it was refused. */
export type FieldValue = { ok: true; value: number } | { ok: false; reason: string };

/** True when a block is all zero bytes. */
export function isZeroBlock(block: Uint8Array): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/** True when the stored checksum is a plain octal number equal to the unsigned sum of the header. */
export function checksumMatches(block: Buffer): boolean {
  const stored = readOctal(block.subarray(148, 156));
  if (!stored.ok) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum === stored.value;
}

/** True for a POSIX ustar header (`ustar\0`), which carries a name prefix. */
export function isUstar(block: Buffer): boolean {
  return block.subarray(257, 263).toString('latin1') === 'ustar\0';
}

/** True for a ustar or GNU header, the two formats tar-stream accepts by default. */
export function hasKnownMagic(block: Buffer): boolean {
  return isUstar(block) || block.subarray(257, 265).toString('latin1') === 'ustar  \0';
}

/** The bytes of a NUL-terminated field. */
export function cField(block: Buffer, start: number, length: number): Buffer {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return end === -1 ? field : field.subarray(0, end);
}

/** Reads a size field: octal text, or GNU base-256 only when positive and exactly representable. */
export function readSize(field: Buffer): FieldValue {
  const first = field[0] ?? 0;
  if ((first & 0x80) === 0) return readOctal(field);
  // tar-stream reads 0xFF as a negative size and any other high byte as `null`, which it treats as
  // size 0 for framing but never ends the entry stream: a hang. Only 0x80 (positive) gets past here.
  if (first !== 0x80) return { ok: false, reason: `the size field is base-256 with a ${first === 0xff ? 'negative' : 'malformed'} sign byte 0x${first.toString(16)}` };
  let value = 0n;
  for (const byte of field.subarray(1)) value = value * 256n + BigInt(byte);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: `the size field is a base-256 number of ${value} bytes` };
  return { ok: true, value: Number(value) };
}

/** Reads an octal field: optional leading spaces, digits, then only NULs and spaces; an empty field is 0. */
export function readOctal(field: Buffer): FieldValue {
  const text = field.toString('latin1');
  const match = /^ *([0-7]*)[ \0]*$/.exec(text);
  if (match === null) return { ok: false, reason: `the field ${JSON.stringify(text)} is not a plain octal number` };
  const digits = match[1] ?? '';
  return { ok: true, value: digits === '' ? 0 : Number.parseInt(digits, 8) };
}

/** A PAX body's records by key (last one wins), or why the body is malformed. */
export type PaxRecords = { ok: true; records: Map<string, Buffer> } | { ok: false; reason: string };

/** Parses a PAX body strictly: each record is `<length> <key>=<value>\n` with an exact decimal length. */
export function parsePax(body: Buffer): PaxRecords {
  const records = new Map<string, Buffer>();
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const lengthText = space === -1 ? '' : body.subarray(at, space).toString('latin1');
    if (!/^[1-9][0-9]{0,8}$/.test(lengthText)) return { ok: false, reason: `a PAX record at offset ${at} has no valid length` };
    const end = at + Number.parseInt(lengthText, 10);
    if (end > body.length || body[end - 1] !== 0x0a) return { ok: false, reason: `a PAX record at offset ${at} overruns its header or lacks its newline` };
    const record = body.subarray(space + 1, end - 1);
    const equals = record.indexOf(0x3d);
    if (equals < 1) return { ok: false, reason: `a PAX record at offset ${at} has no key` };
    records.set(record.subarray(0, equals).toString('utf8'), record.subarray(equals + 1));
    at = end;
  }
  return { ok: true, records };
}

/** Reads a PAX `size` value: plain decimal digits only (no sign, no spaces), within the safe integer range. */
export function readPaxSize(value: Buffer): FieldValue {
  const text = value.toString('latin1');
  if (!/^[0-9]{1,16}$/.test(text)) return { ok: false, reason: `the PAX size ${JSON.stringify(text.slice(0, 40))} is not a plain decimal number` };
  const size = Number.parseInt(text, 10);
  if (!Number.isSafeInteger(size)) return { ok: false, reason: `the PAX size ${text} is too large to represent` };
  return { ok: true, value: size };
}
