/** Building timeline messages from untrusted values: bounded, never cut inside a character. Pure. */

/** Longest message kept, in UTF-16 code units; the rest stays in evidence.db. */
export const MAX_MESSAGE_CHARS = 16_384;

/** A value as message text: strings as they are, numbers in decimal, anything else empty. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return '';
}

/** Cuts a message at MAX_MESSAGE_CHARS (never between a surrogate pair) and says how much was left out. */
export function boundMessage(text: string): string {
  if (text.length <= MAX_MESSAGE_CHARS) return text;
  let end = MAX_MESSAGE_CHARS;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}… (cut: ${text.length - end} more characters in evidence.db)`;
}
