/**
 * Decides what a persistence sweep reports and what it may remove. An object is an item when it was
 * created since the sweep's start time in scope, or when the audit log shows one of the case's
 * identities created or changed it. Only objects *created* (never merely changed) in that window, with
 * no owner, not made by this case, may be removed: an attacker who edits a legitimate object must not
 * be able to make the responder delete it. Pure.
 */
import type { JsonValue } from '../custody/canonical-json.js';
import type { AuditWrite, PersistenceItem, ScannedObject, Severity, SweepFacts } from './types.js';
import { riskOf } from './object-risk.js';

/** API resource (audit `objectRef.resource`) to kind, for every kind the sweep knows. */
export const RESOURCE_KINDS: Readonly<Record<string, string>> = {
  cronjobs: 'CronJob', jobs: 'Job', daemonsets: 'DaemonSet', deployments: 'Deployment', pods: 'Pod',
  serviceaccounts: 'ServiceAccount', secrets: 'Secret', rolebindings: 'RoleBinding', clusterrolebindings: 'ClusterRoleBinding',
  validatingwebhookconfigurations: 'ValidatingWebhookConfiguration', mutatingwebhookconfigurations: 'MutatingWebhookConfiguration',
  validatingadmissionpolicies: 'ValidatingAdmissionPolicy', validatingadmissionpolicybindings: 'ValidatingAdmissionPolicyBinding',
  mutatingadmissionpolicies: 'MutatingAdmissionPolicy', mutatingadmissionpolicybindings: 'MutatingAdmissionPolicyBinding',
};

/** Kinds the sweep deletes through the change runner; the rest are reported for the responder to handle. */
export const REMOVABLE_KINDS: ReadonlySet<string> = new Set([
  'CronJob', 'Job', 'DaemonSet', 'Deployment', 'Pod', 'ServiceAccount', 'Secret', 'RoleBinding', 'ClusterRoleBinding',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
]);

const CLUSTER_SCOPED = new Set(['ClusterRoleBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding']);
const CREATE = new Set(['create']);
const CHANGE = new Set(['update', 'patch']);
/** A create's object must have been stamped within this many ms of the audit event (creationTimestamp has 1 s resolution). */
const CREATE_SLACK_MS = 2000;

/** Lists the persistence items of a sweep, most severe first. */
export function detectPersistence(facts: SweepFacts): PersistenceItem[] {
  // creationTimestamp has whole seconds: an object made in the second the window opens is inside it.
  const since = Math.floor(Date.parse(facts.scope.since) / 1000) * 1000;
  const own = new Set(facts.ownUids);
  const writes = facts.audit.filter((w) => RESOURCE_KINDS[w.resource] !== undefined && w.subresource === null && w.responseCode !== null && w.responseCode >= 200 && w.responseCode < 300 && Date.parse(w.at) >= Date.parse(facts.scope.since));
  const items: PersistenceItem[] = [];
  const claimed = new Set<number>();
  for (const scanned of facts.objects) {
    if (scanned.kind === 'ReplicaSet') continue;
    const meta = metadataOf(scanned.object);
    if (meta.uid !== null && own.has(meta.uid)) continue;
    const related = writes.filter((w) => RESOURCE_KINDS[w.resource] === scanned.kind && (w.namespace ?? null) === meta.namespace && w.name === meta.name);
    const created = related.filter((w) => CREATE.has(w.verb) && madeThisObject(w, meta));
    const changed = related.filter((w) => CHANGE.has(w.verb) && (w.objectUid === null || w.objectUid === meta.uid));
    for (const w of [...created, ...changed]) claimed.add(w.rowid);
    const createdSince = meta.createdAt !== null && Date.parse(meta.createdAt) >= since;
    const inScope = scopeHolds(scanned, meta.namespace, facts.scope.namespaces);
    const risk = riskOf(scanned, facts.objects, since);
    const fromScan = createdSince && inScope && (scanned.kind !== 'Pod' || risk.reasons.length > 0) && !(scanned.kind === 'ServiceAccount' && meta.name === 'default');
    const rollout = !createdSince && inScope && risk.rolledOutSince;
    if (!fromScan && !rollout && created.length === 0 && changed.length === 0) continue;
    const reasons = [
      ...(created.length > 0 ? [`created by ${created[0]!.username} at ${created[0]!.at} (audit)`] : fromScan ? [`created at ${meta.createdAt} (since ${facts.scope.since})`] : []),
      ...changed.map((w) => `${w.verb} by ${w.username} at ${w.at} (audit)`),
      ...risk.reasons,
    ];
    const owned = meta.owners.length > 0;
    const madeInWindow = created.length > 0 || fromScan;
    const keptBecause = !REMOVABLE_KINDS.has(scanned.kind) ? `kustody does not delete ${scanned.kind} objects: remove it by hand after review`
      : !madeInWindow ? 'changed, not created, in the window: deleting it would remove what it was before; review and revert the change by hand'
      : owned ? `owned by ${meta.owners.join(', ')}: removing the owner removes it`
      : null;
    items.push({
      key: `${scanned.kind}/${meta.namespace ?? ''}/${meta.name}/${meta.uid ?? ''}`, kind: scanned.kind, namespace: meta.namespace, name: meta.name, uid: meta.uid,
      resourceVersion: meta.resourceVersion, createdAt: meta.createdAt, reasons, source: created.length + changed.length > 0 ? (fromScan ? 'scan+audit' : 'audit') : 'scan',
      severity: escalate(risk.severity, madeInWindow ? 0 : -1), removable: keptBecause === null, keptBecause, techniques: risk.techniques,
      object: scanned.object as Record<string, JsonValue>, auditRowids: [...created, ...changed].map((w) => w.rowid),
      createdBy: created.length > 0 ? { username: created[0]!.username, at: created[0]!.at, auditRowids: created.map((w) => w.rowid) } : null,
    });
  }
  items.push(...goneOrUnseen(writes.filter((w) => !claimed.has(w.rowid) && CREATE.has(w.verb)), new Set(facts.readKinds)));
  return items.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.key.localeCompare(b.key));
}

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

function escalate(severity: Severity, by: number): Severity {
  return SEVERITIES[Math.min(SEVERITIES.length - 1, Math.max(0, SEVERITIES.indexOf(severity) - by))]!;
}

/** Creates the audit log names that match no object read now: gone since, or unseen (Secrets the responder may not list). */
function goneOrUnseen(writes: readonly AuditWrite[], readKinds: ReadonlySet<string>): PersistenceItem[] {
  const out = new Map<string, PersistenceItem>();
  for (const w of writes) {
    const kind = RESOURCE_KINDS[w.resource]!;
    if (w.name === null) continue;
    const key = `${kind}/${w.namespace ?? ''}/${w.name}/`;
    const listed = readKinds.has(kind);
    const previous = out.get(key);
    if (previous !== undefined) {
      previous.auditRowids.push(w.rowid);
      previous.createdBy?.auditRowids.push(w.rowid);
      continue;
    }
    // Secrets are never listed (the responder may not): one created by the identity is deleted by name, never read.
    const secret = kind === 'Secret';
    out.set(key, {
      key, kind, namespace: w.namespace, name: w.name, uid: w.objectUid, resourceVersion: null, createdAt: null,
      reasons: [`created by ${w.username} at ${w.at} (audit)`, secret ? 'kustody cannot read Secrets: its type and whether it still exists are unknown; a token Secret keeps a token valid until deleted' : listed ? 'no longer in the cluster' : `${kind} objects were not readable in this sweep`],
      source: 'audit', severity: secret ? 'high' : 'medium', removable: secret, keptBecause: secret ? null : listed ? 'already gone' : 'not read: cannot be removed safely without reading it',
      techniques: secret ? ['T1552.007'] : [], object: null, auditRowids: [w.rowid], createdBy: { username: w.username, at: w.at, auditRowids: [w.rowid] },
    });
  }
  return [...out.values()];
}

/** Whether an audited create made this object (same uid when logged; otherwise created within the event's time). */
function madeThisObject(write: AuditWrite, meta: ObjectMeta): boolean {
  if (write.objectUid !== null && meta.uid !== null) return write.objectUid === meta.uid;
  return meta.createdAt !== null && stampedAt(write.at, meta.createdAt);
}

/** Whether an object stamped `createdAt` (creationTimestamp) can be the one an audited create completing at `at` made. */
export function stampedAt(at: string, createdAt: string): boolean {
  const delta = Date.parse(at) - Date.parse(createdAt);
  return delta >= -CREATE_SLACK_MS && delta <= CREATE_SLACK_MS;
}

/** Whether an object is inside the sweep's namespaces; cluster-scoped ones only when they point into them. */
function scopeHolds(scanned: ScannedObject, namespace: string | null, namespaces: string[] | null): boolean {
  if (namespaces === null) return true;
  if (!CLUSTER_SCOPED.has(scanned.kind)) return namespace !== null && namespaces.includes(namespace);
  const o = scanned.object as { subjects?: Array<{ namespace?: string }>; webhooks?: Array<{ clientConfig?: { service?: { namespace?: string } } }> };
  if (scanned.kind === 'ClusterRoleBinding') return (o.subjects ?? []).some((s) => s.namespace !== undefined && namespaces.includes(s.namespace));
  if (scanned.kind.endsWith('WebhookConfiguration')) return (o.webhooks ?? []).some((w) => w.clientConfig?.service?.namespace !== undefined && namespaces.includes(w.clientConfig.service.namespace));
  return false;
}

interface ObjectMeta {
  namespace: string | null;
  name: string;
  uid: string | null;
  resourceVersion: string | null;
  createdAt: string | null;
  owners: string[];
}

function metadataOf(object: Record<string, unknown>): ObjectMeta {
  const m = (object.metadata ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const owners = Array.isArray(m.ownerReferences) ? (m.ownerReferences as Array<{ kind?: unknown; name?: unknown }>).map((r) => `${String(r.kind)}/${String(r.name)}`) : [];
  return { namespace: text(m.namespace), name: text(m.name) ?? '', uid: text(m.uid), resourceVersion: text(m.resourceVersion), createdAt: text(m.creationTimestamp), owners };
}

/** The JSON value of an object, for callers that store it. */
export function asJson(object: Record<string, unknown>): Record<string, JsonValue> {
  return JSON.parse(JSON.stringify(object)) as Record<string, JsonValue>;
}
