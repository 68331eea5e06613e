/**
 * Removes secrets from a command line before it is stored or shown (threat model F3): values of
 * password- and token-like flags, `mysql -pX`, URL userinfo, bearer tokens and JWTs, and long
 * high-entropy arguments as a second net. A redacted value is replaced by `[redacted <fingerprint>]`
 * so two captures can still be compared without the value.
 */

import { entropy } from '../credentials/env-rules.js';

/** Turns a secret value into a non-reversible label (the case's keyed fingerprint). */
export type Fingerprint = (value: string) => string;

const SECRET_FLAG = /^(--?(?:[a-z0-9]+[-_])*(?:password|passwd|pass|pwd|token|secret|api[-_]?key|apikey|access[-_]?key|private[-_]?key|client[-_]?secret|auth|credentials?))(=)(.+)$/i;
const SECRET_FLAG_ALONE = /^--?(?:[a-z0-9]+[-_])*(?:password|passwd|pwd|token|secret|api[-_]?key|apikey|access[-_]?key|private[-_]?key|client[-_]?secret|credentials?)$/i;
const MYSQL_LIKE = /(^|\/)(mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)$/;
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)([^\s/@]+)(@)/gi;
const BEARER = /(bearer\s+)([A-Za-z0-9._~+/=-]{8,})/gi;
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const LONG_TOKEN = /^[A-Za-z0-9+/=_-]{32,}$/;

/** Returns the arguments with every secret-looking value replaced, and how many were replaced. */
export function redactArgv(args: readonly string[], fingerprint: Fingerprint): { args: string[]; redacted: number } {
  let redacted = 0;
  const label = (value: string) => {
    redacted += 1;
    return `[redacted ${fingerprint(value)}]`;
  };
  const program = args[0] ?? '';
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const previous = i > 0 ? (args[i - 1] ?? '') : '';
    if (i > 0 && SECRET_FLAG_ALONE.test(previous) && !arg.startsWith('-')) {
      out.push(label(arg));
      continue;
    }
    const flag = SECRET_FLAG.exec(arg);
    if (flag !== null && flag[1] !== undefined && flag[3] !== undefined) {
      out.push(`${flag[1]}=${label(flag[3])}`);
      continue;
    }
    if (MYSQL_LIKE.test(program) && /^-p.+/.test(arg)) {
      out.push(`-p${label(arg.slice(2))}`);
      continue;
    }
    out.push(redactInline(arg, label));
  }
  return { args: out, redacted };
}

/** Redacts secrets inside one string: URL userinfo, bearer tokens, JWTs, or the whole value when it is one long high-entropy token. */
export function redactInline(text: string, label: (value: string) => string): string {
  if (LONG_TOKEN.test(text) && entropy(text) >= 4.2) return label(text);
  return text
    .replace(URL_USERINFO, (_m, head: string, secret: string, at: string) => `${head}${label(secret)}${at}`)
    .replace(BEARER, (_m, head: string, secret: string) => `${head}${label(secret)}`)
    .replace(JWT, (token) => label(token));
}
