/** Isolate and release as reusable steps: plan against the cluster as it is, then check what still reaches the pod. */
import { describeRef, type Change, type ChangePlan } from '../core/changes/change.js';
import { planIsolation, type IsolationOptions } from '../core/contain/plan-isolation.js';
import { planRelease, type AppliedStep } from '../core/contain/plan-release.js';
import type { ConnectionRow } from '../core/capture/capture-rows.js';
import { readObject } from '../adapters/kube/cluster-changes.js';
import { readIsolationFacts } from '../adapters/kube/isolation-facts.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import { iterateActions } from '../adapters/store/case-reader.js';
import { recordAction } from '../adapters/store/case-store.js';
import { utcNow } from '../adapters/system/responder-env.js';
import type { ChangeSession } from './change-session.js';
import { openConnections } from './check-isolation.js';
import { planFootprintCleanup } from './run-cleanup.js';

/** A pod, by namespace and name. */
export interface PodTarget {
  namespace: string;
  pod: string;
}

/** Connections still open after isolation, or why they could not be read. */
export interface SurvivorCheck {
  established: ConnectionRow[];
  error: string | null;
}

/** Reads the facts around the pod and plans its isolation (the node is read only when cordoning). */
export async function planIsolate(kube: KubeClients, session: ChangeSession, target: PodTarget, options: IsolationOptions): Promise<ChangePlan> {
  const facts = await readIsolationFacts(kube, session.caseId, target.namespace, target.pod, session.kubeUser, { readNode: options.cordon, readNamespace: options.guard });
  return planIsolation(facts, options);
}

/** Re-reads the pod's connections after isolation and records the survivors (none is what "isolated" means). */
export async function checkIsolation(kube: KubeClients, session: ChangeSession, target: PodTarget): Promise<SurvivorCheck> {
  const current = await kube.core.readNamespacedPod({ namespace: target.namespace, name: target.pod });
  const check = await openConnections(kube, current);
  recordAction(session.db, {
    at: utcNow(), actor: session.actor, kind: 'observe', target: `pod:${target.namespace}/${target.pod}`,
    detail: { step: 'isolation-check', established: check.established.map((c) => ({ ...c, inode: String(c.inode) })), error: check.error },
    outcome: check.error !== null ? 'unknown' : check.established.length > 0 ? 'isolation-incomplete' : 'isolated',
  });
  return check;
}

/** Plans the release of a pod: the reverse of every isolation change this case started on it (applied, or cut off before it was recorded), from the custody log and the cluster's state. */
export async function planReleaseFromCase(kube: KubeClients, session: ChangeSession, target: PodTarget): Promise<ChangePlan> {
  const ref = `pod:${target.namespace}/${target.pod}`;
  // Every change isolate started, applied or not: a crash between a change and its 'applied' row
  // leaves only the intent, so what is really on the cluster is read before anything is undone.
  const byChange = new Map<string, AppliedStep>();
  for (const row of iterateActions(session.db)) {
    const detail = row.detail as { plan?: string; plan_target?: string; change_id?: string; change?: Change; undo?: AppliedStep['undo'] } | null;
    if (row.kind !== 'contain' || !['intent', 'applied', 'unverified'].includes(row.outcome) || detail?.plan !== 'isolate' || detail.plan_target !== ref || !detail.change || !detail.undo || !detail.change_id) continue;
    byChange.set(detail.change_id, { seq: row.seq, changeId: detail.change_id, change: detail.change, undo: detail.undo });
  }
  const applied = [...byChange.values()];
  const current = new Map<string, Record<string, unknown> | null>();
  for (const step of applied) current.set(describeRef(step.change.target), await readObject(kube, step.change.target));
  const plan = planRelease(session.caseId, ref, applied, current);
  // Whatever this case's captures of the pod left behind (a collector pod, its guard) goes too.
  const footprint = await planFootprintCleanup(kube, session, ref);
  return footprint.changes.length === 0 ? plan : { ...plan, changes: [...plan.changes, ...footprint.changes], report: plan.report.filter((line) => !line.startsWith('Nothing of this case')) };
}
