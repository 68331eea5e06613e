/** An open case plus who is acting, and the apply runner's ports wired to the cluster and that case. */
import { join } from 'node:path';
import { describeRef } from '../core/changes/change.js';
import type { JsonValue } from '../core/custody/canonical-json.js';
import { fingerprintSecret } from '../core/credentials/fingerprint.js';
import { sanitizeObject } from '../core/kube/sanitize-object.js';
import { applyChange, mayApply, readObject } from '../adapters/kube/cluster-changes.js';
import { whoAmI, type KubeClients } from '../adapters/kube/kube-client.js';
import { assertChainIntact } from '../adapters/store/case-chain.js';
import { CASE_DB_FILE, readCaseKey, recordAction } from '../adapters/store/case-store.js';
import { readCaseMetadata } from '../adapters/store/case-reader.js';
import { recreateSent } from '../adapters/store/recreate-records.js';
import { openWritableDb, type WritableDb } from '../adapters/store/open-store.js';
import { readResponderIdentity, utcNow } from '../adapters/system/responder-env.js';
import type { ApplyPorts } from './apply-plan.js';

/** An open case plus who is acting, for one command or playbook run. */
export interface ChangeSession {
  db: WritableDb;
  caseId: string;
  caseDir: string;
  caseKey: Buffer;
  actor: string;
  kubeUser: string;
  close: () => void;
}

/**
 * Opens the case folder and asks the cluster who we are (recorded as the actor of every row). With
 * `replays` (what the command is about to replay from the case), a broken custody chain is refused
 * before anything is sent to the cluster.
 */
export async function openCaseSession(caseDir: string, kube: KubeClients, options: { replays?: string } = {}): Promise<ChangeSession> {
  const caseKey = readCaseKey(caseDir);
  const db = openWritableDb(join(caseDir, CASE_DB_FILE));
  let identity: { username: string };
  try {
    if (options.replays !== undefined) assertChainIntact(db, options.replays);
    identity = await whoAmI(kube).catch(() => ({ username: 'unknown', groups: [] }));
  } catch (error) {
    db.close();
    throw error;
  }
  const who = readResponderIdentity();
  const actor = `${who.osUser}@${who.host} as ${identity.username} (${kube.context})`;
  recordCredentialPlugin(db, actor, kube);
  return { db, caseId: readCaseMetadata(db).id, caseDir, caseKey, actor, kubeUser: identity.username, close: () => db.close() };
}

/** Records, when the kubeconfig user's credential came from a plugin, which program ran and which rule allowed it. */
export function recordCredentialPlugin(db: WritableDb, actor: string, kube: KubeClients): void {
  const plugin = kube.credential.plugin;
  if (plugin === undefined) return;
  recordAction(db, {
    at: utcNow(), actor, kind: 'credential-plugin', target: `kubeconfig-user:${kube.user}`,
    detail: { context: kube.context, server: kube.server, command: plugin.command, path: plugin.path, args: [...plugin.args], allowed_by: plugin.allowedBy },
    outcome: 'ran',
  });
}

/** The apply runner's ports wired to the cluster and the case; `confirmed` is the headless confirmation (--yes). */
export function changePorts(kube: KubeClients, session: ChangeSession, confirmed: boolean): ApplyPorts {
  const fingerprint = (value: string) => fingerprintSecret(session.caseKey, value);
  return {
    may: (change) => mayApply(kube, change),
    read: (ref) => readObject(kube, ref),
    apply: (change, dryRun) => applyChange(kube, change, dryRun),
    record: (entry) => void recordAction(session.db, { at: utcNow(), actor: session.actor, ...entry }),
    confirm: async () => confirmed,
    sentRecreate: (planned, replacedUid) => recreateSent(session.db, planned.id, describeRef(planned.change.target), replacedUid),
    sanitize: (kind, object) => {
      const copy = { ...object, metadata: { ...(object.metadata as Record<string, unknown>), managedFields: undefined } };
      return JSON.parse(JSON.stringify(sanitizeObject(kind, copy, fingerprint))) as JsonValue;
    },
  };
}
