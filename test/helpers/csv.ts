/** Parses CSV as RFC 4180 defines it (quoted fields, doubled quotes, CRLF or LF records); for checking kustody's CSV output. */

/** The records of `text`, each a list of unquoted cells; a trailing line ending ends the last record. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i += 1; continue; }
      cell += c;
      i += 1;
      continue;
    }
    if (c === '"' && cell === '') { quoted = true; i += 1; continue; }
    if (c === ',') { record.push(cell); cell = ''; i += 1; continue; }
    if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i += c === '\r' ? 2 : 1;
      continue;
    }
    cell += c;
    i += 1;
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (cell !== '' || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return records;
}
