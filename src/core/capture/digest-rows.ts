/** A SHA-256 over rows in canonical JSON, recorded in the custody row of the step that stored them. */
import { createHash } from 'node:crypto';

/**
 * Hashes rows in order: one canonical JSON line each (RFC 8785: keys sorted by UTF-16 code units, no
 * whitespace), bigints written as decimal strings. Rows of one table share their keys, so the key
 * order is computed once per key set; values are plain strings, safe integers, booleans or null.
 */
export function digestRows(rows: readonly object[]): string {
  const hash = createHash('sha256');
  let keys: string[] = [];
  let signature = '';
  for (const row of rows) {
    const record = row as Record<string, unknown>;
    const own = Object.keys(record).filter((key) => record[key] !== undefined);
    const joined = own.join('\u0000');
    if (joined !== signature) {
      signature = joined;
      keys = [...own].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
    let line = '{';
    for (const [index, key] of keys.entries()) {
      const value = record[key];
      line += `${index === 0 ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(typeof value === 'bigint' ? value.toString() : value)}`;
    }
    hash.update(`${line}}\n`);
  }
  return hash.digest('hex');
}
