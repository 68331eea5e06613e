// Reads the claims of a JWT without its signature (SEC-2, F1): header and payload only, bounded.
import { Buffer } from 'node:buffer';
import { isJsonObject, parseBoundedJson, type BoundedJson } from './bounded-json.js';
import { readKubernetesBinding, type KubernetesBinding } from './kubernetes-binding.js';
import type { CredentialWarning, CredentialWarningCode } from './types.js';

/** Caps on what `decodeJwtClaims` reads; Kubernetes tokens are about 1 KiB, cloud ID tokens a few KiB. */
export const JWT_LIMITS = { maxTokenChars: 32_768, maxJsonChars: 24_576, maxDepth: 16, maxClaimChars: 1024, maxAudiences: 32 } as const;

/** The claims kustody keeps from a JWT: issuer, subject, audiences, times, ID and Kubernetes binding. */
export interface JwtClaims {
  readonly alg: string | null;
  readonly kid: string | null;
  readonly iss: string | null;
  readonly sub: string | null;
  readonly aud: readonly string[];
  readonly exp: number | null;
  readonly iat: number | null;
  readonly nbf: number | null;
  /** The token ID, which the API server's audit log records as `authentication.kubernetes.io/credential-id`. */
  readonly jti: string | null;
  readonly kubernetes: KubernetesBinding | null;
}

/** The result of decoding a JWT: claims (null when it is not a readable JWT), expiry and warnings. */
export interface JwtDecodeResult {
  readonly claims: JwtClaims | null;
  /** `exp` as ISO-8601 UTC, when present and representable. */
  readonly expiresAt: string | null;
  readonly warnings: readonly CredentialWarning[];
}

const SEGMENT = /^[A-Za-z0-9_-]*={0,2}$/;
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** Tells whether text has the shape of a compact JWS whose header and payload are JSON objects. */
export function looksLikeJwt(text: string): boolean {
  return text.length <= JWT_LIMITS.maxTokenChars && JWT_SHAPE.test(text.trim());
}

/** Decodes a JWT's header and payload without verifying or keeping the signature; malformed input gives warnings, never a throw. */
export function decodeJwtClaims(token: string): JwtDecodeResult {
  const warnings: CredentialWarning[] = [];
  const fail = (code: CredentialWarningCode, message: string): JwtDecodeResult => ({
    claims: null,
    expiresAt: null,
    warnings: [...warnings, { code, message }],
  });
  if (token.length > JWT_LIMITS.maxTokenChars) {
    return fail('JWT_TOO_LARGE', `the token is ${token.length} characters, over the ${JWT_LIMITS.maxTokenChars} read`);
  }
  const parts = token.trim().split('.');
  if (parts.length !== 3) {
    return fail('JWT_MALFORMED', `the token has ${parts.length} dot-separated parts where a signed JWT has 3`);
  }
  const [headerPart = '', payloadPart = ''] = parts;
  const header = decodeSegment(headerPart);
  if (!header.ok) return fail(codeOf(header.reason), `the JWT header is ${describe(header.reason)}`);
  const payload = decodeSegment(payloadPart);
  if (!payload.ok) return fail(codeOf(payload.reason), `the JWT payload is ${describe(payload.reason)}`);
  if (!isJsonObject(header.value) || !isJsonObject(payload.value)) {
    return fail('JWT_NOT_JSON', 'the JWT header or payload is JSON but not an object');
  }
  const read = new ClaimReader(warnings);
  const claims: JwtClaims = {
    alg: read.text(header.value, 'alg'),
    kid: read.text(header.value, 'kid'),
    iss: read.text(payload.value, 'iss'),
    sub: read.text(payload.value, 'sub'),
    aud: read.audiences(payload.value),
    exp: read.time(payload.value, 'exp'),
    iat: read.time(payload.value, 'iat'),
    nbf: read.time(payload.value, 'nbf'),
    jti: read.text(payload.value, 'jti'),
    kubernetes: readKubernetesBinding(payload.value, (value) => read.clip(value)),
  };
  return { claims, expiresAt: read.isoTime(claims.exp), warnings };
}

// Reads claims of the right type, clipped to the caps, noting (by name only) what it had to skip.
class ClaimReader {
  constructor(private readonly warnings: CredentialWarning[]) {}

  clip(value: string): string {
    if (value.length <= JWT_LIMITS.maxClaimChars) return value;
    this.warnings.push({ code: 'JWT_BAD_CLAIM', message: `a claim of ${value.length} characters was cut to ${JWT_LIMITS.maxClaimChars}` });
    return value.slice(0, JWT_LIMITS.maxClaimChars);
  }

  text(record: Record<string, unknown>, key: string): string | null {
    if (!Object.hasOwn(record, key)) return null;
    const value = record[key];
    if (typeof value === 'string') return this.clip(value);
    this.warnings.push({ code: 'JWT_BAD_CLAIM', message: `the "${key}" claim is a ${kindOf(value)}, not a string` });
    return null;
  }

  time(record: Record<string, unknown>, key: string): number | null {
    if (!Object.hasOwn(record, key)) return null;
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.warnings.push({ code: 'JWT_BAD_CLAIM', message: `the "${key}" claim is a ${kindOf(value)}, not a NumericDate` });
    return null;
  }

  audiences(record: Record<string, unknown>): string[] {
    if (!Object.hasOwn(record, 'aud')) return [];
    const value = record.aud;
    const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
    if (list === null || !list.every((item) => typeof item === 'string')) {
      this.warnings.push({ code: 'JWT_BAD_CLAIM', message: 'the "aud" claim is neither a string nor a list of strings' });
      return [];
    }
    if (list.length > JWT_LIMITS.maxAudiences) {
      this.warnings.push({ code: 'JWT_BAD_CLAIM', message: `the "aud" claim lists ${list.length} audiences; the first ${JWT_LIMITS.maxAudiences} were kept` });
    }
    return list.slice(0, JWT_LIMITS.maxAudiences).map((item: string) => this.clip(item));
  }

  isoTime(seconds: number | null): string | null {
    if (seconds === null) return null;
    const date = new Date(seconds * 1000);
    if (Number.isNaN(date.getTime())) {
      this.warnings.push({ code: 'JWT_BAD_CLAIM', message: 'the "exp" claim is outside the range of dates' });
      return null;
    }
    return date.toISOString();
  }
}

function decodeSegment(segment: string): BoundedJson {
  if (!SEGMENT.test(segment)) return { ok: false, reason: 'not-json' };
  if (segment.length > Math.ceil((JWT_LIMITS.maxJsonChars * 4) / 3) + 4) return { ok: false, reason: 'too-large' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(segment, 'base64url'));
  } catch {
    return { ok: false, reason: 'not-json' };
  }
  return parseBoundedJson(text, { maxChars: JWT_LIMITS.maxJsonChars, maxDepth: JWT_LIMITS.maxDepth });
}

function codeOf(reason: 'too-large' | 'too-deep' | 'not-json'): CredentialWarningCode {
  return reason === 'too-large' ? 'JWT_TOO_LARGE' : reason === 'too-deep' ? 'JWT_TOO_DEEP' : 'JWT_NOT_JSON';
}

function describe(reason: 'too-large' | 'too-deep' | 'not-json'): string {
  if (reason === 'too-large') return `over ${JWT_LIMITS.maxJsonChars} characters`;
  if (reason === 'too-deep') return `nested deeper than ${JWT_LIMITS.maxDepth} levels`;
  return 'not base64url-encoded UTF-8 JSON';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'list' : typeof value;
}
