// Which environment variables hold credentials (SEC-1, SEC-3). Three nets, widest last:
//
// 1. Names. Cloud SDK variables (`CLOUD_CREDENTIAL_NAMES`) are `cloud-credential-env`. Any other name
//    is `env-credential` when, split into words at `_`, `-` and `.`, it has a word from
//    `SECRET_WORDS` (TOKEN, PASSWORD, SECRET, ...) or ends in KEY, unless its last word says it only
//    describes a credential (`*_FILE`, `*_PATH`, `*_TTL`, `*_ID`, ... in `DESCRIPTIVE_WORDS`) or it
//    is one of the variables naming a credential file (`GOOGLE_APPLICATION_CREDENTIALS`).
// 2. Value patterns, on every value whatever its name (`VALUE_PATTERNS`): JWTs, URL userinfo
//    (`postgres://u:p@db`), PEM private keys, Bearer/Basic values, `password=`-style assignments
//    (JVM `-D...password=`, connection strings), `mysql -pX`, and well-known token formats (AWS key
//    IDs, GitHub, GitLab, Slack, Google API, Stripe).
// 3. Entropy, on values of names not in the benign list (`isBenignName`): a run of 20 or more
//    `[A-Za-z0-9+/=_-]` characters that is not a sequence of words (lowercase, Capitalised, CamelCase,
//    digits, short hex like a pod hash) and whose Shannon entropy reaches 0.8 × log2(length) (at most
//    4.8 bits), with a digit and a letter; or 32+ hex digits with both digits and letters and at
//    least 3 bits. A UUID is not flagged by this net. Values over `MAX_SCANNED_CHARS` are treated as
//    credentials unscanned.
// Over-redaction loses a little evidence; under-redaction leaks a secret into a signed bundle, so
// every tie goes to "credential".
import { CREDENTIAL_FILE_VARIABLES } from './credential-paths.js';
import type { CredentialKind } from './types.js';

/** Variables cloud SDKs read credentials from; their values are always `cloud-credential-env`. */
export const CLOUD_CREDENTIAL_NAMES: ReadonlySet<string> = new Set([
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_PASSWORD', 'AZURE_STORAGE_KEY', 'AZURE_STORAGE_ACCESS_KEY',
  'AZURE_STORAGE_CONNECTION_STRING', 'AZURE_STORAGE_SAS_TOKEN', 'ARM_CLIENT_SECRET', 'ARM_ACCESS_KEY',
  'GOOGLE_API_KEY', 'GOOGLE_CREDENTIALS', 'GOOGLE_OAUTH_ACCESS_TOKEN', 'CLOUDSDK_AUTH_ACCESS_TOKEN',
  'DIGITALOCEAN_TOKEN', 'DIGITALOCEAN_ACCESS_TOKEN', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'OS_PASSWORD', 'HCLOUD_TOKEN',
]);

/** Name words that mark a credential wherever they stand in the name. */
export const SECRET_WORDS: ReadonlySet<string> = new Set([
  'TOKEN', 'TOKENS', 'PASSWORD', 'PASSWD', 'PASS', 'PWD', 'PASSPHRASE', 'SECRET', 'SECRETS', 'CREDENTIAL', 'CREDENTIALS',
  'CREDS', 'APIKEY', 'PRIVATEKEY', 'AUTH', 'DSN', 'COOKIE', 'SESSION', 'BEARER',
]);

/** Last name words that describe a credential without holding one (`TOKEN_FILE` holds a path). */
export const DESCRIPTIVE_WORDS: ReadonlySet<string> = new Set([
  'FILE', 'PATH', 'DIR', 'DIRECTORY', 'TYPE', 'ID', 'NAME', 'ENABLED', 'LENGTH', 'TTL', 'EXPIRY', 'EXPIRATION', 'AUDIENCE',
  'ENDPOINT', 'ALGORITHM', 'MODE', 'METHOD', 'FORMAT', 'HEADER', 'TIMEOUT', 'REGION',
]);

/** Longest value the pattern and entropy nets read; longer values count as credentials unread. */
export const MAX_SCANNED_CHARS = 65_536;

const B = '(?<![A-Za-z0-9_-])';
/** The value patterns of net 2, by the ID recorded in `claims_json`; each starts at a run boundary so it runs in linear time. */
export const VALUE_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['jwt', new RegExp(`${B}eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.`)],
  ['url-userinfo', /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s/@]+@/i],
  ['private-key', /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/],
  ['auth-scheme', /\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/i],
  ['secret-assignment', /(?:password|passwd|pwd|pass|secret|token|api[_-]?key|access[_-]?key|accountkey|sharedaccesskey|sig)["']?\s*[:=]\s*["']?[^\s"'&;,]{3,}/i],
  ['mysql-password-flag', /(?:^|\s)-p[^\s-]\S{2,}/],
  ['aws-access-key-id', /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/],
  ['github-token', new RegExp(`${B}(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})`)],
  ['gitlab-token', new RegExp(`${B}glpat-[A-Za-z0-9_-]{20,}`)],
  ['slack-token', new RegExp(`${B}xox[abposr]-[A-Za-z0-9-]{10,}`)],
  ['google-api-key', new RegExp(`${B}AIza[0-9A-Za-z_-]{35}`)],
  ['stripe-key', new RegExp(`${B}[rs]k_(?:live|test)_[0-9A-Za-z]{16,}`)],
];

const SERVICE_LINK = /^[A-Z0-9_]+_(?:SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT(?:_\d+_(?:TCP|UDP|SCTP)(?:_(?:PROTO|PORT|ADDR))?)?)$/;
const BENIGN = new Set(['HOSTNAME', 'HOME', 'PATH', 'PWD', 'OLDPWD', 'TERM', 'LANG', 'LANGUAGE', 'SHELL', 'USER', 'LOGNAME', 'SHLVL', 'TZ']);

/** Tells whether a name is a runtime or Kubernetes service-link variable whose value the entropy net skips. */
export function isBenignName(name: string): boolean {
  return BENIGN.has(name) || name.startsWith('LC_') || name.endsWith('_VERSION') || SERVICE_LINK.test(name);
}

/** Applies net 1: the kind a variable's name alone gives it, or null when the name says nothing. */
export function kindFromName(name: string): CredentialKind | null {
  const upper = name.toUpperCase();
  if (CLOUD_CREDENTIAL_NAMES.has(upper)) return 'cloud-credential-env';
  // GOOGLE_APPLICATION_CREDENTIALS and friends hold a path; the file they name is the credential.
  if (Object.hasOwn(CREDENTIAL_FILE_VARIABLES, upper)) return null;
  const words = upper.split(/[_.-]+/).filter((word) => word !== '');
  const last = words[words.length - 1];
  if (last === undefined || DESCRIPTIVE_WORDS.has(last) || upper === 'PWD' || upper === 'OLDPWD') return null;
  return words.some((word) => SECRET_WORDS.has(word)) || last === 'KEY' ? 'env-credential' : null;
}

/** Applies net 2: the ID of the first value pattern the text matches, or null. */
export function matchValuePattern(text: string): string | null {
  for (const [id, pattern] of VALUE_PATTERNS) if (pattern.test(text)) return id;
  return null;
}

const WORD = /^(?:[a-z]+|[A-Z][a-z]*|[A-Z]+|\d+|[0-9a-f]{1,12}|[A-Z]?[a-z]+(?:[A-Z][a-z]+)*\d*)$/;

/** Applies net 3: whether some run of token characters in the text looks random enough to be a secret. */
export function looksRandom(text: string): boolean {
  // An absolute path (PYENV_DIR=/tmp/kustody-bench-Ab3xQ9) is judged component by component: a random
  // mkdtemp suffix is not a credential, but a long random component still is.
  if (/^(\/[A-Za-z0-9._+=-]+){2,}\/?$/.test(text)) return text.split('/').some((part) => part.length >= 20 && looksRandom(part.replace(/[/]/g, '')));
  for (const run of text.match(/[A-Za-z0-9+/=_-]{20,}/g) ?? []) {
    if (/^[0-9a-fA-F]+$/.test(run)) {
      if (run.length >= 32 && /\d/.test(run) && /[a-f]/i.test(run) && entropy(run) >= 3) return true;
      continue;
    }
    // Words joined by separators are names, even with one short random part (a mkdtemp suffix): a
    // secret needs more than 8 characters outside plain words.
    const odd = run.split(/[+/=_-]+/).filter((segment) => !WORD.test(segment) && segment !== '');
    if (odd.reduce((sum, segment) => sum + segment.length, 0) <= 8) continue;
    if (!/\d/.test(run) || !/[A-Za-z]/.test(run)) continue;
    if (entropy(run) >= Math.min(0.8 * Math.log2(run.length), 4.8)) return true;
  }
  return false;
}

/** Shannon entropy of a string in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
