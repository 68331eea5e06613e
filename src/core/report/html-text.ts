/** Turning untrusted text into inert HTML: kustody's escape notation for controls and bidi, then HTML entities. */
import { createHash } from 'node:crypto';
import { escapeUntrusted } from '../display/index.js';

/** Longest untrusted value shown in a report, in UTF-8 bytes (longer values end with kustody's `\…[+N bytes]` marker). */
export const MAX_FIELD_BYTES = 4096;

/** Escapes HTML's five special characters. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** An untrusted value as HTML text: controls, bidi and invisibles in escape notation, bounded, then entity-escaped. */
export function h(value: string | number | null | undefined): string {
  return escapeHtml(escapeUntrusted(value === null || value === undefined ? '' : String(value), { maxBytes: MAX_FIELD_BYTES }));
}

/** The CSP source for an inline style element: `'sha256-…'` of its exact text. */
export function styleHash(css: string): string {
  return `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
}
