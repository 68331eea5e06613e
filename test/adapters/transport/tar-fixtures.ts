/** Builders for real and hostile tar streams: GNU tar over temp trees, and hand-made headers with valid checksums. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp folder and a function that removes it. */
export function tempTree(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kustody-transport-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs GNU tar with `args` and returns the archive it writes to stdout. */
export function gnuTar(args: string[]): Buffer {
  return execFileSync('tar', ['-cf', '-', ...args], { maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `sha256sum` over `files` in `dir` and returns each file's hex digest by name. */
export function sha256sums(dir: string, files: string[]): Map<string, string> {
  const out = execFileSync('sha256sum', ['--', ...files], { cwd: dir, encoding: 'utf8' });
  return new Map(out.trim().split('\n').map((line) => [line.slice(66), line.slice(0, 64)]));
}

/** Options for one hand-made 512-byte header; `sizeField` replaces the 12 size bytes verbatim. */
export interface HeaderOptions {
  name: string | Buffer;
  size?: number;
  sizeField?: Buffer;
  typeflag?: string;
  linkname?: string;
  prefix?: string;
  format?: 'ustar' | 'gnu' | 'v7';
  mode?: number;
  mtime?: number;
}

/** Builds one tar header block with a correct checksum. */
export function header(options: HeaderOptions): Buffer {
  const block = Buffer.alloc(512);
  (typeof options.name === 'string' ? Buffer.from(options.name) : options.name).copy(block, 0, 0, 100);
  block.write(`${(options.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  block.write('0000000\0', 108, 'latin1');
  block.write('0000000\0', 116, 'latin1');
  if (options.sizeField !== undefined) options.sizeField.copy(block, 124, 0, 12);
  else block.write(`${(options.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  block.write(`${(options.mtime ?? 1_700_000_000).toString(8).padStart(11, '0')}\0`, 136, 'latin1');
  block.write(options.typeflag ?? '0', 156, 'latin1');
  if (options.linkname !== undefined) block.write(options.linkname, 157, 'utf8');
  const format = options.format ?? 'ustar';
  if (format === 'ustar') block.write('ustar\x0000', 257, 'latin1');
  if (format === 'gnu') block.write('ustar  \0', 257, 'latin1');
  if (options.prefix !== undefined) block.write(options.prefix, 345, 'utf8');
  return fixChecksum(block);
}

/** Rewrites a header block's checksum field to match its bytes. */
export function fixChecksum(block: Buffer): Buffer {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** A header plus its data, padded to the next block. */
export function member(options: HeaderOptions, data: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([header({ ...options, size: options.size ?? data.length }), data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A PAX body from `[key, value]` records, each with its exact length prefix. */
export function paxBody(records: [string, string | Buffer][]): Buffer {
  return Buffer.concat(records.map(([key, value]) => {
    const rest = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
    let length = rest.length + 1;
    while (String(length).length + rest.length !== length) length += 1;
    return Buffer.concat([Buffer.from(String(length)), rest]);
  }));
}

/** A PAX `x` (or `g`) record member carrying `records`. */
export function paxMember(records: [string, string | Buffer][], typeflag = 'x'): Buffer {
  return member({ name: 'PaxHeaders/x', typeflag }, paxBody(records));
}

/** The end-of-archive marker: two zero blocks. */
export const END = Buffer.alloc(1024);

/** Yields `buffer` in chunks of `size` bytes. */
export async function* chunks(buffer: Buffer, size = 65536): AsyncGenerator<Buffer> {
  for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
