/**
 * What the node vantage leaves in the cluster, through the Change runner like every mutation:
 * the collector namespace (created on first use), the guard, then the collector pod; afterwards
 * their deletion, read back, and a footprint that says what truly happened to each object.
 */
import { randomBytes } from 'node:crypto';
import type { ResourceRef } from '../core/changes/change.js';
import { getPointer } from '../core/changes/expectations.js';
import { CASE_ANNOTATION } from '../core/contain/plan-isolation.js';
import { collectorGuardName, imageIsPinned, planCollectorNamespace, planCollectorPod, planFootprintRemoval, removalCommand, type FootprintObject } from '../core/capture/plan-collector-pod.js';
import { KustodyError, messageOf } from '../core/errors.js';
import { readObject } from '../adapters/kube/cluster-changes.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import type { CollectorImage } from '../adapters/kube/pod-collectors.js';
import { applyPlan, type ApplyPorts } from './apply-plan.js';

/** The case and the responder the footprint is planned for, and the runner's ports. */
export interface FootprintContext {
  ports: ApplyPorts;
  caseId: string;
  responderUser: string;
}

/** One footprint entry as recorded with the capture (strings only: it is printed and logged as JSON). */
export type FootprintItem = Record<string, string>;

/** A collector pod kustody placed, and what it recorded on the way. */
export interface PlacedCollector {
  namespace: string;
  name: string;
  footprint: FootprintItem[];
}

/** Ensures the namespace, then creates the guard and the collector pod on `nodeName`; throws (after removing what it made) when any step fails. */
export async function placeCollectorPod(kube: KubeClients, ctx: FootprintContext, request: { target: string; namespace: string; nodeName: string; image: CollectorImage; lifetimeSeconds: number }): Promise<PlacedCollector> {
  const footprint: FootprintItem[] = [];
  const nsRef: ResourceRef = { kind: 'Namespace', name: request.namespace };
  const existing = await readObject(kube, nsRef);
  if (existing === null) {
    const created = await applyPlan(planCollectorNamespace(ctx.caseId, request.target, request.namespace), ctx.ports, { dryRun: false });
    if (created.status !== 'applied' && created.status !== 'nothing-to-do') throw new KustodyError('COLLECTOR_NAMESPACE', `Could not create namespace ${request.namespace} (${created.status}: ${created.changes.map((c) => c.message ?? c.status).join('; ')}).`, { nextStep: `Create it (see deploy/rbac-node-collector.yaml), or use --via exec or debug.` });
    footprint.push({ kind: 'Namespace', name: request.namespace, status: 'created on first use; kept for later captures', remove: removalCommand(nsRef) });
  } else {
    const managed = getPointer(existing, '/metadata/labels/app.kubernetes.io~1managed-by') === 'kustody';
    footprint.push({ kind: 'Namespace', name: request.namespace, status: managed ? 'present (kustody\'s)' : 'present, not labelled as kustody\'s: whoever administers it is trusted with the collector' });
  }
  const name = `kustody-collector-${randomBytes(5).toString('hex')}`;
  const plan = planCollectorPod({ caseId: ctx.caseId, target: request.target, namespace: request.namespace, name, nodeName: request.nodeName, image: request.image, lifetimeSeconds: request.lifetimeSeconds, responderUser: ctx.responderUser });
  let failure: string | null = null;
  try {
    const result = await applyPlan(plan, { ...ctx.ports, confirm: async () => true }, { dryRun: false });
    if (result.status !== 'applied') failure = result.changes.filter((c) => c.status !== 'applied').map((c) => `${c.title}: ${c.message ?? c.status}`).join('; ');
  } catch (error) {
    failure = messageOf(error);
  }
  if (failure !== null) {
    const left = await removeCollectorPod(kube, ctx, request.target, { namespace: request.namespace, name });
    throw new KustodyError('COLLECTOR_POD', `Could not place the collector pod (${failure}); cleaned up: ${left.map((f) => `${f.kind} ${f.status}`).join(', ') || 'nothing had been created'}.`, { nextStep: 'Use --via exec or debug, or ask for the rights in deploy/rbac-node-collector.yaml.' });
  }
  footprint.push({
    kind: 'Pod', pod: `${request.namespace}/${name}`, node: request.nodeName, image: request.image.ref, image_pinned: String(imageIsPinned(request.image.ref)),
    deadline_seconds: String(request.lifetimeSeconds + 30), guard: collectorGuardName(name), note: 'privileged hostPID collector, guarded while it runs',
  });
  return { namespace: request.namespace, name, footprint };
}

/** Deletes the collector pod and its guard (only objects carrying this case), reads them back, and says for each whether it is gone or how to remove it. */
export async function removeCollectorPod(kube: KubeClients, ctx: FootprintContext, target: string, collector: { namespace: string; name: string }): Promise<FootprintItem[]> {
  const guard = collectorGuardName(collector.name);
  const refs: ResourceRef[] = [
    { kind: 'Pod', namespace: collector.namespace, name: collector.name },
    { kind: 'ValidatingAdmissionPolicyBinding', name: guard },
    { kind: 'ValidatingAdmissionPolicy', name: guard },
  ];
  const found = await findFootprint(kube, ctx.caseId, refs);
  let error: string | null = null;
  if (found.length > 0) {
    try {
      await applyPlan(planFootprintRemoval('collector', ctx.caseId, target, found), { ...ctx.ports, confirm: async () => true }, { dryRun: false });
    } catch (caught) {
      error = messageOf(caught);
    }
  }
  const items: FootprintItem[] = [];
  for (const { ref, uid } of found) {
    const now = await readObject(kube, ref).catch(() => ({ metadata: { uid } }));
    const gone = now === null || getPointer(now, '/metadata/uid') !== uid;
    items.push(gone
      ? { kind: ref.kind, name: ref.name, status: 'deleted and gone (read back)' }
      : { kind: ref.kind, name: ref.name, status: `still present${error ? ` (${error})` : ''}`, remove: `${removalCommand(ref)} (or kustody cleanup --case ${ctx.caseId} --yes)` });
  }
  return items;
}

/** The objects among `refs` that exist and carry this case's annotation, with their uids. */
export async function findFootprint(kube: KubeClients, caseId: string, refs: readonly ResourceRef[]): Promise<FootprintObject[]> {
  const found: FootprintObject[] = [];
  for (const ref of refs) {
    const now = await readObject(kube, ref);
    if (now === null || getPointer(now, `/metadata/annotations/${CASE_ANNOTATION.replace(/\//g, '~1')}`) !== caseId) continue;
    found.push({ ref, uid: String(getPointer(now, '/metadata/uid') ?? '') });
  }
  return found;
}
