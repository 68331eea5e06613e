import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import type { ParseWarning } from '../../../../src/core/evidence/parsers/index.js';

/** Runs per fast-check property; CI raises it through KUSTODY_FC_RUNS. */
export const FC_RUNS = Number(process.env.KUSTODY_FC_RUNS ?? 2000);

const fixtureRoot = fileURLToPath(new URL('../../../fixtures/proc/', import.meta.url));

/** Reads a captured /proc fixture as bytes. */
export function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(fixtureRoot + path));
}

/** Reads a captured fixture as text (for the outside judges' output and JSON). */
export function fixtureText(path: string): string {
  return readFileSync(fixtureRoot + path, 'latin1');
}

/** Bytes of a string taken one char per byte, so `\xff` is the single byte 0xff. */
export function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0) & 0xff);
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Joins byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Asserts every warning message is printable ASCII, so none carries a hostile byte to a log or terminal. */
export function assertPrintableWarnings(warnings: readonly ParseWarning[]): void {
  for (const warning of warnings) assert.match(warning.message, /^[\x20-\x7e]*$/, `warning ${warning.code} is not printable ASCII`);
}

/** The warning codes, in order. */
export function codes(warnings: readonly ParseWarning[]): string[] {
  return warnings.map((warning) => warning.code);
}
