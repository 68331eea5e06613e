/** Shared plumbing for commands that change the cluster: the case, the cluster identity, the runner's ports, and printing plans and results. */
import { join } from 'node:path';
import type { ChangePlan } from '../core/changes/change.js';
import { describeRef } from '../core/changes/change.js';
import type { JsonValue } from '../core/custody/canonical-json.js';
import { display, escapeUntrusted, trusted, type DisplayText } from '../core/display/index.js';
import { fingerprintSecret } from '../core/credentials/fingerprint.js';
import { sanitizeObject } from '../core/kube/sanitize-object.js';
import { applyChange, mayApply, readObject } from '../adapters/kube/cluster-changes.js';
import { whoAmI, type KubeClients } from '../adapters/kube/kube-client.js';
import { CASE_DB_FILE, readCaseKey, recordAction, resolveCaseDir } from '../adapters/store/case-store.js';
import { readCaseMetadata } from '../adapters/store/case-reader.js';
import { openWritableDb, type WritableDb } from '../adapters/store/open-store.js';
import { readResponderIdentity, utcNow } from '../adapters/system/responder-env.js';
import type { ApplyPorts, ApplyResult } from '../runner/apply-plan.js';
import { defaultCaseParent } from './command.js';

/** An open case plus who is acting, for one command run. */
export interface ChangeSession {
  db: WritableDb;
  caseId: string;
  caseKey: Buffer;
  actor: string;
  kubeUser: string;
  close: () => void;
}

/** Opens the case and asks the cluster who we are (recorded as the actor of every row). */
export async function openChangeSession(caseArg: string, kube: KubeClients, env: NodeJS.ProcessEnv): Promise<ChangeSession> {
  const caseDir = resolveCaseDir(caseArg, defaultCaseParent(env));
  const caseKey = readCaseKey(caseDir);
  const identity = await whoAmI(kube).catch(() => ({ username: 'unknown', groups: [] }));
  const db = openWritableDb(join(caseDir, CASE_DB_FILE));
  const who = readResponderIdentity();
  return { db, caseId: readCaseMetadata(db).id, caseKey, actor: `${who.osUser}@${who.host} as ${identity.username} (${kube.context})`, kubeUser: identity.username, close: () => db.close() };
}

/** The runner's ports wired to the cluster and the case; `confirmed` is the headless confirmation (--yes). */
export function changePorts(kube: KubeClients, session: ChangeSession, confirmed: boolean): ApplyPorts {
  const fingerprint = (value: string) => fingerprintSecret(session.caseKey, value);
  return {
    may: (change) => mayApply(kube, change),
    read: (ref) => readObject(kube, ref),
    apply: (change, dryRun) => applyChange(kube, change, dryRun),
    record: (entry) => void recordAction(session.db, { at: utcNow(), actor: session.actor, ...entry }),
    confirm: async () => confirmed,
    sanitize: (kind, object) => {
      const copy = { ...object, metadata: { ...(object.metadata as Record<string, unknown>), managedFields: undefined } };
      return JSON.parse(JSON.stringify(sanitizeObject(kind, copy, fingerprint))) as JsonValue;
    },
  };
}

/** The plan as the responder reviews it: each change with why, and the exact object or patch. */
export function describePlan(plan: ChangePlan): DisplayText[] {
  const lines: DisplayText[] = [display`Plan: ${escapeUntrusted(plan.kind)} ${escapeUntrusted(plan.target)} (case ${escapeUntrusted(plan.caseId)})`];
  for (const [i, c] of plan.changes.entries()) {
    lines.push(display`  ${i + 1}. ${escapeUntrusted(c.title)}`);
    lines.push(display`     why: ${escapeUntrusted(c.why)}`);
    const body = c.change.action === 'create' ? c.change.object : c.change.action === 'patch' ? c.change.ops : { delete: describeRef(c.change.target), preconditions: { uid: c.change.uid } };
    for (const line of JSON.stringify(body, null, 2).split('\n')) lines.push(display`       ${escapeUntrusted(line)}`);
  }
  for (const note of plan.report) lines.push(display`  ! ${escapeUntrusted(note)}`);
  return lines;
}

/** The outcome of each change, and what to do when nothing was applied. */
export function describeResult(result: ApplyResult, dryRun: boolean): DisplayText[] {
  const lines = result.changes.map((c) => display`  ${escapeUntrusted(c.status.padEnd(11))} ${escapeUntrusted(c.title)}${c.message ? display` — ${escapeUntrusted(c.message)}` : trusted('')}`);
  if (result.status === 'dry-run' || dryRun) lines.push(trusted('Dry run: nothing was changed (every change passed the API server\'s dry run).'));
  if (result.status === 'not-confirmed') lines.push(trusted('Nothing was changed. Review the plan above and run again with --yes to apply it.'));
  if (result.status === 'nothing-to-do') lines.push(trusted('Nothing to do: everything is already in effect.'));
  return lines;
}

/** Exit code for a plan run: 0 applied/dry-run/nothing to do, 1 failed or not confirmed. */
export function exitCodeFor(result: ApplyResult): number {
  return result.status === 'applied' || result.status === 'dry-run' || result.status === 'nothing-to-do' ? 0 : 1;
}
