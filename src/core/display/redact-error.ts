// Turns anything thrown into a short, redacted, escaped line for the terminal (SEC-4, T1); pure, no I/O.
import type { DisplayText } from './display-text.js';
import { escapeUntrusted } from './escape-untrusted.js';

/** Bounds on the summary `redactError` produces. */
export interface RedactErrorOptions {
  /** Maximum terminal columns of the summary, marker included (default 240). */
  readonly maxColumns?: number;
}

const REDACTED = '[REDACTED]';
// Work on a bounded prefix: the summary is short, and regexes over a huge body would cost time.
const SCAN_LIMIT = 65_536;

// A separator between a key and its value, also inside JSON that was itself JSON-encoded (\").
const SEP = String.raw`(\\?["']?\s*[:=]\s*\\?["']?)`;
const AUTH_HEADER = new RegExp(
  String.raw`\b(authorization|proxy-authorization|x-api-key|x-auth-token)` + SEP + String.raw`(?:[A-Za-z]+\s+)?[^\s"'\\,;}]+`,
  'gi',
);
const COOKIE_HEADER = new RegExp(String.raw`\b(cookie|set-cookie)` + SEP + String.raw`[^"'\\\r\n}]*`, 'gi');
const SECRET_FIELD = new RegExp(
  String.raw`\b((?:access|id|refresh|bearer)?[_-]?token|password|passwd|secret|api[_-]?key|client-key-data|client-certificate-data)` +
    SEP +
    String.raw`[^"'\\\s,;}&]+`,
  'gi',
);
const SCHEME_TOKEN = /\b(Bearer|Basic|Negotiate)\s+[A-Za-z0-9._~+/=-]+/gi;
// Each pattern may only start where its run starts (the lookbehinds), so a long run of token
// characters costs linear time instead of one rescan per position (hostile error bodies, ReDoS).
const B64 = '[A-Za-z0-9_-]';
const JWT = new RegExp(
  `(?<!${B64})eyJ${B64}+\\.${B64}+\\.${B64}*|(?<!${B64})${B64}{16,}\\.${B64}{16,}\\.${B64}{16,}`,
  'g',
);
const URL_USERINFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;

/** Removes credentials (Authorization and cookie headers, Bearer/Basic values, JWTs, secret fields, URL userinfo) from text. */
export function redactSecrets(text: string): string {
  return text
    .replace(AUTH_HEADER, `$1$2${REDACTED}`)
    .replace(COOKIE_HEADER, `$1$2${REDACTED}`)
    .replace(SCHEME_TOKEN, `$1 ${REDACTED}`)
    .replace(JWT, '[REDACTED-JWT]')
    .replace(SECRET_FIELD, `$1$2${REDACTED}`)
    .replace(URL_USERINFO, `$1${REDACTED}@`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

// A Kubernetes Status body (object or JSON text) carries the one line worth showing.
function statusMessage(body: unknown): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body.slice(0, SCAN_LIMIT));
    } catch {
      return undefined;
    }
  }
  return isRecord(parsed) && typeof parsed.message === 'string' ? parsed.message : undefined;
}

function describe(error: unknown): string {
  if (typeof error === 'string') return error;
  if (!isRecord(error)) return `non-error value thrown (${typeof error})`;
  const message = typeof error.message === 'string' ? error.message : '';
  const name = typeof error.name === 'string' && error.name !== '' ? error.name : 'Error';
  if (typeof error.code === 'number' && 'body' in error) {
    // client-node's ApiException message embeds the whole body and the response headers.
    const status = statusMessage(error.body);
    if (status !== undefined) return `HTTP ${error.code}: ${status}`;
    const withoutHeaders = message.split('\nHeaders:')[0] ?? '';
    return `HTTP ${error.code}: ${withoutHeaders.replace(/^HTTP-Code: \d+\s*/, '')}`;
  }
  return message === '' ? name : `${name}: ${message}`;
}

/**
 * Summarises an unknown thrown value as one short escaped line with credentials redacted, e.g. an
 * ApiException becomes `HTTP 404: pods "x" not found` without its body dump or headers.
 *
 * @example redactError(new Error('Authorization: Bearer abc')) // 'Error: Authorization: [REDACTED]'
 */
export function redactError(error: unknown, options: RedactErrorOptions = {}): DisplayText {
  const summary = redactSecrets(describe(error).slice(0, SCAN_LIMIT)).replace(/[\r\n\t ]+/g, ' ').trim();
  return escapeUntrusted(summary, { maxColumns: options.maxColumns ?? 240, maxCombiningMarks: 2 });
}
