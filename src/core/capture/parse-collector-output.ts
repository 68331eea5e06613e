/**
 * Reads the collector's line framing (collector/kustody-collector.sh, `lines` format, used by the
 * `exec` vantage) into records. The bytes come from the suspect's side and may be forged, cut or
 * endless: every line is bounded and anything unexpected becomes a note.
 */
import { assembleCapture, isCollectorKey, type CollectorRecord, type ParsedCollectorOutput } from './collector-records.js';
import type { RawCapture } from './raw-capture.js';

export type { ParsedCollectorOutput } from './collector-records.js';

/** Limits on what the parser accepts. */
export interface CollectorOutputLimits {
  maxLineBytes: number;
  maxFileBytes: number;
  maxProcesses: number;
  maxRecords: number;
}

/** Defaults: 64 KiB lines, 4 MiB per file, 20,000 processes, 2,000,000 records. */
export const DEFAULT_COLLECTOR_LIMITS: CollectorOutputLimits = { maxLineBytes: 64 * 1024, maxFileBytes: 4 * 1024 * 1024, maxProcesses: 20_000, maxRecords: 2_000_000 };

const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parses collector output (the whole stdout, already capped by the transport). */
export function parseCollectorOutput(output: Uint8Array, context: { vantage: RawCapture['vantage']; target: string; exclusiveNetns: boolean }, limits: CollectorOutputLimits = DEFAULT_COLLECTOR_LIMITS): ParsedCollectorOutput {
  const notes: string[] = [];
  const note = (message: string) => {
    if (notes.length < 100) notes.push(message);
  };
  const records: CollectorRecord[] = [];
  const lines = Buffer.from(output.buffer, output.byteOffset, output.byteLength).toString('latin1').split('\n');
  let index = 0;
  let header = false;
  let complete = false;
  while (index < lines.length && records.length < limits.maxRecords) {
    const line = lines[index++] ?? '';
    if (line === '' && index === lines.length) break;
    if (line.length > limits.maxLineBytes) {
      note(`line ${index} is longer than ${limits.maxLineBytes} bytes; skipped`);
      continue;
    }
    if (!header) {
      if (line !== 'K kustody-collector 1') {
        note('the output does not start with the collector header: the container may lack sh, or its tools were replaced');
        break;
      }
      header = true;
      continue;
    }
    if (line === 'E') {
      complete = true;
      if (lines.slice(index).some((rest) => rest !== '')) note('data after the end marker was ignored');
      break;
    }
    const kind = line[0];
    const space = line.indexOf(' ', 2);
    const key = space === -1 ? line.slice(2) : line.slice(2, space);
    const rest = space === -1 ? '' : line.slice(space + 1);
    if (line[1] !== ' ' || !isCollectorKey(key)) {
      note(`unexpected line ${index}: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    if (kind === 'F') {
      const chunks: string[] = [];
      let size = 0;
      while (index < lines.length && lines[index] !== '.') {
        const chunk = lines[index++] ?? '';
        if (!BASE64_LINE.test(chunk) || chunk.length > limits.maxLineBytes) {
          note(`${key}: malformed base64 at line ${index}`);
          continue;
        }
        size += (chunk.length * 3) / 4;
        if (size <= limits.maxFileBytes * 1.34 + 4) chunks.push(chunk);
      }
      index += 1;
      const bytes = Buffer.from(chunks.join(''), 'base64');
      records.push({ kind: 'file', key, file: bytes.length > limits.maxFileBytes ? { bytes: bytes.subarray(0, limits.maxFileBytes), truncated: true } : { bytes, truncated: false } });
    } else if (kind === 'L' || kind === 'N') {
      if (!BASE64_LINE.test(rest) || rest.length > 8192) note(`${key}: malformed ${kind === 'L' ? 'link text' : 'file name'}`);
      else if (kind === 'L') records.push({ kind: 'link', key, target: Buffer.from(rest, 'base64') });
      else records.push({ kind: 'name', key, name: Buffer.from(rest, 'base64').toString('utf8') });
    } else if (kind === 'D') {
      records.push({ kind: 'digest', key, hex: rest });
    } else if (kind === 'X') {
      records.push({ kind: 'failed', key, reason: (rest || 'unreadable').slice(0, 80) });
    } else {
      note(`unexpected record kind on line ${index}`);
    }
  }
  if (header && !complete) note('the collector output ended before its end marker: it was cut off (time or size limit) or killed');
  return assembleCapture(records, { ...context, maxProcesses: limits.maxProcesses }, notes, header && complete);
}
