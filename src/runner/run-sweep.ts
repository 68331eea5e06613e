/**
 * The persistence sweep as a reusable step: scan the cluster and the case's audit events, record every
 * item (its object captured like any Kubernetes object, what could not be seen as capture warnings),
 * and plan the removal; and the restore that replays a sweep's undo records from the custody log.
 */
import { randomUUID } from 'node:crypto';
import { canonicalJson, type JsonValue } from '../core/custody/canonical-json.js';
import { describeRef, type Change, type ChangePlan } from '../core/changes/change.js';
import { fingerprintSecret } from '../core/credentials/fingerprint.js';
import { sanitizeObject } from '../core/kube/sanitize-object.js';
import { removeAttributedOnly } from '../core/sweep/attributed-only.js';
import { detectPersistence } from '../core/sweep/detect-persistence.js';
import { planRestore, planSweep, sweepTarget, type SweptChange } from '../core/sweep/plan-sweep.js';
import type { PersistenceItem, SweepScope } from '../core/sweep/types.js';
import { readObject } from '../adapters/kube/cluster-changes.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import { scanPersistence } from '../adapters/kube/persistence-scan.js';
import { probeSecret } from '../adapters/kube/secret-probe.js';
import { pinAuditSecret } from '../core/sweep/pin-secret.js';
import { beginCapture, commitCaptureStep, finishCapture } from '../adapters/store/capture-store.js';
import { iterateActions } from '../adapters/store/case-reader.js';
import { auditWritesOf, capturedIdentities, caseOwnUids, hasAuditEvents, secretDeletes, type CaseIdentities } from '../adapters/store/sweep-facts.js';
import { utcNow } from '../adapters/system/responder-env.js';
import type { ChangeSession } from './change-session.js';

/** A recorded sweep: its items, the plan removing the removable ones, and what it could not see. */
export interface PreparedSweep {
  captureId: string;
  items: PersistenceItem[];
  plan: ChangePlan;
  notes: string[];
  /** Every identity followed in the audit log (the case's, those given, those they created, and the credential ids `JTI=…` of the tokens they minted). */
  identities: string[];
  auditUsed: boolean;
}

/** Scans, attributes, records the items in the case and plans their removal (with `attributedOnly`, only of what the audit log shows the case's identities creating). */
export async function prepareSweep(kube: KubeClients, session: ChangeSession, scope: SweepScope, extra: CaseIdentities, options: { attributedOnly?: boolean } = {}): Promise<PreparedSweep> {
  const captured = capturedIdentities(session.db);
  const identities = { usernames: [...new Set([...captured.usernames, ...extra.usernames])], credentialIds: [...new Set([...captured.credentialIds, ...extra.credentialIds])] };
  const audit = auditWritesOf(session.db, identities, scope.since);
  const auditUsed = hasAuditEvents(session.db);
  const scan = await scanPersistence(kube, scope.namespaces);
  const found = detectPersistence({ caseId: session.caseId, scope, objects: scan.objects, readKinds: scan.readKinds, audit: audit.writes, ownUids: caseOwnUids(session.db) });
  const attributed = options.attributedOnly === true ? removeAttributedOnly(found, auditUsed) : found;
  // A Secret is never read: the one now under each name is pinned to its uid, or kept when the log shows it deleted since.
  const items: PersistenceItem[] = [];
  for (const item of attributed) items.push(item.kind === 'Secret' && item.removable && item.object === null && item.namespace !== null ? pinAuditSecret(item, audit.writes, secretDeletes(session.db, item.namespace, item.name), await probeSecret(kube, item.namespace, item.name)) : item);
  const notes = [...scan.notes];
  if (!auditUsed) notes.push('No audit events in this case (kustody audit ingest): items are found by creation time only, and nothing is attributed to an identity.');
  else if (audit.writes.length === 0) notes.push(`The ingested audit log holds no completed write by ${audit.usernames.join(', ') || 'any identity of this case'} since ${scope.since}: that does not prove none happened if the log does not cover the whole window.`);
  const captureId = `sweep-${randomUUID()}`;
  recordSweep(session, captureId, scope, items, notes, [...audit.usernames, ...audit.credentialIds]);
  return { captureId, items, plan: planSweep(session.caseId, items), notes, identities: [...audit.usernames, ...audit.credentialIds], auditUsed };
}

/** Stores the sweep as a capture: items in its detail, their objects in k8s_objects, unseen kinds as warnings. */
function recordSweep(session: ChangeSession, captureId: string, scope: SweepScope, items: readonly PersistenceItem[], notes: readonly string[], identities: readonly string[]): void {
  const stamp = () => ({ at: utcNow(), actor: session.actor });
  const target = sweepTarget(session.caseId);
  const fingerprint = (value: string) => fingerprintSecret(session.caseKey, value);
  const summary = items.map((i) => ({ key: i.key, kind: i.kind, namespace: i.namespace, name: i.name, uid: i.uid, severity: i.severity, source: i.source, removable: i.removable, kept_because: i.keptBecause, reasons: i.reasons, techniques: i.techniques, audit_rowids: i.auditRowids, created_by: i.createdBy, created_at: i.createdAt }));
  beginCapture(session.db, { captureId, target, vantage: 'api', detail: { sweep: 'persistence', since: scope.since, namespaces: scope.namespaces, identities: [...identities], items: summary as unknown as JsonValue } }, stamp());
  const rows = items.filter((i) => i.object !== null).map((i) => ({
    kind: i.kind, namespace: i.namespace, name: i.name, uid: i.uid, resource_version: i.resourceVersion,
    json: canonicalJson(sanitizeObject(i.kind, i.object, fingerprint) as JsonValue),
  }));
  const warnings = notes.map((message) => ({ pid: null, code: 'API_READ', message }));
  commitCaptureStep(session.db, { captureId, target, step: 'persistence-objects', rows: { k8s_objects: rows }, warnings }, stamp());
  finishCapture(session.db, { captureId, target, status: notes.some((n) => n.startsWith('could not list')) ? 'partial' : 'complete', unfinished: [], notes: [...notes] }, stamp());
}

/** Plans the restore of everything this case's sweeps deleted, from the custody log and the cluster as it is now. */
export async function planRestoreFromCase(kube: KubeClients, session: ChangeSession): Promise<ChangePlan> {
  const byChange = new Map<string, SweptChange>();
  for (const row of iterateActions(session.db)) {
    const detail = row.detail as { plan?: string; change_id?: string; change?: Change; undo?: SweptChange['undo'] } | null;
    if (row.kind !== 'revoke' || !['intent', 'applied', 'unverified'].includes(row.outcome) || detail?.plan !== 'sweep' || !detail.change || !detail.undo || !detail.change_id) continue;
    byChange.set(`${row.seq}`, { seq: row.seq, changeId: detail.change_id, change: detail.change, undo: detail.undo });
  }
  const swept = [...byChange.values()];
  const current = new Map<string, Record<string, unknown> | null>();
  for (const step of swept) if (step.change.target.kind !== 'Secret') current.set(describeRef(step.change.target), await readObject(kube, step.change.target));
  return planRestore(session.caseId, swept, current);
}
