/** Pieces of a NUL-separated buffer, as views into it, and how the buffer ended. */
export interface NulSplit {
  readonly pieces: Uint8Array[];
  /** Whether the (possibly capped) input ended with a NUL, as the kernel writes argv and environ. */
  readonly nulTerminated: boolean;
  /** Whether `maxBytes` or `maxPieces` cut the input short. */
  readonly truncated: boolean;
}

/** Splits at NUL bytes only, reading at most `maxBytes` bytes and `maxPieces` pieces; a final NUL ends the last piece. */
export function splitAtNul(bytes: Uint8Array, maxBytes: number, maxPieces: number): NulSplit {
  const limit = Math.min(bytes.length, maxBytes);
  const view = bytes.subarray(0, limit);
  const pieces: Uint8Array[] = [];
  let start = 0;
  while (start < limit && pieces.length < maxPieces) {
    const nul = view.indexOf(0, start);
    const end = nul === -1 ? limit : nul;
    pieces.push(view.subarray(start, end));
    start = end + 1;
  }
  const truncated = limit < bytes.length || start < limit;
  return { pieces, nulTerminated: limit === 0 || view[limit - 1] === 0, truncated };
}
