/**
 * Plans what the node vantage leaves in the cluster, as Change values the runner applies and records:
 * the namespace kustody owns (created on first use), an admission guard refusing everyone but the
 * responder any way into or around the collector pod, and the privileged hostPID collector pod itself,
 * bounded by activeDeadlineSeconds and a command that ends on its own. Also plans their removal.
 * Pure: facts in, plan out.
 */
import type { JsonValue } from '../custody/canonical-json.js';
import type { ChangePlan, PlannedChange, ResourceRef } from '../changes/change.js';
import { CASE_ANNOTATION } from '../contain/plan-isolation.js';

/** The namespace kustody's collector pods run in, never the suspect's. */
export const COLLECTOR_NAMESPACE = 'kustody-system';
/** Label on every collector pod. */
export const COLLECTOR_ROLE_LABEL = 'kustody.io/role';
/** Label naming the case (sanitised to a label value) on every collector pod. */
export const COLLECTOR_CASE_LABEL = 'kustody.io/case';

/** What the collector pod needs. */
export interface CollectorPodFacts {
  caseId: string;
  /** The suspect's `pod:NS/NAME`, the plan's target. */
  target: string;
  namespace: string;
  name: string;
  nodeName: string;
  image: { ref: string; pullPolicy: 'Always' | 'IfNotPresent' | 'Never' };
  /** How long the pod may live at all (its command sleeps this long, its deadline is a little later). */
  lifetimeSeconds: number;
  responderUser: string;
}

/** Whether an image reference names its content by digest. */
export function imageIsPinned(ref: string): boolean {
  return /@sha256:[0-9a-f]{64}$/.test(ref);
}

/** A label value naming the case (labels allow 63 characters of [A-Za-z0-9._-]). */
export function caseLabelValue(caseId: string): string {
  return caseId.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** The name of the guard protecting collector pod `pod`. */
export function collectorGuardName(pod: string): string {
  return `kustody-guard-${pod}`.slice(0, 253);
}

/** Plans the creation of the collector namespace (asked only when it does not exist). */
export function planCollectorNamespace(caseId: string, target: string, namespace: string): ChangePlan {
  const ref: ResourceRef = { kind: 'Namespace', name: namespace };
  return {
    kind: 'collector', caseId, target, report: [],
    changes: [{
      id: 'collector-namespace', title: `Create namespace ${namespace}`, danger: 'footprint',
      why: 'kustody\'s collector pods run in a namespace kustody owns, never in the suspect\'s, where the suspect\'s own identities could reach them.',
      change: { action: 'create', target: ref, object: {
        apiVersion: 'v1', kind: 'Namespace',
        metadata: { name: namespace, labels: { 'app.kubernetes.io/managed-by': 'kustody', 'pod-security.kubernetes.io/enforce': 'privileged' }, annotations: { [CASE_ANNOTATION]: caseId } },
      } },
      expect: { check: 'exists', target: ref },
      undo: { manual: `kubectl delete namespace ${namespace} (shared by every case's collectors; kustody leaves it)` },
    }],
  };
}

/** Plans the guard and then the collector pod (the guard first, so the pod is never unguarded). */
export function planCollectorPod(facts: CollectorPodFacts): ChangePlan {
  const guard = collectorGuardName(facts.name);
  const podRef: ResourceRef = { kind: 'Pod', namespace: facts.namespace, name: facts.name };
  const meta = (name: string, extra: Record<string, string> = {}) => ({
    name, labels: { 'app.kubernetes.io/managed-by': 'kustody', [COLLECTOR_CASE_LABEL]: caseLabelValue(facts.caseId), ...extra }, annotations: { [CASE_ANNOTATION]: facts.caseId, 'kustody.io/target': facts.target },
  });
  const pod: Record<string, JsonValue> = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { ...meta(facts.name, { [COLLECTOR_ROLE_LABEL]: 'collector' }), namespace: facts.namespace },
    spec: {
      nodeName: facts.nodeName, hostPID: true, restartPolicy: 'Never', automountServiceAccountToken: false, enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
      // Both bound its life if kustody dies: the command ends by itself, and the kubelet kills it at the deadline.
      activeDeadlineSeconds: facts.lifetimeSeconds + 30,
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'collector', image: facts.image.ref, imagePullPolicy: facts.image.pullPolicy, command: ['sleep', String(facts.lifetimeSeconds)], securityContext: { privileged: true } }],
    },
  };
  return {
    kind: 'collector', caseId: facts.caseId, target: facts.target,
    report: imageIsPinned(facts.image.ref) ? [] : [`The collector image ${facts.image.ref} is not pinned by digest (NAME@sha256:...): the node runs whatever that tag names now.`],
    changes: [...guardChanges(facts, guard), {
      id: 'collector-pod', title: `Create privileged hostPID collector pod ${facts.namespace}/${facts.name} on node ${facts.nodeName}`, danger: 'footprint',
      why: 'Reads the suspect container\'s processes from the node when exec and an ephemeral container cannot; deleted after the capture.',
      change: { action: 'create', target: podRef, object: pod },
      expect: { check: 'exists', target: podRef },
      undo: { manual: `kubectl delete pod -n ${facts.namespace} ${facts.name} (kustody cleanup does this)` },
    }],
  };
}

function guardChanges(facts: CollectorPodFacts, name: string): PlannedChange[] {
  // A pod that ended (deadline, or its command finished) holds nothing: anyone may delete it, so a
  // guard left behind by a dead kustody never blocks namespace deletion for long. The kubelet's
  // final DELETE of a pod being deleted is let through too.
  const expression = `request.userInfo.username == ${JSON.stringify(facts.responderUser)} || request.namespace != ${JSON.stringify(facts.namespace)} || request.name != ${JSON.stringify(facts.name)}`
    + ' || (request.operation == "DELETE" && oldObject != null && (has(oldObject.metadata.deletionTimestamp) || (has(oldObject.status.phase) && oldObject.status.phase in ["Succeeded", "Failed"])))';
  const policyRef: ResourceRef = { kind: 'ValidatingAdmissionPolicy', name };
  const bindingRef: ResourceRef = { kind: 'ValidatingAdmissionPolicyBinding', name };
  const metadata = { name, labels: { 'app.kubernetes.io/managed-by': 'kustody', [COLLECTOR_CASE_LABEL]: caseLabelValue(facts.caseId) }, annotations: { [CASE_ANNOTATION]: facts.caseId, 'kustody.io/target': facts.target } };
  return [{
    id: 'collector-guard-policy', title: `Create ValidatingAdmissionPolicy ${name}`, danger: 'footprint',
    why: 'The collector is node root: nobody but the responder may exec, attach, port-forward, proxy, add an ephemeral container, update, resize, evict or delete it while it runs.',
    change: { action: 'create', target: policyRef, object: {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata,
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': facts.namespace } },
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE', 'DELETE'], resources: ['pods'] },
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CONNECT'], resources: ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy'] },
            { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['pods/ephemeralcontainers', 'pods/resize'] },
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods/eviction'] },
          ],
        },
        validations: [{ expression, message: `${facts.namespace}/${facts.name} is kustody's collector for case ${facts.caseId}; only the responder may use it` }],
      },
    } },
    expect: { check: 'exists', target: policyRef },
    undo: { manual: `kubectl delete validatingadmissionpolicy ${name} (kustody cleanup does this)` },
  }, {
    id: 'collector-guard-binding', title: `Create ValidatingAdmissionPolicyBinding ${name}`, danger: 'footprint',
    why: 'Puts the collector guard into force (Deny).',
    change: { action: 'create', target: bindingRef, object: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata, spec: { policyName: name, validationActions: ['Deny'] } } },
    expect: { check: 'exists', target: bindingRef },
    undo: { manual: `kubectl delete validatingadmissionpolicybinding ${name} (kustody cleanup does this)` },
  }];
}

/** A piece of collector footprint found on the cluster: what it is and its current uid. */
export interface FootprintObject {
  ref: ResourceRef;
  uid: string;
}

/** Plans the deletion of collector footprint, pods first and their guards last (a guard outlives its pod, never the reverse). */
export function planFootprintRemoval(kind: 'collector' | 'cleanup', caseId: string, target: string, found: readonly FootprintObject[]): ChangePlan {
  const order = (o: FootprintObject) => (o.ref.kind === 'Pod' ? 0 : o.ref.kind === 'ValidatingAdmissionPolicyBinding' ? 1 : 2);
  const changes: PlannedChange[] = [...found].sort((a, b) => order(a) - order(b)).map((o) => ({
    id: `remove-${o.ref.kind === 'Pod' ? 'pod' : o.ref.kind === 'ValidatingAdmissionPolicy' ? 'guard-policy' : 'guard-binding'}-${o.ref.name}`,
    title: `Delete ${o.ref.kind} ${o.ref.namespace ? `${o.ref.namespace}/` : ''}${o.ref.name}`,
    why: 'kustody created it for a capture; nothing of it should stay in the cluster.',
    danger: 'footprint' as const,
    change: { action: 'delete' as const, target: o.ref, uid: o.uid },
    expect: { check: 'absent' as const, target: o.ref, uid: o.uid },
    undo: { manual: 'not needed: it was kustody\'s own footprint' },
  }));
  return { kind, caseId, target, changes, report: changes.length === 0 ? ['No kustody footprint of this case is left on the cluster.'] : [] };
}

/** The command that removes a piece of footprint by hand. */
export function removalCommand(ref: ResourceRef): string {
  return `kubectl delete ${ref.kind.toLowerCase()} ${ref.namespace ? `-n ${ref.namespace} ` : ''}${ref.name}`;
}
