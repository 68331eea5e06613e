// Removes credentials from what external commands print and from the argv kept in the custody log
// (SEC-4, T9): redactSecrets catches headers, bearer tokens, JWTs and common secret fields; the cloud
// CLIs add their own field names (`"SecretAccessKey": "…"`, `"private_key": "…"`, `clientSecret`).
import { redactSecrets } from '../../core/display/redact-error.js';

const REDACTED = '[REDACTED]';

// Key names whose value is a credential, in any case and with _ or - or nothing between words; the
// lookbehind lets AWS_SECRET_ACCESS_KEY match while `notasecretkey` does not.
const CLOUD_KEY = String.raw`(?<![A-Za-z0-9])((?:aws[_-]?)?secret[_-]?access[_-]?key|(?:aws[_-]?)?session[_-]?token|client[_-]?secret|private[_-]?key|refresh[_-]?token|access[_-]?token|id[_-]?token|client[_-]?assertion|account[_-]?key|sas[_-]?token|connection[_-]?string|password)`;
// A JSON string (escapes included), a single-quoted string, or a bare word not already redacted.
const VALUE = String.raw`("(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*'|(?!\[REDACTED)[^\s,;}\]]+)`;
const CLOUD_FIELD = new RegExp(`${CLOUD_KEY}(["']?\\s*[:=]\\s*)${VALUE}`, 'gi');

function replaceValue(_match: string, key: string, separator: string, value: string): string {
  const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : '';
  return `${key}${separator}${quote}${REDACTED}${quote}`;
}

/** Removes credentials from command output: redactSecrets plus cloud CLI credential fields. */
export function redactCommandOutput(text: string): string {
  return redactSecrets(text).replace(CLOUD_FIELD, replaceValue);
}

// A flag whose value is a secret, alone (`--password x`) or joined (`--password=x`).
const SECRET_FLAG = /^(--?(?:[a-z0-9]+[-_])*(?:password|passwd|pwd|token|secret|api[-_]?key|apikey|access[-_]?key|private[-_]?key|client[-_]?secret|credentials?))(=.*)?$/i;

/**
 * Redacts an argv for the custody log: the value after or inside a secret-named flag, then each element
 * as command output. Unlike capture's redactArgv it keeps long random-looking words, since role names
 * such as `eksctl-…-Role1-1A2B3C4D5E6F` are evidence, not secrets.
 */
export function redactArgvForRecord(argv: readonly string[]): string[] {
  return argv.map((arg, index) => {
    const previous = index > 0 ? (argv[index - 1] ?? '') : '';
    const flagAlone = SECRET_FLAG.exec(previous);
    if (index > 0 && flagAlone !== null && flagAlone[2] === undefined && !arg.startsWith('-')) return REDACTED;
    const joined = SECRET_FLAG.exec(arg);
    if (joined?.[1] !== undefined && joined[2] !== undefined) return `${joined[1]}=${REDACTED}`;
    return redactCommandOutput(arg);
  });
}
