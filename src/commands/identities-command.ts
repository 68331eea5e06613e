/** `kustody identities NAMESPACE/POD --case CASE`: what identities a pod holds, how far they reach, and how long each stays valid. */
import { join } from 'node:path';
import { toSafeJson } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { renderInventory } from '../core/identities/render-inventory.js';
import { CASE_DB_FILE, resolveCaseDir } from '../adapters/store/case-store.js';
import { openWritableDb } from '../adapters/store/open-store.js';
import { readResponderIdentity } from '../adapters/system/responder-env.js';
import { recordCredentialPlugin } from '../runner/change-session.js';
import { recordPodIdentities } from '../runner/run-identities.js';
import { defaultCaseParent, type Command } from './command.js';
import { KUBE_OPTIONS } from './kube-options.js';
import { connectFromFlags, podTargetFor } from './kube-connect.js';

export { inspectPodIdentities, readCapturedCredentials } from '../runner/run-identities.js';

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
    const caseArg = args.values.case;
    if (typeof caseArg !== 'string') throw new UsageError('identities needs --case CASE.', 'Open one with `kustody case new` and pass its folder.');
    const caseDir = resolveCaseDir(caseArg, defaultCaseParent(env));
    const kube = await connectFromFlags(args.values, env);
    const { namespace, pod } = podTargetFor(args.positionals[0] ?? '', kube, args.values);
    const db = openWritableDb(join(caseDir, CASE_DB_FILE));
    try {
      const who = readResponderIdentity();
      recordCredentialPlugin(db, `${who.osUser}@${who.host} via ${kube.context}`, kube);
      const { inventory, seq } = await recordPodIdentities(kube, db, `${who.osUser}@${who.host} via ${kube.context}`, { namespace, pod });
      if (json) io.out(toSafeJson({ custody_seq: seq, ...inventory }));
      else for (const line of renderInventory(inventory, caseArg)) io.out(line);
      return 0;
    } finally {
      db.close();
    }
  },
};
