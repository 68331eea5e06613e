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

/** Splits a /proc table into data lines: drops its header line if `isHeader` accepts the first line, and counts lines past `maxLines`. */
export function splitTable(
  bytes: Uint8Array,
  maxLines: number,
  isHeader: (start: string) => boolean,
): { data: LineSpan[]; hasHeader: boolean; droppedLines: number } {
  const { lines, skippedLines } = splitLines(bytes, maxLines + 1);
  const first = lines[0];
  // Only the start of the first line is decoded: a hostile "header" may be megabytes long.
  const hasHeader = first !== undefined && isHeader(String.fromCharCode(...bytes.subarray(first.start, Math.min(first.end, first.start + 64))));
  const data = hasHeader ? lines.slice(1) : lines.slice(0, maxLines);
  return { data, hasHeader, droppedLines: skippedLines + (lines.length - (hasHeader ? 1 : 0) - data.length) };
}
