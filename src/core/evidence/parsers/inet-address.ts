import { parseHexNumber } from './numbers.js';

/** How the host that wrote a /proc/net table orders the bytes of each 32-bit word. */
export type ByteOrder = 'little' | 'big';

/**
 * Reads an address as /proc/net/{tcp,udp}{,6} prints it: 8 or 32 hex digits, each group of 8 being one
 * 32-bit word in the host's byte order. Returns the address bytes in network order, or null if malformed.
 */
export function addressBytesFromProcHex(hex: string, byteOrder: ByteOrder): Uint8Array | null {
  if (hex.length !== 8 && hex.length !== 32) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let word = 0; word < hex.length / 8; word += 1) {
    const value = parseHexNumber(hex.slice(word * 8, word * 8 + 8), 8);
    if (value === null) return null;
    for (let k = 0; k < 4; k += 1) {
      const shift = byteOrder === 'little' ? 8 * k : 8 * (3 - k);
      out[word * 4 + k] = Math.floor(value / 2 ** shift) % 256;
    }
  }
  return out;
}

/** Formats 4 or 16 address bytes: dotted IPv4, or IPv6 as RFC 5952 writes it, with IPv4-mapped addresses as `::ffff:a.b.c.d`. */
export function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${Array.from(bytes.subarray(12)).join('.')}`;
  }
  // RFC 5952 §4.2: shorten the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
