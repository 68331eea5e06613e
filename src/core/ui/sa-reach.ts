// Which ServiceAccounts hold dangerous RBAC, and which pods had outbound connections in a capture:
// the two cluster-wide facts the pod picker's signals need; pure, no I/O.
import { classifyRule, type DangerKind } from '../identities/danger.js';
import { grantOf, matchingSubject, type BindingLike, type PolicyRuleLike } from '../identities/rbac-rules.js';
import type { ConnectionRecord } from './evidence-records.js';
import type { SaReach } from './risk-signals.js';

/** A binding with the rules of the role it references (empty when that role could not be read). */
export interface BindingWithRules {
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  readonly binding: BindingLike;
  readonly rules: readonly PolicyRuleLike[];
}

/**
 * Finds, for each ServiceAccount (`namespace/name`), the dangerous kinds its bindings grant, counting
 * group subjects (`system:serviceaccounts[:ns]`, `system:authenticated`) the way RBAC does.
 *
 * @example serviceAccountReach(['shop/web'], [{kind: 'RoleBinding', binding, rules: [{verbs: ['get'], resources: ['secrets'], apiGroups: ['']}]}]) // shop/web -> read-secrets in shop
 */
export function serviceAccountReach(serviceAccounts: readonly string[], bindings: readonly BindingWithRules[]): Map<string, SaReach> {
  const out = new Map<string, SaReach>();
  for (const key of serviceAccounts) {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const dangers = new Set<DangerKind>();
    const namespaces = new Set<string>();
    let clusterWide = false;
    for (const { kind, binding, rules } of bindings) {
      const match = matchingSubject(binding, namespace, name);
      if (match === null) continue;
      const grant = grantOf(kind, binding, match, { rules });
      for (const rule of grant.rules) {
        const found = classifyRule(rule);
        for (const f of found) dangers.add(f.kind);
        if (found.length === 0) continue;
        if (grant.scope === null) clusterWide = true;
        else namespaces.add(grant.scope);
      }
    }
    out.set(key, { dangers: [...dangers], clusterWide, namespaces: [...namespaces].sort() });
  }
  return out;
}

const LOCAL = /^(127\.|0\.0\.0\.0$|::1?$|::ffff:127\.)/;

/**
 * Counts outbound connections per `namespace/pod` in captured sockets: established or connecting
 * TCP to a non-loopback peer, from a local port that no socket of the same pod listens on.
 *
 * @example outboundByPod([{target: 'pod:shop/suspect', proto: 'tcp', state: 'ESTABLISHED', remoteAddr: '10.0.0.2', …}]) // shop/suspect -> 1
 */
export function outboundByPod(connections: readonly ConnectionRecord[]): Map<string, number> {
  const listening = new Set<string>();
  for (const c of connections) if (c.state === 'LISTEN') listening.add(`${c.target}\u0000${c.localPort ?? ''}`);
  const out = new Map<string, number>();
  for (const c of connections) {
    if (!c.target.startsWith('pod:') || !c.proto.startsWith('tcp')) continue;
    if (c.state !== 'ESTABLISHED' && c.state !== 'SYN_SENT') continue;
    if (c.remoteAddr === null || LOCAL.test(c.remoteAddr)) continue;
    if (listening.has(`${c.target}\u0000${c.localPort ?? ''}`)) continue;
    const pod = c.target.slice(4);
    out.set(pod, (out.get(pod) ?? 0) + 1);
  }
  return out;
}
