// The non-secret facts of a credential, shaped for `claims_json`.
import { isJsonObject, ownObject, ownString, parseBoundedJson } from './bounded-json.js';
import type { JwtClaims } from './jwt-claims.js';
import { bindingJson, dropNulls } from './kubernetes-binding.js';
import type { CredentialWarning } from './types.js';

/** Shapes decoded JWT claims like the token's own header and payload names, leaving out what was absent. */
export function jwtClaimsObject(claims: JwtClaims): Record<string, unknown> {
  return dropNulls({
    alg: claims.alg,
    kid: claims.kid,
    iss: claims.iss,
    sub: claims.sub,
    aud: claims.aud.length === 0 ? null : claims.aud,
    exp: claims.exp,
    iat: claims.iat,
    nbf: claims.nbf,
    jti: claims.jti,
    'kubernetes.io': claims.kubernetes === null ? null : bindingJson(claims.kubernetes),
  });
}

// Fields of a Google credentials file that identify it without granting anything; `private_key`,
// `client_secret` and `refresh_token` are never read out.
const GCP_FIELDS = [
  'type', 'project_id', 'client_email', 'client_id', 'private_key_id', 'universe_domain', 'quota_project_id',
  'audience', 'subject_token_type', 'token_url', 'service_account_impersonation_url',
] as const;

/** What a `GOOGLE_APPLICATION_CREDENTIALS` file says about itself: its type and principal, never its keys. */
export interface GcpSummary {
  readonly subject: string | null;
  readonly facts: Record<string, unknown>;
  readonly warnings: readonly CredentialWarning[];
}

/** Reads the identifying fields of a Google credentials JSON file (at most 64 KiB, 8 levels deep). */
export function summarizeGcpCredentials(content: Uint8Array): GcpSummary {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return { subject: null, facts: {}, warnings: [{ code: 'JSON_MALFORMED', message: 'the credentials file is not UTF-8' }] };
  }
  const parsed = parseBoundedJson(text, { maxChars: 65_536, maxDepth: 8 });
  if (!parsed.ok || !isJsonObject(parsed.value)) {
    const why = parsed.ok ? 'not a JSON object' : parsed.reason === 'not-json' ? 'not JSON' : `${parsed.reason.replace('-', ' ')}`;
    return { subject: null, facts: {}, warnings: [{ code: 'JSON_MALFORMED', message: `the credentials file is ${why}` }] };
  }
  const record = parsed.value;
  const facts: Record<string, unknown> = {};
  for (const field of GCP_FIELDS) {
    const value = ownString(record, field);
    if (value !== undefined) facts[field] = value.slice(0, 1024);
  }
  const sourceFile = ownString(ownObject(record, 'credential_source') ?? {}, 'file');
  if (sourceFile !== undefined) facts.credential_source_file = sourceFile.slice(0, 4096);
  const subject = ownString(record, 'client_email') ?? null;
  return { subject: subject === null ? null : subject.slice(0, 1024), facts, warnings: [] };
}
