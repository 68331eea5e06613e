/** Turns one line of an audit log (any supported export shape) into stored rows, or says why it holds none. */
import type { Fingerprint } from '../capture/redact-argv.js';
import type { StoredAuditRow } from './audit-row.js';
import { stripTimePrefix, unwrapEvents } from './envelopes.js';
import { decodeLine, mayHoldLoneSurrogates } from './line-text.js';
import { normalizeEvent } from './normalize-event.js';

/** Why a line gave no event. */
export type SkipReason = 'not-json' | 'not-audit-event' | 'too-long' | 'blank';

/** The rows of one line, or why there are none. */
export type ParsedLine = { ok: true; rows: StoredAuditRow[]; invalidUtf8: boolean } | { ok: false; reason: SkipReason; invalidUtf8: boolean };

/**
 * Parses one line's bytes (read at `source`); never throws on any input. Nothing walks a parsed value recursively (the
 * summaries follow named fields only), so deep nesting costs no stack.
 */
export function parseAuditLine(bytes: Uint8Array, fingerprint: Fingerprint, source: { file: string; line: number } = { file: '', line: 0 }): ParsedLine {
  const { text: decoded, invalidUtf8 } = decodeLine(bytes);
  const { text, prefixed } = stripTimePrefix(decoded.endsWith('\r') ? decoded.slice(0, -1) : decoded);
  if (!/\S/.test(text)) return { ok: false, reason: 'blank', invalidUtf8 };
  const parse = (json: string): unknown => {
    try {
      return JSON.parse(json) as unknown;
    } catch {
      return undefined;
    }
  };
  const value = parse(text);
  if (value === undefined) return { ok: false, reason: 'not-json', invalidUtf8 };
  const mayEscape = mayHoldLoneSurrogates(text, invalidUtf8);
  const found = unwrapEvents(value, prefixed, parse);
  if (found.length === 0) return { ok: false, reason: 'not-audit-event', invalidUtf8 };
  return { ok: true, invalidUtf8, rows: found.map((f) => normalizeEvent(f.event, { format: f.format, mayEscape, fingerprint, sourceFile: source.file, line: source.line })) };
}
