// Container logs as they may be stored (SEC-3): the bytes received, with every secret-looking value
// replaced by `[redacted hmac-sha256:…]`, decided by the environment rules (env-rules.ts) applied to
// each line: secret names in `NAME=value` / `name: value`, the value patterns (JWTs, URL userinfo,
// Bearer values, `password=`, AWS key ids, …), and the entropy net on every run of token characters.
// Lines are read as Latin-1 so every byte maps to one character and back: bytes outside a redaction,
// invalid UTF-8 included, are stored exactly as received.
import { Buffer } from 'node:buffer';
import { MAX_SCANNED_CHARS, VALUE_PATTERNS, kindFromName, looksRandom } from './env-rules.js';
import { fingerprintCredential } from './fingerprint.js';

/** The stored form of a log and how many values were replaced. */
export interface RedactedLog {
  readonly bytes: Buffer;
  readonly redactions: number;
}

const GLOBAL_PATTERNS = VALUE_PATTERNS.map(([id, pattern]) => [id, new RegExp(pattern.source, `${pattern.flags}g`)] as const);
const NAMED_VALUE = /([A-Za-z_][A-Za-z0-9_.-]*)(["']?\s*[=:]\s*["']?)([^\s"'&;,]+)/g;
// `=` only as base64 padding: `name=value` is two runs, so a random value does not take its name with it.
const TOKEN_RUN = /[A-Za-z0-9+/_-]{20,}={0,2}/g;
const NOT_SPACE = /\S+$/;

/** Returns the log with secret-looking values replaced by keyed fingerprints; `truncated` also redacts the cut-off last token. */
export function redactLogBytes(received: Uint8Array, caseKey: Uint8Array, options: { truncated?: boolean } = {}): RedactedLog {
  const text = Buffer.from(received.buffer, received.byteOffset, received.byteLength).toString('latin1');
  const spans: Array<[number, number]> = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    for (const [start, end] of lineSpans(text.slice(lineStart, lineEnd))) spans.push([lineStart + start, lineStart + end]);
    lineStart = lineEnd + 1;
  }
  if (options.truncated === true) {
    // A token cut in half by the size limit may no longer look like the secret it was.
    const tail = NOT_SPACE.exec(text);
    if (tail !== null) spans.push([tail.index, text.length]);
  }
  return replaceSpans(text, merge(spans), caseKey);
}

/** Character ranges of one line (no newline) that hold secret-looking values. */
function lineSpans(line: string): Array<[number, number]> {
  if (line.length > MAX_SCANNED_CHARS) return [[0, line.length]];
  const spans: Array<[number, number]> = [];
  for (const match of line.matchAll(NAMED_VALUE)) {
    const [whole, name = '', , value = ''] = match;
    if (kindFromName(name) !== null) spans.push([match.index + whole.length - value.length, match.index + whole.length]);
  }
  for (const [id, pattern] of GLOBAL_PATTERNS) {
    for (const match of line.matchAll(pattern)) spans.push(patternSpan(id, line, match.index, match[0]));
  }
  for (const match of line.matchAll(TOKEN_RUN)) {
    if (looksRandom(match[0])) spans.push([match.index, match.index + match[0].length]);
  }
  return spans;
}

/** Where a value-pattern match's secret lies: its value part (keeping `password=`, `Bearer `, `scheme://`), to the end of its token. */
function patternSpan(id: string, line: string, index: number, matched: string): [number, number] {
  const tokenEnd = (from: number) => {
    const space = line.slice(from).search(/\s/);
    return space === -1 ? line.length : from + space;
  };
  const end = index + matched.length;
  switch (id) {
    case 'url-userinfo':
      return [index + matched.indexOf('://') + 3, end - 1];
    case 'secret-assignment': {
      const separator = /[:=]\s*["']?/.exec(matched);
      return [index + (separator === null ? 0 : separator.index + separator[0].length), tokenEnd(end)];
    }
    case 'auth-scheme':
      return [index + (/^\S+\s+/.exec(matched)?.[0].length ?? 0), tokenEnd(end)];
    case 'mysql-password-flag':
      return [index + matched.indexOf('-p') + 2, tokenEnd(end)];
    default:
      return [index, tokenEnd(end)];
  }
}

function merge(spans: Array<[number, number]>): Array<[number, number]> {
  const sorted = spans.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else out.push([span[0], span[1]]);
  }
  return out;
}

function replaceSpans(text: string, spans: Array<[number, number]>, caseKey: Uint8Array): RedactedLog {
  const parts: Buffer[] = [];
  let at = 0;
  for (const [start, end] of spans) {
    parts.push(Buffer.from(text.slice(at, start), 'latin1'));
    const secret = Buffer.from(text.slice(start, end), 'latin1');
    parts.push(Buffer.from(`[redacted ${fingerprintCredential(caseKey, secret)}]`, 'latin1'));
    at = end;
  }
  parts.push(Buffer.from(text.slice(at), 'latin1'));
  return { bytes: Buffer.concat(parts), redactions: spans.length };
}
