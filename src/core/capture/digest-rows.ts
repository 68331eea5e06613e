/** A SHA-256 over rows in canonical JSON, recorded in the custody row of the step that stored them. */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../custody/canonical-json.js';

/** Hashes rows in order: one canonical JSON line each, bigints written as decimal strings. */
export function digestRows(rows: readonly object[]): string {
  const hash = createHash('sha256');
  for (const row of rows) {
    const plain = Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? value.toString() : value]));
    hash.update(`${canonicalJson(plain)}\n`);
  }
  return hash.digest('hex');
}
