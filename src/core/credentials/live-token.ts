// A raw token kept in memory for the rest of the response (TokenReview, revocation checks), shaped so
// that logging, inspecting, string conversion or JSON.stringify shows its fingerprint and never its value.
import { fingerprintSecret } from './fingerprint.js';
import type { CredentialKind } from './types.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** What is known about a live token besides its value. */
export interface LiveTokenInfo {
  readonly kind: CredentialKind;
  readonly location: string;
  readonly subject: string | null;
  readonly audiences: readonly string[];
  readonly expiresAt: string | null;
}

/** Holds a raw token for later checks; every printable form is `[token <fingerprint>]`. */
export class LiveTokenHandle {
  // An ES private field: not an own property, so spread, Object.keys, structuredClone and inspect miss it.
  readonly #token: string;
  readonly fingerprint: string;
  readonly kind: CredentialKind;
  readonly location: string;
  readonly subject: string | null;
  readonly audiences: readonly string[];
  readonly expiresAt: string | null;

  constructor(token: string, caseKey: Uint8Array, info: LiveTokenInfo) {
    this.#token = token;
    this.fingerprint = fingerprintSecret(caseKey, token);
    this.kind = info.kind;
    this.location = info.location;
    this.subject = info.subject;
    this.audiences = [...info.audiences];
    this.expiresAt = info.expiresAt;
  }

  /** Returns the raw token, for a TokenReview or an authenticated probe only; never log or store it. */
  reveal(): string {
    return this.#token;
  }

  /** Tells whether the token's `exp` has passed at `now`; false when its expiry is unknown. */
  isExpiredAt(now: Date): boolean {
    return this.expiresAt !== null && Date.parse(this.expiresAt) <= now.getTime();
  }

  /** Shows the fingerprint only. */
  toString(): string {
    return `[token ${this.fingerprint}]`;
  }

  /** Serialises as the fingerprint only, so JSON.stringify of a structure holding handles is safe. */
  toJSON(): string {
    return this.toString();
  }

  /** Converts to the fingerprint form in template literals and string concatenation. */
  [Symbol.toPrimitive](): string {
    return this.toString();
  }

  /** Shows the fingerprint form in console.log and util.inspect. */
  [INSPECT](): string {
    return this.toString();
  }
}
