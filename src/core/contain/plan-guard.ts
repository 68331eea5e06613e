/**
 * The admission guard that keeps a quarantined pod as it is: a ValidatingAdmissionPolicy and its
 * binding that refuse, to everyone but the responder, every way an ordinary namespace identity could
 * undo the quarantine or tamper with the evidence (labels, spec, exec/attach/port-forward/proxy,
 * ephemeral containers, resize, eviction, delete, the quarantine NetworkPolicy, and new allow rules
 * selecting the pod). Reusable for any pod kustody must keep untouched. Pure: facts in, objects out.
 */
import type { JsonValue } from '../custody/canonical-json.js';
import type { PlannedChange } from '../changes/change.js';

/** The label and annotation prefix kustody owns. */
export const KUSTODY_PREFIX = 'kustody.io/';

/**
 * System identities allowed to delete the guarded pod and policy only while their namespace is being
 * deleted, so namespace deletion finishes (the namespace controller, under either identity a
 * controller-manager may use). Nobody with namespace-scoped rights can start a namespace deletion.
 */
export const NAMESPACE_DELETERS = ['system:serviceaccount:kube-system:namespace-controller', 'system:kube-controller-manager'];

/** What the guard protects and for whom. */
export interface GuardSpec {
  /** Name of the policy and its binding (cluster-scoped, so unique per case and pod). */
  name: string;
  caseId: string;
  namespace: string;
  /** The namespace's uid: a namespace deleted and recreated under the same name is not guarded. */
  namespaceUid: string | null;
  /** The pod, and its labels as they are while guarded (NetworkPolicy selectors are checked against these). */
  pod: { name: string; uid: string; labels: Record<string, string> };
  /** The quarantine NetworkPolicy to keep in place, if any. */
  quarantinePolicy: string | null;
  /** The one user who may still act on the pod (kustody's responder). */
  responderUser: string;
  /** Why, for the refusal message. */
  purpose: string;
}

/** A CEL string literal (JSON's escapes are valid CEL escapes). */
export function celString(value: string): string {
  return JSON.stringify(value);
}

/** A CEL map literal of string keys to string values. */
function celStringMap(map: Record<string, string>): string {
  return `{${Object.keys(map).sort().map((k) => `${celString(k)}: ${celString(map[k] ?? '')}`).join(', ')}}`;
}

// The policy matches Pods and NetworkPolicies, and the API server type-checks every expression against both
// kinds: fields of one kind are read through dyn(), after a check of the resource that makes them exist.

/** Whether the (pod) update leaves labels, kustody's annotations and (outside status) the spec as they were. */
const POD_UNCHANGED = [
  'has(dyn(object).metadata.labels) == has(dyn(oldObject).metadata.labels)',
  '(!has(dyn(object).metadata.labels) || dyn(object).metadata.labels == dyn(oldObject).metadata.labels)',
  `(!has(dyn(object).metadata.annotations) || dyn(object).metadata.annotations.all(k, !k.startsWith(${celString(KUSTODY_PREFIX)}) || (has(dyn(oldObject).metadata.annotations) && k in dyn(oldObject).metadata.annotations && dyn(oldObject).metadata.annotations[k] == dyn(object).metadata.annotations[k])))`,
  `(!has(dyn(oldObject).metadata.annotations) || dyn(oldObject).metadata.annotations.all(k, !k.startsWith(${celString(KUSTODY_PREFIX)}) || (has(dyn(object).metadata.annotations) && k in dyn(object).metadata.annotations)))`,
  '(variables.subresource == "status" || dyn(object).spec == dyn(oldObject).spec)',
].join(' && ');

/** Whether a NetworkPolicy's podSelector selects a pod with `variables.podLabels` (matchLabels and matchExpressions, unknown operators count as selecting). */
const SELECTS_POD = [
  '(!has(dyn(object).spec.podSelector.matchLabels) || dyn(object).spec.podSelector.matchLabels.all(k, k in variables.podLabels && variables.podLabels[k] == dyn(object).spec.podSelector.matchLabels[k]))',
  '(!has(dyn(object).spec.podSelector.matchExpressions) || dyn(object).spec.podSelector.matchExpressions.all(e,'
    + ' e.operator == "In" ? (e.key in variables.podLabels && has(e.values) && variables.podLabels[e.key] in e.values) :'
    + ' e.operator == "NotIn" ? (!(e.key in variables.podLabels) || !has(e.values) || !(variables.podLabels[e.key] in e.values)) :'
    + ' e.operator == "Exists" ? e.key in variables.podLabels :'
    + ' e.operator == "DoesNotExist" ? !(e.key in variables.podLabels) : true))',
].join(' && ');

/** The ValidatingAdmissionPolicy object for `spec`. */
export function guardPolicyObject(spec: GuardSpec): Record<string, JsonValue> {
  const { pod } = spec;
  const refusal = `pod ${spec.namespace}/${pod.name} is ${spec.purpose} by kustody case ${spec.caseId}; only the responder may change it (kustody release ends this)`;
  const variables = [
    // The request carries no subResource key at all when there is none.
    { name: 'subresource', expression: 'has(request.subResource) ? request.subResource : ""' },
    { name: 'responder', expression: `request.userInfo.username == ${celString(spec.responderUser)}` },
    { name: 'namespaceEnding', expression: `namespaceObject != null && has(namespaceObject.metadata.deletionTimestamp) && request.userInfo.username in [${NAMESPACE_DELETERS.map(celString).join(', ')}]` },
    // Same namespace object (not one recreated under the name). dyn(): the API server declares the namespace's uid
    // as `UID` for type checking, while the object it evaluates holds `uid`.
    { name: 'guardedNamespace', expression: spec.namespaceUid === null ? `request.namespace == ${celString(spec.namespace)}` : `namespaceObject != null && dyn(namespaceObject).metadata.uid == ${celString(spec.namespaceUid)}` },
    // ... and the same pod: by uid where the request carries the pod (update, delete, ephemeral containers, resize),
    // by name where it carries options (exec, attach, port-forward, proxy, eviction): kustody removes the guard with the pod.
    // A proxy request names the pod as `[scheme:]name[:port]`; pod names hold no colon.
    { name: 'onPod', expression: `variables.guardedNamespace && request.resource.group == "" && request.resource.resource == "pods" && (request.name == ${celString(pod.name)} || (variables.subresource == "proxy" && request.name.split(":").exists(part, part == ${celString(pod.name)}))) && (oldObject == null || oldObject.metadata.uid == ${celString(pod.uid)})` },
    { name: 'podLabels', expression: celStringMap(pod.labels) },
  ];
  const validations: Array<Record<string, JsonValue>> = [{
    // Only updates that keep labels, kustody's annotations and the spec (the kubelet's status updates), and the
    // kubelet finishing a deletion the responder started (it owns the pod's node), or the namespace controller.
    expression: '!variables.onPod || variables.responder'
      + ` || (request.operation == "UPDATE" && (variables.subresource == "" || variables.subresource == "status") && ${POD_UNCHANGED})`
      + ' || (request.operation == "DELETE" && variables.subresource == "" && (variables.namespaceEnding || (has(oldObject.metadata.deletionTimestamp) && has(dyn(oldObject).spec.nodeName) && request.userInfo.username == "system:node:" + dyn(oldObject).spec.nodeName)))',
    message: refusal,
  }, {
    // NetworkPolicies add up: an allow rule selecting the pod would reopen it.
    expression: '!variables.guardedNamespace || variables.responder || request.resource.resource != "networkpolicies" || !(request.operation in ["CREATE", "UPDATE"])'
      + ' || !((has(dyn(object).spec.ingress) && size(dyn(object).spec.ingress) > 0) || (has(dyn(object).spec.egress) && size(dyn(object).spec.egress) > 0))'
      + ` || !(${SELECTS_POD})`,
    message: `a NetworkPolicy with allow rules may not select pod ${spec.namespace}/${pod.name} while it is ${spec.purpose} by kustody case ${spec.caseId}`,
  }];
  validations.push({
    // The API server's own proxy traffic is not subject to NetworkPolicy on every CNI (kube-router lets the node reach
    // its pods), and any Service can be made to select the pod: no proxying through the namespace's Services at all.
    expression: '!variables.guardedNamespace || variables.responder || request.resource.resource != "services" || variables.subresource != "proxy"',
    message: `proxying through Services in ${spec.namespace} is refused while pod ${pod.name} is ${spec.purpose} by kustody case ${spec.caseId}`,
  });
  if (spec.quarantinePolicy !== null) {
    validations.push({
      expression: `!variables.guardedNamespace || variables.responder || variables.namespaceEnding || request.resource.resource != "networkpolicies" || request.name != ${celString(spec.quarantinePolicy)} || request.operation == "CREATE"`,
      message: `NetworkPolicy ${spec.namespace}/${spec.quarantinePolicy} quarantines pod ${pod.name} for kustody case ${spec.caseId}; only the responder may change or delete it`,
    });
  }
  return {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy',
    metadata: { name: spec.name, labels: { 'app.kubernetes.io/managed-by': 'kustody' }, annotations: { 'kustody.io/case': spec.caseId } },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': spec.namespace } },
        resourceRules: [
          { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE', 'DELETE'], resources: ['pods', 'pods/status', 'pods/ephemeralcontainers', 'pods/resize'] },
          { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods/eviction'] },
          { apiGroups: [''], apiVersions: ['v1'], operations: ['CONNECT'], resources: ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy'] },
          { apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['networkpolicies'] },
        ],
      },
      variables,
      validations,
    },
  };
}

/** The binding that puts the guard policy into force. */
export function guardBindingObject(spec: GuardSpec): Record<string, JsonValue> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: spec.name, labels: { 'app.kubernetes.io/managed-by': 'kustody' }, annotations: { 'kustody.io/case': spec.caseId } },
    spec: { policyName: spec.name, validationActions: ['Deny'] },
  };
}

/** The two planned changes that create the guard (policy, then binding). */
export function guardChanges(spec: GuardSpec): PlannedChange[] {
  const policyRef = { kind: 'ValidatingAdmissionPolicy' as const, name: spec.name };
  const bindingRef = { kind: 'ValidatingAdmissionPolicyBinding' as const, name: spec.name };
  return [{
    id: 'guard-policy',
    title: `Create ValidatingAdmissionPolicy ${spec.name}`,
    why: `Refuses, to everyone but the responder, label and spec changes, exec, attach, port-forward, proxy (also through the namespace's Services), ephemeral containers, eviction and delete on ${spec.namespace}/${spec.pod.name}${spec.quarantinePolicy === null ? '' : ', changes to its quarantine NetworkPolicy'}, and NetworkPolicies that would let traffic reach it.`,
    danger: 'contain',
    change: { action: 'create', target: policyRef, object: guardPolicyObject(spec) },
    expect: { check: 'exists', target: policyRef },
    undo: { manual: 'delete the ValidatingAdmissionPolicy (release does this)' },
  }, {
    id: 'guard-binding',
    title: `Create ValidatingAdmissionPolicyBinding ${spec.name}`,
    why: 'Puts the guard policy into force (Deny).',
    danger: 'contain',
    change: { action: 'create', target: bindingRef, object: guardBindingObject(spec) },
    expect: { check: 'exists', target: bindingRef },
    undo: { manual: 'delete the ValidatingAdmissionPolicyBinding (release does this)' },
  }];
}

/** What no admission guard can stop, for the isolation report. */
export function guardLimits(responderUser: string): string[] {
  return [
    `GUARD LIMITS: the guard does not bind the responder identity (${responderUser}) itself, nor anyone holding its credentials.`,
    'GUARD LIMITS: it cannot protect itself: Kubernetes never runs admission policies on ValidatingAdmissionPolicies or their bindings, so anyone allowed to delete them cluster-wide (cluster-admin, kustody\'s own role) can lift it. Namespace edit/admin cannot: those objects are cluster-scoped.',
    'GUARD LIMITS: node-level actors are outside the API server: root on the node, the kubelet API (nodes/proxy), the container runtime, and hostNetwork pods on that node can still reach, enter or kill the pod.',
    'GUARD LIMITS: other pods in the namespace that share its volumes (PersistentVolumeClaims) can still read and change those files; the owner controller\'s garbage collection and node-pressure eviction are refused or happen on the node.',
  ];
}
