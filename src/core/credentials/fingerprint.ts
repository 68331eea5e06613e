// Keyed fingerprints for secrets (SEC-2): equal values match within a case, nobody can reverse them.
//
// Why not a plain SHA-256? A fingerprint is stored in the evidence bundle, and a bundle travels: to
// colleagues, lawyers, a court. Many secrets have little entropy (a 4-digit PIN, a dictionary
// password, an 8-character database password). Anyone holding the bundle could hash every candidate
// and compare, recovering the secret in seconds. HMAC-SHA256 keyed with a random 32-byte case key that
// lives only beside the case (never in the bundle) makes that impossible without the key, while two
// sightings of the same value inside one case still get the same fingerprint.
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { looksLikeJwt } from './jwt-claims.js';

/** The length in bytes of a per-case fingerprint key. */
export const CASE_KEY_BYTES = 32;

/** The prefix of every fingerprint, naming the algorithm so a later format can differ. */
export const FINGERPRINT_PREFIX = 'hmac-sha256:';

/** Returns `hmac-sha256:<hex>` of the value keyed with the per-case key; strings are hashed as UTF-8. */
export function fingerprintSecret(caseKey: Uint8Array, value: Uint8Array | string): string {
  if (caseKey.length !== CASE_KEY_BYTES) {
    // The message names the length only: a wrong argument order must not echo a secret.
    throw new TypeError(`the case key must be ${CASE_KEY_BYTES} bytes, got ${caseKey.length}`);
  }
  const mac = createHmac('sha256', caseKey);
  mac.update(typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
  return FINGERPRINT_PREFIX + mac.digest('hex');
}

/** Tells whether a string has the shape of a fingerprint this module makes. */
export function isFingerprint(text: string): boolean {
  return /^hmac-sha256:[0-9a-f]{64}$/.test(text);
}

/**
 * Fingerprints a found credential: a JWT without the whitespace around it (so one token in a file
 * and in a variable gets one fingerprint, as TokenReview sees it), anything else byte for byte.
 */
export function fingerprintCredential(caseKey: Uint8Array, value: Uint8Array | string): string {
  const text = typeof value === 'string' ? value : new TextDecoder('utf-8').decode(value);
  const trimmed = text.trim();
  return fingerprintSecret(caseKey, trimmed !== text && looksLikeJwt(trimmed) ? trimmed : value);
}
