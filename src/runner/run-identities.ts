/** The identities inventory as a reusable step: read the pod's identities and RBAC reach, and record the inventory in the case. */
import type { JsonValue } from '../core/custody/canonical-json.js';
import { KustodyError } from '../core/errors.js';
import { accessChecks, accessProbes } from '../core/identities/access-checks.js';
import { buildInventory, type Inventory } from '../core/identities/inventory.js';
import { serviceAccountName } from '../core/identities/pod-identities.js';
import { serviceAccountUser } from '../core/identities/rbac-rules.js';
import type { CapturedCredential } from '../core/identities/types.js';
import { readIdentityObjects, reviewAccess } from '../adapters/kube/identities-reader.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import { recordAction } from '../adapters/store/case-store.js';
import type { ReadableDb, WritableDb } from '../adapters/store/open-store.js';
import { utcNow } from '../adapters/system/responder-env.js';

/** Reads the pod's identities from the cluster, asks SubjectAccessReview about its ServiceAccount, and builds the inventory. */
export async function inspectPodIdentities(kube: KubeClients, namespace: string, pod: string, captured: readonly CapturedCredential[], now: Date): Promise<Inventory> {
  const objects = await readIdentityObjects(kube, namespace, pod);
  const { user, groups } = serviceAccountUser(namespace, serviceAccountName(objects.pod));
  const probes = accessProbes(namespace);
  const answers = await reviewAccess(kube, {
    user, groups, uid: objects.serviceAccount?.metadata?.uid ?? null, pod: { name: pod, uid: objects.pod.metadata?.uid ?? null },
  }, probes);
  return buildInventory({
    namespace, pod: objects.pod, serviceAccount: objects.serviceAccount, grants: objects.grants,
    checks: accessChecks(objects.grants, probes, answers), captured, notes: objects.notes, now,
  });
}

/** The credentials earlier captures stored with claims (fingerprints and non-secret claims only). */
export function readCapturedCredentials(db: ReadableDb): CapturedCredential[] {
  const rows = db.prepare('SELECT target, kind, location, fingerprint, expires_at, claims_json FROM credentials WHERE claims_json IS NOT NULL ORDER BY rowid').all() as Array<Record<string, unknown>>;
  return rows.map((row) => ({
    target: String(row.target), kind: String(row.kind), location: String(row.location), fingerprint: String(row.fingerprint),
    expiresAt: typeof row.expires_at === 'string' ? row.expires_at : null, claimsJson: typeof row.claims_json === 'string' ? row.claims_json : null,
  }));
}

/** Builds the inventory and records it (or the failure) as an `observe` row; returns it with the row's seq and whether it is complete. */
export async function recordPodIdentities(kube: KubeClients, db: WritableDb, actor: string, target: { namespace: string; pod: string }): Promise<{ inventory: Inventory; seq: number; complete: boolean }> {
  const { namespace, pod } = target;
  const stamp = () => ({ at: utcNow(), actor, kind: 'observe', target: `pod:${namespace}/${pod}` });
  let inventory: Inventory;
  try {
    inventory = await inspectPodIdentities(kube, namespace, pod, readCapturedCredentials(db), new Date(utcNow()));
  } catch (error) {
    const message = error instanceof KustodyError ? error.message : 'unexpected error';
    recordAction(db, { ...stamp(), detail: { step: 'identities', namespace, pod, error: message }, outcome: 'failed' });
    throw error;
  }
  const complete = inventory.notes.length === 0 && inventory.rbac.accessChecks.every((check) => check.allowed !== null);
  const row = recordAction(db, { ...stamp(), detail: { step: 'identities', ...(JSON.parse(JSON.stringify(inventory)) as Record<string, JsonValue>) }, outcome: complete ? 'ok' : 'ok-with-warnings' });
  return { inventory, seq: row.seq, complete };
}
