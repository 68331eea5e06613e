// How long each kind of credential stays valid if nothing is done (field notes §3.9, §3.10). Pure:
// the caller passes the moment to judge against.
import type { Validity } from './types.js';

/** What a projected token source asks for when `expirationSeconds` is left out. */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
/** What admission asks for on `kube-api-access-*`; the API server extends such tokens (see below). */
export const EXTENDED_MARKER_SECONDS = 3607;
/** `--service-account-extend-token-expiration` (default on) lets a 3607 s token live this long. */
export const EXTENDED_LIFETIME_SECONDS = 365 * 24 * 3600;
/** The grace after the bound pod, Secret or ServiceAccount is deleted before its tokens stop authenticating. */
export const BOUND_TOKEN_GRACE_SECONDS = 60;

const AFTER_DELETE = `stops authenticating about ${BOUND_TOKEN_GRACE_SECONDS} s after the pod or ServiceAccount is deleted`;

/** The ServiceAccount itself: any pod running as it can get fresh tokens until it is deleted or recreated. */
export function serviceAccountValidity(): Validity {
  return {
    kind: 'until-deleted', until: null, summary: 'until the ServiceAccount is deleted',
    detail: 'Every pod running as this ServiceAccount keeps getting fresh tokens; recreating it (new uid) ends all its bound tokens.',
  };
}

/** A projected token volume: refreshed by the kubelet for as long as the pod and ServiceAccount exist. */
export function projectedTokenValidity(expirationSeconds: number, apiAudience: boolean): Validity {
  const extended = apiAudience && expirationSeconds === EXTENDED_MARKER_SECONDS;
  const copy = extended
    ? `a copied token stays valid up to 1 year (the API server extends ${EXTENDED_MARKER_SECONDS} s tokens by default) and ${AFTER_DELETE}`
    : `a copied token stays valid up to ${expirationSeconds} s after it was issued and ${AFTER_DELETE}`;
  return {
    kind: 'until-deleted', until: null, summary: 'until pod or ServiceAccount is deleted',
    detail: `The kubelet rewrites the token file at 80 % of its lifetime (at most every 24 h); ${copy}.`,
  };
}

/** The longest a copy of a token from this projection can live, in seconds. */
export function copiedTokenMaxSeconds(expirationSeconds: number, apiAudience: boolean): number {
  return apiAudience && expirationSeconds === EXTENDED_MARKER_SECONDS ? EXTENDED_LIFETIME_SECONDS : expirationSeconds;
}

/** A legacy token Secret: no expiry at all. */
export function legacyTokenValidity(): Validity {
  return {
    kind: 'never-expires', until: null, summary: 'never expires; until the Secret or ServiceAccount is deleted',
    detail: 'Legacy ServiceAccount token Secrets carry no expiry; deleting the Secret (or the ServiceAccount) ends the token.',
  };
}

/** A token the case captured: its own `exp`, cut short by deleting what it is bound to. */
export function capturedTokenValidity(expiresAt: string | null, boundTo: string | null, now: Date): Validity {
  if (expiresAt === null) {
    return { kind: 'never-expires', until: null, summary: `never expires; until ${boundTo ?? 'its ServiceAccount'} is deleted`, detail: 'The token has no exp claim.' };
  }
  const expired = Date.parse(expiresAt) <= now.getTime();
  const ending = boundTo === null ? '' : `, or about ${BOUND_TOKEN_GRACE_SECONDS} s after ${boundTo} is deleted`;
  return {
    kind: 'expires', until: expiresAt, summary: expired ? `expired at ${expiresAt}` : `until ${expiresAt}${boundTo === null ? '' : ` or ${boundTo} deletion`}`,
    detail: expired ? 'Its exp claim has passed; the API server rejects it.' : `Valid until its exp claim${ending}.`,
  };
}

/** A Secret the application uses: Kubernetes cannot end it; only its issuer can. */
export function atSourceValidity(what: string): Validity {
  return {
    kind: 'rotate-at-source', until: null, summary: 'until rotated at its source',
    detail: `${what} is whatever the Secret holds (a password, key or token); deleting the Secret does not invalidate a copy. Rotate it where it was issued.`,
  };
}

/** A cloud workload identity: the provider's own session lifetime, which Kubernetes revocation does not touch. */
export function cloudValidity(provider: 'aws-irsa' | 'aws-pod-identity' | 'gcp' | 'azure'): Validity {
  const detail = {
    'aws-irsa': 'Each AssumeRoleWithWebIdentity session lasts the role\'s maximum session duration (1 h by default, up to 12 h) and STS sessions cannot be revoked: attach a deny on aws:TokenIssueTime before now to the role.',
    'aws-pod-identity': 'Issued credentials stay valid after DeletePodIdentityAssociation; attach a deny on aws:TokenIssueTime before now to the role.',
    gcp: 'Google access tokens last up to 1 h and cannot be revoked: remove the roles/iam.workloadIdentityUser binding and wait out the TTL.',
    azure: 'Entra ID access tokens last 60 to 90 min and are not revoked by Kubernetes: remove the federated credential from the managed identity and wait out the TTL.',
  }[provider];
  return { kind: 'cloud-session', until: null, summary: 'cloud sessions outlive Kubernetes revocation', detail };
}
