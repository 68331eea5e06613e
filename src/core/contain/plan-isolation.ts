/**
 * Plans the isolation of a suspect pod: a quarantine label unique to the case and a deny-all
 * NetworkPolicy selecting it (ingress and egress, so the cloud metadata endpoint too); optionally
 * detaching it from its controller and Services (so a healthy replacement takes the traffic while the
 * suspect keeps running for evidence), cordoning its node, and an admission guard (plan-guard.ts) that
 * refuses every way back to everyone but the responder. Pure: facts in, plan out.
 */
import type { JsonValue } from '../custody/canonical-json.js';
import { pointerKey, type ChangePlan, type PlannedChange } from '../changes/change.js';
import { selectorMatches, type LabelSelectorLike } from '../kube/label-selector.js';
import { guardChanges, guardLimits, type GuardSpec } from './plan-guard.js';

/** The label every quarantined pod carries; its value is the case id. */
export const QUARANTINE_LABEL = 'kustody.io/quarantine';
/** Annotation on objects kustody creates, naming the case. */
export const CASE_ANNOTATION = 'kustody.io/case';

/** What the planner needs to know about the pod and what is around it. */
export interface IsolationFacts {
  caseId: string;
  pod: { namespace: string; name: string; uid: string; labels: Record<string, string>; nodeName: string | null; hostNetwork: boolean };
  /** The namespace's uid (read when guarding), so a namespace recreated under the same name is not guarded. */
  namespaceUid?: string | null;
  node: { name: string; uid: string; unschedulable: boolean } | null;
  /** Label keys the pod's controller (ReplicaSet, StatefulSet, …) selects it by. */
  controllerSelectorKeys: string[];
  /** Services that select the pod, with their selector keys. */
  services: Array<{ name: string; selectorKeys: string[] }>;
  /** Every NetworkPolicy in the namespace. */
  policies: Array<{ name: string; podSelector: LabelSelectorLike | null; policyTypes: string[]; ingressRules: number; egressRules: number }>;
  responderUser: string;
}

/** Which optional parts to include. */
export interface IsolationOptions {
  detach: boolean;
  cordon: boolean;
  guard: boolean;
}

/** Names of the objects isolation creates for a case (deterministic, so a rerun finds them). */
export function isolationNames(caseId: string, pod: string): { policy: string; guard: string } {
  const suffix = caseId.replace(/^case-/, '').toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return { policy: `kustody-quarantine-${suffix}`.slice(0, 63).replace(/-+$/, ''), guard: `kustody-guard-${suffix}-${pod}`.slice(0, 253).replace(/-+$/, '') };
}

/** Builds the isolation plan and the report of what can still reach the pod. */
export function planIsolation(facts: IsolationFacts, options: IsolationOptions): ChangePlan {
  const { pod, caseId } = facts;
  const names = isolationNames(caseId, pod.name);
  const podRef = { kind: 'Pod' as const, namespace: pod.namespace, name: pod.name };
  const changes: PlannedChange[] = [];
  // The guard goes first, so nobody but the responder can race the label, the policy or the detach.
  if (options.guard) changes.push(...guardChanges(quarantineGuardSpec(facts, options)));
  const labelPath = `/metadata/labels/${pointerKey(QUARANTINE_LABEL)}`;
  changes.push({
    id: 'quarantine-label',
    title: `Label ${pod.namespace}/${pod.name} ${QUARANTINE_LABEL}=${caseId}`,
    why: 'A label unique to this case lets the deny-all policy select exactly this pod, without touching the labels its controller and Services use.',
    danger: 'contain',
    // A pod without labels has no labels map to add a key to (the API server omits an empty one), so
    // the map itself is added; a label put on in between would be replaced, never the quarantine.
    change: { action: 'patch', target: podRef, uid: pod.uid, ops: [{ op: 'test', path: '/metadata/uid', value: pod.uid }, Object.keys(pod.labels).length === 0 ? { op: 'add', path: '/metadata/labels', value: { [QUARANTINE_LABEL]: caseId } } : { op: 'add', path: labelPath, value: caseId }] },
    expect: { check: 'fields', target: podRef, uid: pod.uid, equals: [{ path: labelPath, value: caseId }] },
    undo: { action: 'patch', target: podRef, uid: pod.uid, ops: [{ op: 'test', path: '/metadata/uid', value: pod.uid }, { op: 'test', path: labelPath, value: caseId }, { op: 'remove', path: labelPath }] },
  });
  const policyRef = { kind: 'NetworkPolicy' as const, namespace: pod.namespace, name: names.policy };
  const policy: Record<string, JsonValue> = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: names.policy, namespace: pod.namespace, labels: { 'app.kubernetes.io/managed-by': 'kustody' }, annotations: { [CASE_ANNOTATION]: caseId } },
    spec: { podSelector: { matchLabels: { [QUARANTINE_LABEL]: caseId } }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] },
  };
  changes.push({
    id: 'deny-all-policy',
    title: `Create NetworkPolicy ${pod.namespace}/${names.policy} denying all ingress and egress`,
    why: 'Cuts new connections in and out, including to the cloud metadata endpoint, while the pod keeps running for evidence.',
    danger: 'contain',
    change: { action: 'create', target: policyRef, object: policy },
    expect: { check: 'exists', target: policyRef },
    undo: { manual: 'delete the NetworkPolicy (release does this, checking its uid)' },
  });
  if (options.detach) {
    const keys = detachKeys(facts);
    if (keys.length > 0) {
      const tests = keys.map((k) => ({ op: 'test' as const, path: `/metadata/labels/${pointerKey(k)}`, value: pod.labels[k] ?? '' }));
      changes.push({
        id: 'detach-labels',
        title: `Remove ${keys.join(', ')} from ${pod.namespace}/${pod.name}`,
        why: 'Its controller and Services stop selecting the pod: the controller starts a healthy replacement and traffic moves to it, while the suspect keeps running, isolated, for evidence.',
        danger: 'contain',
        change: { action: 'patch', target: podRef, uid: pod.uid, ops: [{ op: 'test', path: '/metadata/uid', value: pod.uid }, ...tests, ...keys.map((k) => ({ op: 'remove' as const, path: `/metadata/labels/${pointerKey(k)}` }))] },
        expect: { check: 'fields', target: podRef, uid: pod.uid, equals: keys.map((k) => ({ path: `/metadata/labels/${pointerKey(k)}`, value: undefined })) },
        undo: { action: 'patch', target: podRef, uid: pod.uid, ops: [{ op: 'test', path: '/metadata/uid', value: pod.uid }, ...keys.map((k) => ({ op: 'add' as const, path: `/metadata/labels/${pointerKey(k)}`, value: pod.labels[k] ?? '' }))] },
      });
    }
  }
  if (options.cordon && facts.node !== null && !facts.node.unschedulable) {
    const nodeRef = { kind: 'Node' as const, name: facts.node.name };
    changes.push({
      id: 'cordon-node',
      title: `Cordon node ${facts.node.name}`,
      why: 'No new pods land on a node that may be compromised; running pods are not touched.',
      danger: 'contain',
      change: { action: 'patch', target: nodeRef, uid: facts.node.uid, ops: [{ op: 'test', path: '/metadata/uid', value: facts.node.uid }, { op: 'add', path: '/spec/unschedulable', value: true }] },
      expect: { check: 'fields', target: nodeRef, uid: facts.node.uid, equals: [{ path: '/spec/unschedulable', value: true }] },
      undo: { action: 'patch', target: nodeRef, uid: facts.node.uid, ops: [{ op: 'test', path: '/metadata/uid', value: facts.node.uid }, { op: 'remove', path: '/spec/unschedulable' }] },
    });
  }
  return { kind: 'isolate', caseId, target: `pod:${pod.namespace}/${pod.name}`, changes, report: isolationReport(facts, options) };
}

/** The label keys --detach removes: those the pod's controller and Services select it by. */
function detachKeys(facts: IsolationFacts): string[] {
  return [...new Set([...facts.controllerSelectorKeys, ...facts.services.flatMap((s) => s.selectorKeys)])].filter((k) => k in facts.pod.labels && k !== QUARANTINE_LABEL).sort();
}

/** The guard of a quarantined pod: its labels as isolation leaves them (detached keys gone, the case label on), and its quarantine policy. */
export function quarantineGuardSpec(facts: IsolationFacts, options: IsolationOptions): GuardSpec {
  const names = isolationNames(facts.caseId, facts.pod.name);
  const labels: Record<string, string> = { ...facts.pod.labels, [QUARANTINE_LABEL]: facts.caseId };
  if (options.detach) for (const key of detachKeys(facts)) delete labels[key];
  return {
    name: names.guard, caseId: facts.caseId, namespace: facts.pod.namespace, namespaceUid: facts.namespaceUid ?? null,
    pod: { name: facts.pod.name, uid: facts.pod.uid, labels }, quarantinePolicy: names.policy, responderUser: facts.responderUser, purpose: 'quarantined as evidence',
  };
}

/** What isolation cannot stop by itself, for the responder to act on. */
function isolationReport(facts: IsolationFacts, options: IsolationOptions): string[] {
  const report: string[] = [];
  const labels = { ...facts.pod.labels, [QUARANTINE_LABEL]: facts.caseId };
  if (facts.pod.hostNetwork) report.push('HOST NETWORK: this pod uses the node\'s network namespace, where NetworkPolicies do not apply. Isolate the node instead (node firewall, or cordon and drain).');
  for (const policy of facts.policies) {
    if (!selectorMatches(policy.podSelector, labels) || policy.name === isolationNames(facts.caseId, facts.pod.name).policy) continue;
    report.push(`Policies add up: NetworkPolicy ${policy.name} also selects this pod (${policy.ingressRules} ingress, ${policy.egressRules} egress rules); whatever it allows is still allowed. Review or delete it.`);
  }
  if (!options.detach && (facts.controllerSelectorKeys.length > 0 || facts.services.length > 0)) report.push(`The pod still backs ${facts.services.map((s) => `Service ${s.name}`).join(', ') || 'its controller'}: clients keep choosing it and fail. Add --detach so a healthy replacement takes the traffic.`);
  report.push('Established connections may survive a new NetworkPolicy on some CNIs; kustody lists the ones still open after isolation.');
  if (options.guard) report.push(...guardLimits(facts.responderUser));
  else report.push('Without --guard, anyone with write access to the namespace can undo this quarantine (remove the label, delete the policy) or port-forward, exec into or delete the pod.');
  return report;
}
