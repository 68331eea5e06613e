/**
 * Untrusted text in Markdown: always inside a code span, so no link, image, emphasis or HTML can come
 * from it. Controls, bidi and line breaks are first written in kustody's escape notation (one line,
 * bounded); the fence is one backtick longer than the longest run of backticks inside, and a space
 * pads each side (CommonMark strips exactly one space from each side, so the text shows as it is).
 */
import { escapeUntrusted } from '../display/index.js';
import { MAX_FIELD_BYTES } from './html-text.js';

/** An untrusted value as an inline code span (an empty value as the words `(empty)`, since an empty code span cannot be written). */
export function code(value: string | number | null | undefined): string {
  const text = escapeUntrusted(value === null || value === undefined ? '' : String(value), { maxBytes: MAX_FIELD_BYTES });
  if (text === '') return '*(empty)*';
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${text} ${fence}`;
}
