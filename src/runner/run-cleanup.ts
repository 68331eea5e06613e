/** Finds, from the custody log and the cluster, the collector footprint a case left behind (pods and their guards) and plans its removal. */
import { describeRef, type Change, type ChangePlan, type ResourceRef } from '../core/changes/change.js';
import { planFootprintRemoval } from '../core/capture/plan-collector-pod.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import { iterateActions } from '../adapters/store/case-reader.js';
import type { ChangeSession } from './change-session.js';
import { findFootprint } from './collector-footprint.js';

const REMOVABLE = new Set<ResourceRef['kind']>(['Pod', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);

/** Every collector object this case started to create (intent recorded, so a kill before `applied` is covered), optionally only for one suspect `target`. */
export function collectorFootprintRefs(session: Pick<ChangeSession, 'db'>, target?: string): ResourceRef[] {
  const refs = new Map<string, ResourceRef>();
  for (const row of iterateActions(session.db)) {
    const detail = row.detail as { plan?: string; plan_target?: string; change?: Change } | null;
    if (row.kind !== 'footprint' || row.outcome !== 'intent' || detail?.plan !== 'collector' || detail.change?.action !== 'create') continue;
    if (target !== undefined && detail.plan_target !== target) continue;
    if (REMOVABLE.has(detail.change.target.kind)) refs.set(describeRef(detail.change.target), detail.change.target);
  }
  return [...refs.values()];
}

/** Plans the deletion of the case's collector footprint still on the cluster (only objects still carrying this case's annotation). */
export async function planFootprintCleanup(kube: KubeClients, session: ChangeSession, target?: string): Promise<ChangePlan> {
  const found = await findFootprint(kube, session.caseId, collectorFootprintRefs(session, target));
  return planFootprintRemoval('cleanup', session.caseId, target ?? `case:${session.caseId}`, found);
}
