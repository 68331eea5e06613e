// Every form a secret could take in something kustody writes (F7, SEC-3), and a scanner for them.
// Tests plant a canary and scan the SQLite file, its -wal, logs and terminal output; the runtime
// can run the same scan over its own outputs against the secrets it holds in memory.
import { Buffer } from 'node:buffer';

/** One encoding of a secret: its name, its bytes as they would sit in a file, and its text for string haystacks. */
export interface SecretEncoding {
  readonly encoding: string;
  readonly bytes: Uint8Array;
  readonly text: string;
}

/** Where an encoding of the secret was found; `unwrapped` hits were found only after removing CR and LF (wrapped base64 or hex). */
export interface SecretHit {
  readonly encoding: string;
  readonly offset: number;
  readonly unwrapped: boolean;
}

// A base64 core shorter than this would match random data too often to mean anything.
const MIN_CORE_CHARS = 8;
const MAX_HITS_PER_ENCODING = 16;

/**
 * Lists the value in plain UTF-8 and UTF-16LE; base64 and base64url with and without padding, plus
 * the part that stays the same wherever the value sits inside a larger base64 blob (each of the
 * three byte alignments); hex lower and upper, and as spaced bytes (`<Buffer 73 65 …>`, which
 * `util.inspect` cuts after 50 bytes); decimal byte lists (`JSON.stringify(buffer)`) and
 * `JSON.stringify(uint8array)`'s `{"0":115,…}`; percent-encoding (URI component and every byte, both
 * cases); and JSON string escaping (as is and ASCII-only). Forms that are byte-identical are listed once.
 */
export function secretEncodings(value: string | Uint8Array): SecretEncoding[] {
  const bytes = Buffer.from(typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
  if (bytes.length === 0) return [];
  const text = bytes.toString('utf8');
  const out = new Map<string, SecretEncoding>();
  const add = (encoding: string, form: string | Buffer): void => {
    const formBytes = typeof form === 'string' ? Buffer.from(form, 'utf8') : form;
    const key = formBytes.toString('hex');
    if (formBytes.length > 0 && !out.has(key)) out.set(key, { encoding, bytes: new Uint8Array(formBytes), text: typeof form === 'string' ? form : text });
  };
  add('plain', bytes);
  add('utf16le', Buffer.from(text, 'utf16le'));
  for (const alphabet of ['base64', 'base64url'] as const) {
    const bare = bytes.toString('base64url');
    const full = alphabet === 'base64' ? bytes.toString('base64') : padded(bare);
    add(alphabet, full);
    add(`${alphabet}-unpadded`, full.replace(/=+$/, ''));
    for (const shift of [0, 1, 2]) {
      const core = base64Core(bytes, shift, alphabet);
      if (core.length >= MIN_CORE_CHARS) add(`${alphabet}-shift${shift}`, core);
    }
  }
  const hex = bytes.toString('hex');
  add('hex', hex);
  add('hex-upper', hex.toUpperCase());
  add('hex-spaced', hex.replace(/(..)(?!$)/g, '$1 '));
  add('decimal-list', [...bytes].join(','));
  add('decimal-list-spaced', [...bytes].join(', '));
  add('json-typed-array', [...bytes].map((byte, index) => `"${index}":${byte}`).join(','));
  add('percent', encodeURIComponent(text));
  add('percent-every-byte', hex.toUpperCase().replace(/(..)/g, '%$1'));
  add('percent-every-byte-lower', hex.replace(/(..)/g, '%$1'));
  const json = JSON.stringify(text).slice(1, -1);
  add('json', json);
  add('json-ascii', json.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return [...out.values()];
}

/** Finds every encoding of the value in the bytes (at most 16 hits per encoding); an empty value is found nowhere. */
export function findSecretInBytes(haystack: Uint8Array, value: string | Uint8Array): SecretHit[] {
  const encodings = secretEncodings(value);
  const hay = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
  const hits: SecretHit[] = [];
  for (const { encoding, bytes } of encodings) {
    for (const offset of occurrences(hay, bytes)) hits.push({ encoding, offset, unwrapped: false });
  }
  if (hay.includes(0x0a) || hay.includes(0x0d)) {
    // Base64 and hex are often wrapped at 64 or 76 columns: search again with line breaks removed.
    const positions = new Uint32Array(hay.length);
    const joined = Buffer.alloc(hay.length);
    let kept = 0;
    for (let index = 0; index < hay.length; index += 1) {
      const byte = hay[index] ?? 0;
      if (byte === 0x0a || byte === 0x0d) continue;
      positions[kept] = index;
      joined[kept] = byte;
      kept += 1;
    }
    const seen = new Set(hits.map((hit) => `${hit.encoding}@${hit.offset}`));
    for (const { encoding, bytes } of encodings) {
      if (!encoding.startsWith('base64') && !encoding.startsWith('hex')) continue;
      for (const at of occurrences(joined.subarray(0, kept), bytes)) {
        const offset = positions[at] ?? at;
        if (!seen.has(`${encoding}@${offset}`)) hits.push({ encoding, offset, unwrapped: true });
      }
    }
  }
  return hits;
}

/** Tells whether any string holds any encoding of the value, for checking text a test captured. */
export function textContainsSecret(haystack: string, value: string | Uint8Array): string | null {
  for (const { encoding, text } of secretEncodings(value)) if (encoding !== 'utf16le' && haystack.includes(text)) return encoding;
  return null;
}

// The base64 characters that depend only on the value when it starts `shift` bytes into a 3-byte group:
// skip the characters mixed with the bytes before it, and the last one mixed with the bytes after it.
function base64Core(bytes: Buffer, shift: number, alphabet: 'base64' | 'base64url'): string {
  const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString(alphabet).replace(/=+$/, '');
  const skip = [0, 2, 3][shift] ?? 0;
  const tail = (shift + bytes.length) % 3 === 0 ? 0 : 1;
  return encoded.slice(skip, encoded.length - tail);
}

function padded(bare: string): string {
  return bare + '='.repeat((4 - (bare.length % 4)) % 4);
}

function occurrences(hay: Buffer, needle: Uint8Array): number[] {
  const found: number[] = [];
  let from = 0;
  while (found.length < MAX_HITS_PER_ENCODING) {
    const at = hay.indexOf(needle, from);
    if (at === -1) break;
    found.push(at);
    from = at + 1;
  }
  return found;
}
