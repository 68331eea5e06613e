/**
 * The oracle for "a dry run mutates nothing": the audit log shows every write the responder sent, and
 * none may lack dryRun=All. resourceVersions are compared only for objects nothing but kustody writes
 * (Nodes, Leases, Events, Deployments, a pod's status… are updated by other components at any time).
 */
import assert from 'node:assert/strict';
import { kubectl, type LabEnv } from './lab.js';
import { openAuditWindow, type AuditEvent, type AuditWindow } from './audit.js';

const MUTATING_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
/** Requests with verb `create` that the apiserver answers without storing anything. */
const NOT_STORED = new Set(['tokenreviews', 'subjectaccessreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'localsubjectaccessreviews', 'selfsubjectreviews']);
/** Running the read-only collector in a container (capture runs in a dry run too) stores no object. */
const READ_ONLY_SUBRESOURCES = new Set(['pods/exec']);

/** What a dry run is checked against: its namespace, and the names (case id, pod) of the cluster-scoped objects it plans. */
export interface DryRunScope {
  namespace: string;
  /** The suspect pod, compared by everything but its status (the kubelet writes status, never metadata or spec). */
  pod?: string;
  /** Strings that mark this test's objects outside its namespace (the case id is in every kustody guard's name). */
  mentions: string[];
}

/** The responder's writes in scope, split by whether they carried dryRun=All. */
export interface DryRunAudit {
  dryRun: AuditEvent[];
  real: AuditEvent[];
}

/** Whether an audited write was a server-side dry run: dryRun=All in the query, or for a DELETE with a body, in its DeleteOptions. */
export function isDryRun(event: AuditEvent): boolean {
  const body = event.requestObject as { kind?: string; dryRun?: unknown } | undefined;
  // With a DeleteOptions body the apiserver takes dryRun from the body and ignores the query.
  if ((event.verb === 'delete' || event.verb === 'deletecollection') && body?.kind === 'DeleteOptions') {
    return Array.isArray(body.dryRun) && body.dryRun.includes('All');
  }
  return new URL(event.requestURI, 'https://apiserver').searchParams.getAll('dryRun').includes('All');
}

/** Whether an audit event is a request that could change stored cluster state. */
export function isWrite(event: AuditEvent): boolean {
  const ref = event.objectRef ?? {};
  return MUTATING_VERBS.has(event.verb) && !NOT_STORED.has(ref.resource ?? '') && !READ_ONLY_SUBRESOURCES.has(`${ref.resource}/${ref.subresource}`);
}

/**
 * Whether an event belongs to this test (other tests share the lab and the responder identity): anything in
 * its namespace, the namespace itself, any Node (cordon names no case; the lab has one node, and no lab test
 * may cordon it for real while a dry run is checked), and elsewhere any object whose name or request body
 * mentions the case or the namespace (kustody's guards, collector pods, bindings of the suspect's identity).
 */
function inScope(event: AuditEvent, scope: DryRunScope): boolean {
  const ref = event.objectRef ?? {};
  if (ref.namespace === scope.namespace) return true;
  if (ref.namespace === undefined && ref.resource === 'nodes') return true;
  if (ref.namespace === undefined && ref.resource === 'namespaces' && ref.name === scope.namespace) return true;
  const named = [ref.name ?? '', JSON.stringify(event.requestObject ?? null)];
  return scope.mentions.some((token) => token !== '' && named.some((text) => text.includes(token)));
}

/** The responder's writes of the window that fall in the scope. */
export function writesInScope(events: readonly AuditEvent[], scope: DryRunScope): DryRunAudit {
  const writes = events.filter((e) => isWrite(e) && inScope(e, scope));
  return { dryRun: writes.filter(isDryRun), real: writes.filter((e) => !isDryRun(e)) };
}

/** One line naming a write, for assertion messages. */
export function describeWrite(event: AuditEvent): string {
  const ref = event.objectRef ?? {};
  const sub = ref.subresource ? `/${ref.subresource}` : '';
  return `${event.verb} ${ref.resource ?? '?'}${sub} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name ?? ''} (${event.requestURI}, HTTP ${event.responseStatus?.code ?? '?'})`;
}

type Item = { kind: string; metadata: { name: string; resourceVersion: string; labels?: unknown; annotations?: unknown; uid?: string; deletionTimestamp?: string }; spec?: unknown };

/** Objects only kustody writes: the namespace's NetworkPolicies, ServiceAccounts, Roles and RoleBindings, this case's admission objects, and the suspect pod's metadata and spec. */
async function kustodyOwnedState(lab: LabEnv, scope: DryRunScope): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const list = async (args: string[]): Promise<Item[]> => {
    const run = await kubectl(lab, 'admin', [...args, '-o', 'json']);
    assert.equal(run.exitCode, 0, run.stderr);
    return (JSON.parse(run.stdout) as { items: Item[] }).items;
  };
  for (const item of await list(['get', 'networkpolicies,serviceaccounts,roles,rolebindings', '-n', scope.namespace])) out[`${item.kind}/${item.metadata.name}`] = item.metadata.resourceVersion;
  for (const item of await list(['get', 'validatingadmissionpolicies,validatingadmissionpolicybindings,clusterrolebindings'])) {
    if (scope.mentions.some((token) => token !== '' && item.metadata.name.includes(token))) out[`${item.kind}/${item.metadata.name}`] = item.metadata.resourceVersion;
  }
  if (scope.pod !== undefined) {
    const [pod] = await list(['get', 'pods', '-n', scope.namespace, '--field-selector', `metadata.name=${scope.pod}`]);
    const m = pod?.metadata;
    out[`Pod/${scope.pod}`] = m ? { uid: m.uid, labels: m.labels, annotations: m.annotations, deletionTimestamp: m.deletionTimestamp, spec: pod?.spec } : null;
  }
  return out;
}

/** A dry run under observation: call `verify` after the command under test has exited. */
export interface DryRunWatch {
  /** Fails unless the responder sent no write without dryRun=All in scope and no kustody-owned object changed; returns the dry-run writes seen. */
  verify(): Promise<DryRunAudit>;
}

/** Starts watching before a dry run: snapshots the kustody-owned objects and opens an audit window. */
export async function watchDryRun(lab: LabEnv, scope: DryRunScope): Promise<DryRunWatch> {
  const before = await kustodyOwnedState(lab, scope);
  const window: AuditWindow = openAuditWindow(lab);
  return {
    async verify() {
      const writes = writesInScope(await window.close(), scope);
      assert.deepEqual(writes.real.map(describeWrite), [], 'a dry run sent a write without dryRun=All');
      assert.deepEqual(await kustodyOwnedState(lab, scope), before, 'a dry run changed an object only kustody writes');
      return writes;
    },
  };
}
