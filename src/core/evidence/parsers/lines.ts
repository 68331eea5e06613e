/** Where one line sits in the input: `[start, end)` without its newline, and its 1-based number. */
export interface LineSpan {
  readonly start: number;
  readonly end: number;
  readonly number: number;
}

/** Splits bytes at each `\n`, keeping at most `maxLines` lines and counting the lines left over. */
export function splitLines(bytes: Uint8Array, maxLines: number): { lines: LineSpan[]; skippedLines: number } {
  const lines: LineSpan[] = [];
  let start = 0;
  while (start < bytes.length && lines.length < maxLines) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    lines.push({ start, end, number: lines.length + 1 });
    start = end + 1;
  }
  let skippedLines = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    skippedLines += 1;
    start = newline === -1 ? bytes.length : newline + 1;
  }
  return { lines, skippedLines };
}
