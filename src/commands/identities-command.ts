/** `kustody identities NAMESPACE/POD --case CASE`: what identities a pod holds, how far they reach, and how long each stays valid. */
import { join } from 'node:path';
import type { JsonValue } from '../core/custody/canonical-json.js';
import { toSafeJson } from '../core/display/index.js';
import { KustodyError, UsageError } from '../core/errors.js';
import { accessChecks, accessProbes } from '../core/identities/access-checks.js';
import { buildInventory, type Inventory } from '../core/identities/inventory.js';
import { serviceAccountName } from '../core/identities/pod-identities.js';
import { serviceAccountUser } from '../core/identities/rbac-rules.js';
import { renderInventory } from '../core/identities/render-inventory.js';
import type { CapturedCredential } from '../core/identities/types.js';
import { readIdentityObjects, reviewAccess } from '../adapters/kube/identities-reader.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import { CASE_DB_FILE, recordAction, resolveCaseDir } from '../adapters/store/case-store.js';
import { openWritableDb, type ReadableDb } from '../adapters/store/open-store.js';
import { readResponderIdentity, utcNow } from '../adapters/system/responder-env.js';
import { defaultCaseParent, type Command } from './command.js';
import { KUBE_OPTIONS, parsePodTarget } from './kube-options.js';
import { connectFromFlags } from './kube-connect.js';

/** `kustody identities NAMESPACE/POD --case CASE [--json]` (a one-word command: an empty second path word). */
export const identitiesCommand: Command = {
  path: ['identities', ''],
  usage: 'kustody identities NAMESPACE/POD --case CASE [--json]',
  summary: 'list the identities a pod holds, their RBAC reach, and how long each stays valid',
  help: [
    'Lists the pod\'s ServiceAccount (uid, automount), projected token volumes (audience, expiry), legacy token Secrets',
    '(from the ServiceAccount and from tokens an earlier capture found), image pull Secrets, Secrets mounted or read into env',
    '(names only: Secrets are never read), and cloud identities (EKS IRSA and Pod Identity, GKE and Azure Workload Identity).',
    'RBAC: every RoleBinding and ClusterRoleBinding naming the ServiceAccount or its groups, the effective rules, the dangerous',
    'ones marked !!, and SubjectAccessReview answers for the ServiceAccount. The inventory is recorded in the case.',
    'Cluster flags: --kubeconfig FILE, --context NAME, --allow-exec-plugin.',
  ].join('\n'),
  options: { ...KUBE_OPTIONS, case: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const { namespace, pod } = parsePodTarget(args.positionals[0] ?? '');
    const caseArg = args.values.case;
    if (typeof caseArg !== 'string') throw new UsageError('identities needs --case CASE.', 'Open one with `kustody case new` and pass its folder.');
    const caseDir = resolveCaseDir(caseArg, defaultCaseParent(env));
    const kube = connectFromFlags(args.values, env);
    const db = openWritableDb(join(caseDir, CASE_DB_FILE));
    try {
      const who = readResponderIdentity();
      const stamp = () => ({ at: utcNow(), actor: `${who.osUser}@${who.host} via ${kube.context}`, kind: 'observe', target: `pod:${namespace}/${pod}` });
      let inventory: Inventory;
      try {
        inventory = await inspectPodIdentities(kube, namespace, pod, readCapturedCredentials(db), new Date(utcNow()));
      } catch (error) {
        const message = error instanceof KustodyError ? error.message : 'unexpected error';
        recordAction(db, { ...stamp(), detail: { step: 'identities', namespace, pod, error: message }, outcome: 'failed' });
        throw error;
      }
      const complete = inventory.notes.length === 0 && inventory.rbac.accessChecks.every((check) => check.allowed !== null);
      const row = recordAction(db, { ...stamp(), detail: { step: 'identities', ...asJson(inventory) }, outcome: complete ? 'ok' : 'ok-with-warnings' });
      if (json) io.out(toSafeJson({ custody_seq: row.seq, ...inventory }));
      else for (const line of renderInventory(inventory, caseArg)) io.out(line);
      return 0;
    } finally {
      db.close();
    }
  },
};

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

function asJson(inventory: Inventory): Record<string, JsonValue> {
  return JSON.parse(JSON.stringify(inventory)) as Record<string, JsonValue>;
}
