/**
 * Assembles what a pod's identities are and how far they reach: the identities, the bindings that
 * name its ServiceAccount, the effective rules with the dangerous ones called out, the
 * SubjectAccessReview answers, and which `kustody revoke` flags end them. Pure: facts in, inventory out.
 */
import type { AccessCheck } from './access-checks.js';
import { capturedTokens, legacyTokens, type TokenOwner } from './captured-tokens.js';
import { cloudIdentities } from './cloud-identities.js';
import { effectiveRules, type EffectiveRule } from './danger.js';
import { podIdentities, serviceAccountName } from './pod-identities.js';
import { serviceAccountUser, type Grant } from './rbac-rules.js';
import type { CapturedCredential, Identity, PodLike, RevokeFlag, ServiceAccountLike } from './types.js';

/** Everything read about the pod, for `buildInventory`. */
export interface InventoryFacts {
  readonly namespace: string;
  readonly pod: PodLike;
  /** Null when it could not be read (missing, or forbidden; the reason is in `notes`). */
  readonly serviceAccount: ServiceAccountLike | null;
  readonly grants: readonly Grant[];
  readonly checks: readonly AccessCheck[];
  readonly captured: readonly CapturedCredential[];
  readonly notes: readonly string[];
  readonly now: Date;
}

/** The identity inventory of one pod, as shown and as stored in the custody row. */
export interface Inventory {
  readonly inspectedAt: string;
  readonly pod: { readonly namespace: string; readonly name: string; readonly uid: string | null };
  readonly serviceAccount: { readonly name: string; readonly uid: string | null; readonly user: string; readonly groups: readonly string[] };
  readonly identities: readonly Identity[];
  readonly rbac: {
    readonly grants: readonly Grant[];
    readonly effectiveRules: readonly EffectiveRule[];
    readonly dangerousRules: number;
    readonly accessChecks: readonly AccessCheck[];
  };
  /** The `kustody revoke` flags that would end what was found, in the order revoke applies them. */
  readonly revokeFlags: readonly RevokeFlag[];
  readonly notes: readonly string[];
}

const FLAG_ORDER: readonly RevokeFlag[] = ['--legacy-tokens', '--rbac', '--rotate-sa', '--delete-pod', '--cloud'];

/** Builds the inventory from what was read. */
export function buildInventory(facts: InventoryFacts): Inventory {
  const saName = serviceAccountName(facts.pod);
  const saUid = facts.serviceAccount?.metadata?.uid ?? null;
  const podName = facts.pod.metadata?.name ?? '';
  const owner: TokenOwner = { namespace: facts.namespace, pod: podName, podUid: facts.pod.metadata?.uid ?? null, serviceAccount: saName, serviceAccountUid: saUid };
  const identities = [
    ...podIdentities(facts.pod, facts.serviceAccount),
    ...legacyTokens(facts.captured, facts.serviceAccount, owner, facts.now),
    ...capturedTokens(facts.captured, owner, facts.now),
    ...cloudIdentities(facts.pod, facts.serviceAccount),
  ];
  const rules = effectiveRules(facts.grants);
  const { user, groups } = serviceAccountUser(facts.namespace, saName);
  return {
    inspectedAt: facts.now.toISOString(),
    pod: { namespace: facts.namespace, name: podName, uid: owner.podUid },
    serviceAccount: { name: saName, uid: saUid, user, groups },
    identities,
    rbac: { grants: facts.grants, effectiveRules: rules, dangerousRules: rules.filter((r) => r.dangers.length > 0).length, accessChecks: facts.checks },
    revokeFlags: revokeFlags(identities, facts.grants, facts.serviceAccount !== null),
    notes: [...facts.notes, ...missingRoleNotes(facts.grants)],
  };
}

/** The revoke flags worth passing: RBAC only for bindings that name this ServiceAccount itself (group bindings are shared). */
export function revokeFlags(identities: readonly Identity[], grants: readonly Grant[], serviceAccountFound: boolean): RevokeFlag[] {
  const wanted = new Set<RevokeFlag>();
  for (const identity of identities) {
    for (const flag of identity.revokeWith) {
      if (flag === '--rbac' || (flag === '--rotate-sa' && !serviceAccountFound)) continue;
      wanted.add(flag);
    }
  }
  if (grants.some((grant) => grant.direct)) wanted.add('--rbac');
  return FLAG_ORDER.filter((flag) => wanted.has(flag));
}

function missingRoleNotes(grants: readonly Grant[]): string[] {
  return grants.filter((grant) => grant.role.status === 'missing').map((grant) =>
    `${grant.binding.kind} ${grant.binding.name} refers to ${grant.role.kind} ${grant.role.name}, which does not exist: it grants nothing now, but anyone who creates that role activates it`);
}
