// Tokens the case already captured from the pod (the `credentials` table's non-secret claims), and
// the legacy token Secrets they or the ServiceAccount name. The responder cannot list Secrets, so
// these two are the only ways kustody learns a legacy token's Secret name.
import { listOf, textOf } from '../credentials/pod-spec.js';
import type { CapturedCredential, Identity, RevokeFlag, ServiceAccountLike } from './types.js';
import { capturedTokenValidity, legacyTokenValidity } from './validity.js';

/** The claims of a captured JWT that matter here. */
interface TokenClaims {
  readonly jti: string | null;
  readonly aud: readonly string[];
  readonly exp: string | null;
  readonly namespace: string | null;
  readonly pod: { name: string | null; uid: string | null } | null;
  readonly serviceAccount: { name: string | null; uid: string | null } | null;
  readonly secret: string | null;
}

/** What the pod is, to decide which captured tokens are its own. */
export interface TokenOwner {
  readonly namespace: string;
  readonly pod: string;
  readonly podUid: string | null;
  readonly serviceAccount: string;
  readonly serviceAccountUid: string | null;
}

/** Lists each distinct captured token of this pod or its ServiceAccount, with how long it stays valid. */
export function capturedTokens(rows: readonly CapturedCredential[], owner: TokenOwner, now: Date): Identity[] {
  const seen = new Set<string>();
  const out: Identity[] = [];
  for (const row of rows) {
    const claims = tokenClaims(row.claimsJson);
    if (claims === null || seen.has(row.fingerprint) || !belongsTo(row, claims, owner)) continue;
    seen.add(row.fingerprint);
    const podName = claims.pod?.name ?? null;
    const boundTo = podName !== null ? `pod ${owner.namespace}/${podName}` : claims.secret !== null ? `Secret ${claims.secret}` : null;
    const revokeWith: RevokeFlag[] = claims.secret !== null ? ['--legacy-tokens', '--rotate-sa'] : ['--delete-pod', '--rotate-sa'];
    if (claims.aud.some((aud) => aud === 'sts.amazonaws.com' || aud === 'pods.eks.amazonaws.com')) revokeWith.push('--cloud');
    const podRecreated = changedUid(podName === owner.pod ? claims.pod?.uid : null, owner.podUid);
    const saRecreated = changedUid(claims.serviceAccount?.name === owner.serviceAccount ? claims.serviceAccount.uid : null, owner.serviceAccountUid);
    const replaced = podRecreated === true ? `pod ${owner.namespace}/${owner.pod}` : saRecreated === true ? `ServiceAccount ${owner.namespace}/${owner.serviceAccount}` : null;
    out.push({
      kind: 'captured-token', name: claims.jti ?? row.location,
      facts: {
        credential_kind: row.kind, location: row.location, fingerprint: row.fingerprint, jti: claims.jti, audience: claims.aud, expires_at: claims.exp ?? row.expiresAt,
        bound_pod: claims.pod?.name ?? null, bound_pod_uid: claims.pod?.uid ?? null, bound_secret: claims.secret,
        pod_recreated: podRecreated, service_account_recreated: saRecreated,
      },
      usedBy: [`captured from ${row.target} at ${row.location}`],
      validity: replaced === null ? capturedTokenValidity(claims.exp ?? row.expiresAt, boundTo, now) : replacedValidity(replaced), revokeWith,
    });
  }
  return out;
}

/** Lists the legacy token Secrets named by the ServiceAccount's `secrets` list or by captured tokens' claims. */
export function legacyTokens(rows: readonly CapturedCredential[], serviceAccount: ServiceAccountLike | null, owner: TokenOwner, now: Date): Identity[] {
  const found = new Map<string, { sources: string[]; expiries: Array<string | null> }>();
  const add = (secret: string, source: string, exp: string | null) => {
    const entry = found.get(secret) ?? { sources: [], expiries: [] };
    if (!entry.sources.includes(source)) entry.sources.push(source);
    entry.expiries.push(exp);
    found.set(secret, entry);
  };
  for (const ref of listOf(serviceAccount?.secrets)) {
    const name = textOf(ref?.name);
    if (name !== undefined) add(name, 'ServiceAccount secrets list', null);
  }
  for (const row of rows) {
    const claims = tokenClaims(row.claimsJson);
    if (claims !== null && claims.secret !== null && belongsTo(row, claims, owner)) add(claims.secret, `captured token ${claims.jti ?? row.location}`, claims.exp ?? row.expiresAt);
  }
  return [...found].map(([secret, { sources, expiries }]) => {
    const legacy = expiries.some((exp) => exp === null);
    const latest = expiries.filter((exp): exp is string => exp !== null).sort().at(-1) ?? null;
    return {
      kind: 'legacy-token', name: secret,
      facts: { secret, token_kind: legacy ? 'legacy token Secret (no expiry)' : 'Secret-bound token', existence_checked: false },
      usedBy: sources,
      validity: legacy ? legacyTokenValidity() : capturedTokenValidity(latest, `Secret ${secret}`, now),
      revokeWith: ['--legacy-tokens'],
    };
  });
}

// The API server checks the uids a token names; once that object is replaced the token is rejected.
function replacedValidity(what: string): Identity['validity'] {
  return { kind: 'expires', until: null, summary: `no longer valid: ${what} was replaced (new uid)`, detail: 'The token names the uid of an object that no longer exists; the API server rejects it.' };
}

// Null when either uid is unknown; otherwise whether the object the token names was replaced.
function changedUid(tokenUid: string | null | undefined, currentUid: string | null): boolean | null {
  return tokenUid === null || tokenUid === undefined || currentUid === null ? null : tokenUid !== currentUid;
}

function belongsTo(row: CapturedCredential, claims: TokenClaims, owner: TokenOwner): boolean {
  if (row.target === `pod:${owner.namespace}/${owner.pod}`) return true;
  return claims.namespace === owner.namespace && (claims.serviceAccount?.name === owner.serviceAccount || claims.pod?.name === owner.pod);
}

/** Reads the `jwt` part of a stored `claims_json`; anything else (or unreadable JSON) is not a token. */
export function tokenClaims(claimsJson: string | null): TokenClaims | null {
  if (claimsJson === null || claimsJson.length > 65_536) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(claimsJson);
  } catch {
    return null;
  }
  const jwt = record(record(parsed)?.jwt);
  if (jwt === undefined) return null;
  const k8s = record(jwt['kubernetes.io']);
  const bound = (value: unknown) => {
    const object = record(value);
    return object === undefined ? null : { name: str(object.name), uid: str(object.uid) };
  };
  const aud = Array.isArray(jwt.aud) ? jwt.aud.filter((item): item is string => typeof item === 'string') : typeof jwt.aud === 'string' ? [jwt.aud] : [];
  const exp = typeof jwt.exp === 'number' && Number.isFinite(jwt.exp) && Math.abs(jwt.exp) < 8.64e12 ? new Date(jwt.exp * 1000).toISOString() : null;
  return {
    jti: str(jwt.jti), aud, exp, namespace: str(k8s?.namespace), pod: bound(k8s?.pod), serviceAccount: bound(k8s?.serviceaccount),
    secret: str(record(k8s?.secret)?.name),
  };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
