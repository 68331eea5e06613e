const UNSIGNED = /^[0-9]{1,20}$/;
const SIGNED = /^-?[0-9]{1,20}$/;
const HEX = /^[0-9A-Fa-f]+$/;

/** The largest unsigned 64-bit value, the widest integer any /proc field holds. */
export const U64_MAX = (1n << 64n) - 1n;
/** The largest unsigned 32-bit value, for uids, gids and `unsigned int` fields. */
export const U32_MAX = 0xffff_ffff;

/** Reads a decimal integer in `[min, max]` exactly as a bigint, or null if it is not one. */
export function parseDecimalBigInt(text: string, min = 0n, max = U64_MAX): bigint | null {
  if (!(min < 0n ? SIGNED : UNSIGNED).test(text)) return null;
  const value = BigInt(text);
  return value >= min && value <= max ? value : null;
}

/** Reads a decimal integer in `[min, max]` (both within 2^53) as a number, or null if it is not one. */
export function parseDecimalNumber(text: string, min: number, max: number): number | null {
  if (text.length > 15) {
    const value = parseDecimalBigInt(text, BigInt(min), BigInt(max));
    return value === null ? null : Number(value);
  }
  // Up to 15 characters is exact as a double, so skip the bigint.
  if (!(min < 0 ? SIGNED : UNSIGNED).test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/** Reads 1 to `maxDigits` hex digits as a bigint, or null if the text is anything else. */
export function parseHexBigInt(text: string, maxDigits: number): bigint | null {
  if (text.length === 0 || text.length > maxDigits || !HEX.test(text)) return null;
  return BigInt(`0x${text}`);
}

/** Reads 1 to `maxDigits` (at most 13) hex digits as a number, or null if the text is anything else. */
export function parseHexNumber(text: string, maxDigits: number): number | null {
  if (text.length === 0 || text.length > Math.min(maxDigits, 13) || !HEX.test(text)) return null;
  return Number.parseInt(text, 16);
}
