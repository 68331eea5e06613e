// Turns what a capture saw (environ, pod spec, files read at credential paths) into `credentials`
// rows (F1, F2): fingerprints and non-secret claims only. Raw values stay in the caller's input;
// the one exception, live JWTs for later TokenReview checks, is returned inside `LiveTokenHandle`s.
import { canonicalJson } from '../custody/canonical-json.js';
import { jwtClaimsObject, summarizeGcpCredentials } from './claims-json.js';
import { envSources, findEnvCredential, envText } from './classify-environ.js';
import { credentialPaths, matchCredentialPath, type CredentialPath } from './credential-paths.js';
import { fingerprintCredential } from './fingerprint.js';
import { decodeJwtClaims, looksLikeJwt } from './jwt-claims.js';
import { LiveTokenHandle } from './live-token.js';
import type { PodSpecLike } from './pod-spec.js';
import type { CredentialFile, CredentialKind, CredentialRecord, CredentialWarning, EnvPair } from './types.js';

/** What a capture knows about one process or container. */
export interface CredentialFacts {
  readonly pid?: number | null;
  /** The pod's namespace, to name its ServiceAccount when a token cannot be read. */
  readonly namespace?: string;
  readonly podSpec?: PodSpecLike;
  readonly containerName?: string;
  /** The process's environment, as parsed from `/proc/<pid>/environ`. */
  readonly environ?: readonly EnvPair[];
  /** Files read at the paths `credentialPaths` returned (or inside its directories). */
  readonly files?: readonly CredentialFile[];
}

/** The per-case fingerprint key and the moment to judge expiry against. */
export interface DetectOptions {
  readonly caseKey: Uint8Array;
  readonly now: Date;
}

/** Credential rows to store, and the live tokens (one per distinct token) to keep in memory only. */
export interface DetectedCredentials {
  readonly records: readonly CredentialRecord[];
  readonly liveTokens: readonly LiveTokenHandle[];
}

const TOKEN_KINDS: ReadonlySet<CredentialKind> = new Set([
  'serviceaccount-token', 'projected-token', 'aws-web-identity-token', 'aws-pod-identity-token', 'azure-federated-token',
]);
// Identifiers a workload-identity token is exchanged for; they name the cloud principal, not a secret.
const IDENTITY_VARIABLES = ['AWS_ROLE_ARN', 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID'] as const;

/** Finds every credential in the facts and describes each by kind, location, subject, fingerprint, expiry and claims. */
export function detectCredentials(facts: CredentialFacts, options: DetectOptions): DetectedCredentials {
  const environ = facts.environ ?? [];
  const sources = envSources(facts.podSpec, facts.containerName);
  const paths = credentialPaths(facts.podSpec, facts.containerName ?? '', environ);
  const out = new Collector(options, facts.pid ?? null);
  environ.forEach((pair, index) => {
    const found = findEnvCredential(pair, index, sources);
    if (found === null) return;
    const { kind, rule, facts: ruleFacts } = found.verdict;
    out.add(kind, found.location, found.secret, { rule, ...ruleFacts }, null);
  });
  const identity = identityFacts(environ, (pair, index) => findEnvCredential(pair, index, sources) === null);
  for (const file of facts.files ?? []) {
    const match = matchCredentialPath(paths, file.path);
    const where: CredentialPath = match ?? { path: file.path, kind: 'secret-file', directory: false, sources: [] };
    const warnings: CredentialWarning[] = match === undefined
      ? [{ code: 'UNLISTED_FILE', message: 'the file is not at a credential path of this container' }]
      : [];
    const base = { sources: where.sources, secret: where.secretName, key: where.key, audience: where.audience };
    if (where.kind === 'gcp-credentials-file') {
      const gcp = summarizeGcpCredentials(file.content);
      out.add(where.kind, `file:${where.path}`, file.content, { ...base, gcp: gcp.facts }, gcp.subject, [...warnings, ...gcp.warnings]);
      continue;
    }
    const cloud = where.kind.startsWith('aws-') || where.kind.startsWith('azure-') ? identity : {};
    const fallback = where.kind === 'serviceaccount-token' ? serviceAccountName(facts) : null;
    out.add(where.kind, `file:${where.path}`, file.content, { ...base, ...cloud }, fallback, warnings);
  }
  return { records: out.records, liveTokens: [...out.tokens.values()] };
}

// Builds records, decoding JWTs wherever one is found, and keeps one live handle per distinct token.
class Collector {
  readonly records: CredentialRecord[] = [];
  readonly tokens = new Map<string, LiveTokenHandle>();

  constructor(private readonly options: DetectOptions, private readonly pid: number | null) {}

  add(kind: CredentialKind, location: string, secret: string | Uint8Array, claims: Record<string, unknown>, subject: string | null, warnings: CredentialWarning[] = []): void {
    const text = envText(secret).trim();
    const isJwt = looksLikeJwt(text);
    if (!isJwt && !TOKEN_KINDS.has(kind)) {
      this.push(kind, location, fingerprintCredential(this.options.caseKey, secret), subject, null, claims, warnings);
      return;
    }
    // A token file is decoded even when it does not look like a JWT, so the row says why it could not be read.
    const decoded = decodeJwtClaims(text);
    const jwt = decoded.claims;
    const fingerprint = fingerprintCredential(this.options.caseKey, secret);
    const who = jwt?.sub ?? subject;
    this.push(kind, location, fingerprint, who, decoded.expiresAt, jwt === null ? claims : { ...claims, jwt: jwtClaimsObject(jwt) }, [...warnings, ...decoded.warnings]);
    if (jwt !== null && !this.tokens.has(fingerprint)) {
      this.tokens.set(fingerprint, new LiveTokenHandle(text, this.options.caseKey, { kind, location, subject: who, audiences: jwt.aud, expiresAt: decoded.expiresAt }));
    }
  }

  private push(kind: CredentialKind, location: string, fingerprint: string, subject: string | null, expiresAt: string | null, claims: Record<string, unknown>, warnings: CredentialWarning[]): void {
    const expired = expiresAt === null ? null : Date.parse(expiresAt) <= this.options.now.getTime();
    this.records.push({ kind, location, subject, fingerprint, expiresAt, expired, claimsJson: canonicalJson(claims), pid: this.pid, warnings });
  }
}

function identityFacts(environ: readonly EnvPair[], isPlain: (pair: EnvPair, index: number) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  environ.forEach((pair, index) => {
    const name = IDENTITY_VARIABLES.find((candidate) => candidate === pair.name);
    if (name === undefined || pair.value === null || !isPlain(pair, index)) return;
    // Only short printable values: these are ARNs and GUIDs, and anything else is not what it claims.
    const text = envText(pair.value);
    if (/^[\x21-\x7e]{1,256}$/.test(text)) out[name] = text;
  });
  return out;
}

function serviceAccountName(facts: CredentialFacts): string | null {
  const name = typeof facts.podSpec?.serviceAccountName === 'string' ? facts.podSpec.serviceAccountName : 'default';
  return facts.namespace === undefined ? null : `system:serviceaccount:${facts.namespace}:${name}`;
}
