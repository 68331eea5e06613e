// The shapes the identity inventory reads and produces. Inputs are structural, so client-node models
// and parsed JSON both fit; every field is optional because whoever created the object chose it.
// Pod spec shapes are the credential module's (core/credentials/pod-spec.ts), shared, not copied.
import type { ContainerLike, PodSpecLike, VolumeLike, VolumeProjectionLike } from '../credentials/pod-spec.js';

export type { ContainerLike, VolumeLike };

/** The metadata fields the inventory reads. */
export interface ObjectMetaLike {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A `name`-only reference (imagePullSecrets, a ServiceAccount's `secrets`). */
export interface NameRefLike {
  readonly name?: string;
}

/** A projected ServiceAccount token source. */
export type TokenProjectionLike = NonNullable<VolumeProjectionLike['serviceAccountToken']>;

/** The pod fields the inventory reads. */
export interface PodLike {
  readonly metadata?: ObjectMetaLike;
  readonly spec?: PodSpecLike & {
    readonly automountServiceAccountToken?: boolean;
    readonly imagePullSecrets?: readonly NameRefLike[];
  };
}

/** The ServiceAccount fields the inventory reads. */
export interface ServiceAccountLike {
  readonly metadata?: ObjectMetaLike;
  readonly automountServiceAccountToken?: boolean;
  readonly secrets?: readonly NameRefLike[];
  readonly imagePullSecrets?: readonly NameRefLike[];
}

/** A captured credential row from the case (`credentials` table): where it was seen and its non-secret claims. */
export interface CapturedCredential {
  readonly target: string;
  readonly kind: string;
  readonly location: string;
  readonly fingerprint: string;
  readonly expiresAt: string | null;
  readonly claimsJson: string | null;
}

/** What each identity is. */
export type IdentityKind =
  | 'service-account' | 'projected-token' | 'captured-token' | 'legacy-token' | 'image-pull-secret' | 'secret-volume' | 'secret-env'
  | 'aws-irsa' | 'aws-pod-identity' | 'gcp-workload-identity' | 'azure-workload-identity';

/** How a credential's validity ends if the responder does nothing. */
export type ValidityKind = 'until-deleted' | 'expires' | 'never-expires' | 'rotate-at-source' | 'cloud-session';

/** How long an identity stays usable: a definite time when known, and a sentence either way. */
export interface Validity {
  readonly kind: ValidityKind;
  /** ISO-8601 UTC, when a definite end is known. */
  readonly until: string | null;
  /** The short form for the table ("until pod or ServiceAccount is deleted"). */
  readonly summary: string;
  /** Why, and what ends it sooner. */
  readonly detail: string;
}

/** The `kustody revoke` flags an identity can be ended with. */
export type RevokeFlag = '--legacy-tokens' | '--rbac' | '--rotate-sa' | '--delete-pod' | '--cloud';

/** A non-secret fact about an identity: a uid, an audience, a role ARN, a list of key names. */
export type FactValue = string | number | boolean | null | readonly string[];

/** One identity the pod holds. */
export interface Identity {
  readonly kind: IdentityKind;
  readonly name: string;
  readonly facts: Readonly<Record<string, FactValue>>;
  /** Where the pod uses it (`container web: env DB_PASSWORD`, `volume api-key at /etc/shop`). */
  readonly usedBy: readonly string[];
  readonly validity: Validity;
  /** The revoke flags that end it; empty when it must be rotated at its source. */
  readonly revokeWith: readonly RevokeFlag[];
}
