// Credential logic (SEC-1..SEC-3, F1..F7): pure functions that find, fingerprint and describe secrets without keeping them.
export type { CredentialFile, CredentialKind, CredentialRecord, CredentialWarning, CredentialWarningCode, EnvPair } from './types.js';
export { CASE_KEY_BYTES, FINGERPRINT_PREFIX, fingerprintCredential, fingerprintSecret, isFingerprint } from './fingerprint.js';
export type { JwtClaims, JwtDecodeResult } from './jwt-claims.js';
export { decodeJwtClaims, JWT_LIMITS, looksLikeJwt } from './jwt-claims.js';
export type { BoundObject, KubernetesBinding } from './kubernetes-binding.js';
export { jwtClaimsObject, summarizeGcpCredentials } from './claims-json.js';
export type { GcpSummary } from './claims-json.js';
export type { PodSpecLike, ContainerLike, VolumeLike } from './pod-spec.js';
export type { CredentialPath } from './credential-paths.js';
export { credentialPaths, matchCredentialPath, containerPath, DEFAULT_TOKEN_PATH, CREDENTIAL_FILE_VARIABLES } from './credential-paths.js';
export {
  CLOUD_CREDENTIAL_NAMES, DESCRIPTIVE_WORDS, entropy, isBenignName, kindFromName, looksRandom, matchValuePattern, MAX_SCANNED_CHARS,
  SECRET_WORDS, VALUE_PATTERNS,
} from './env-rules.js';
export type { EnvFinding, EnvRule, EnvSources, EnvVerdict } from './classify-environ.js';
export { classifyEnv, envSources, findEnvCredential } from './classify-environ.js';
export type { CredentialFacts, DetectedCredentials, DetectOptions } from './detect-credentials.js';
export { detectCredentials } from './detect-credentials.js';
export type { RedactedEnvPair, RedactEnvironOptions } from './redact-environ.js';
export { redactEnviron } from './redact-environ.js';
export type { LiveTokenInfo } from './live-token.js';
export { LiveTokenHandle } from './live-token.js';
export type { SecretEncoding, SecretHit } from './canary.js';
export { findSecretInBytes, secretEncodings, textContainsSecret } from './canary.js';
