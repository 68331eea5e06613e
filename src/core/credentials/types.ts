// The shapes kustody stores for credentials: where a secret was found and who it names, never its value.

/** What kind of credential a record describes; the name says where it came from, not its strength. */
export type CredentialKind =
  | 'serviceaccount-token'
  | 'projected-token'
  | 'secret-file'
  | 'secret-env'
  | 'env-credential'
  | 'cloud-credential-env'
  | 'aws-web-identity-token'
  | 'aws-pod-identity-token'
  | 'gcp-credentials-file'
  | 'azure-federated-token';

/** Why part of a credential could not be read; stable for machines, and never quoting the secret. */
export type CredentialWarningCode =
  | 'BAD_PATH'
  | 'JWT_BAD_CLAIM'
  | 'JWT_MALFORMED'
  | 'JWT_NOT_JSON'
  | 'JWT_TOO_DEEP'
  | 'JWT_TOO_LARGE'
  | 'JSON_MALFORMED'
  | 'UNLISTED_FILE';

/** A problem met while reading one credential; its message names positions and lengths, never content. */
export interface CredentialWarning {
  readonly code: CredentialWarningCode;
  readonly message: string;
}

/** One row of the `credentials` table: kind, location, subject, keyed fingerprint, expiry and non-secret claims. */
export interface CredentialRecord {
  readonly kind: CredentialKind;
  /** `env:NAME` for an environment variable, `file:/abs/path` for a file in the container. */
  readonly location: string;
  /** Who the credential names (a JWT's `sub`, a ServiceAccount, a cloud principal), when known. */
  readonly subject: string | null;
  /** `hmac-sha256:<hex>` keyed with the case key, see `fingerprintSecret`. */
  readonly fingerprint: string;
  /** ISO-8601 UTC expiry (a JWT's `exp`), when known. */
  readonly expiresAt: string | null;
  /** Whether the credential had expired at the `now` the detection was given, when its expiry is known. */
  readonly expired: boolean | null;
  /** Canonical JSON of the non-secret facts (claims without signature, Secret and key names, which rule matched). */
  readonly claimsJson: string;
  /** The process the credential was found in, or null for one found only in the pod spec or a file. */
  readonly pid: number | null;
  readonly warnings: readonly CredentialWarning[];
}

/** One environment entry as parsed from `/proc/<pid>/environ`; `value` is null for an entry without `=`. */
export interface EnvPair {
  readonly name: string;
  readonly value: string | Uint8Array | null;
}

/** A file read from the container at a path `credentialPaths` named (or inside a directory it named). */
export interface CredentialFile {
  /** The absolute path inside the container. */
  readonly path: string;
  readonly content: Uint8Array;
}
