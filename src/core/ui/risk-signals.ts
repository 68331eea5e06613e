// Per-pod risk signals for the pod picker: what would make this pod a dangerous foothold, from its
// spec, its ServiceAccount's RBAC reach and cloud annotations, and (when a capture is in the case)
// its outbound connections. Pure, no I/O: the adapter reads, this decides.
import { cloudIdentities } from '../identities/cloud-identities.js';
import { automountEffective } from '../identities/pod-identities.js';
import type { DangerKind } from '../identities/danger.js';
import type { ContainerLike, PodLike, ServiceAccountLike, VolumeLike } from '../identities/types.js';

type SecurityContextLike = { readonly privileged?: boolean; readonly capabilities?: { readonly add?: readonly string[] } };
type RiskContainer = ContainerLike & { readonly securityContext?: SecurityContextLike };
type RiskVolume = VolumeLike & { readonly hostPath?: { readonly path?: string } };

/** The pod fields the signals read: the identity inventory's PodLike plus host namespaces, hostPath and securityContext. */
export interface RiskPodLike extends Omit<PodLike, 'spec'> {
  readonly spec?: Omit<NonNullable<PodLike['spec']>, 'volumes' | 'containers' | 'initContainers'> & {
    readonly hostNetwork?: boolean;
    readonly hostPID?: boolean;
    readonly hostIPC?: boolean;
    readonly volumes?: readonly RiskVolume[];
    readonly containers?: readonly RiskContainer[];
    readonly initContainers?: readonly RiskContainer[];
  };
}

/** What a ServiceAccount's bindings let it do, as found by serviceAccountReach. */
export interface SaReach {
  readonly dangers: readonly DangerKind[];
  /** True when a ClusterRoleBinding grants a dangerous rule everywhere. */
  readonly clusterWide: boolean;
  /** The namespaces where RoleBindings grant dangerous rules. */
  readonly namespaces: readonly string[];
}

/** Which signal it is; the order here is the order they are shown. */
export type RiskKind = 'privileged' | 'host-namespaces' | 'host-path' | 'sa-rbac' | 'cloud-identity' | 'secrets' | 'outbound';

/** One risk signal: a short tag for the list and a sentence for the detail line. */
export interface RiskSignal {
  readonly kind: RiskKind;
  readonly tag: string;
  readonly detail: string;
}

/** What is known about the cluster around the pods; absent maps mean "not known" (not "none"). */
export interface RiskContext {
  readonly serviceAccounts?: ReadonlyMap<string, ServiceAccountLike>;
  readonly reach?: ReadonlyMap<string, SaReach>;
  /** Outbound connection counts by `namespace/pod`, from captures in the case. */
  readonly outbound?: ReadonlyMap<string, number>;
}

const ORDER: readonly RiskKind[] = ['privileged', 'host-namespaces', 'host-path', 'sa-rbac', 'cloud-identity', 'secrets', 'outbound'];

function arr<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

/** Counts the Secrets a pod mounts or reads into env (secret volumes, projected secrets, secretKeyRef, envFrom). */
export function mountedSecrets(pod: RiskPodLike): string[] {
  const names = new Set<string>();
  for (const v of arr(pod.spec?.volumes)) {
    if (typeof v.secret?.secretName === 'string') names.add(v.secret.secretName);
    for (const s of arr(v.projected?.sources)) if (typeof s.secret?.name === 'string') names.add(s.secret.name);
  }
  for (const c of [...arr(pod.spec?.containers), ...arr(pod.spec?.initContainers)]) {
    for (const e of arr(c.env)) if (typeof e.valueFrom?.secretKeyRef?.name === 'string') names.add(e.valueFrom.secretKeyRef.name);
    for (const f of arr(c.envFrom)) if (typeof f.secretRef?.name === 'string') names.add(f.secretRef.name);
  }
  return [...names].sort();
}

/**
 * Computes a pod's risk signals, most severe first.
 *
 * @example podRiskSignals({spec: {hostNetwork: true}}, {}) // [{kind: 'host-namespaces', tag: 'hostNet', …}]
 */
export function podRiskSignals(pod: RiskPodLike, context: RiskContext): RiskSignal[] {
  const out: RiskSignal[] = [];
  const spec = pod.spec ?? {};
  const containers = [...arr(spec.containers), ...arr(spec.initContainers)];
  const privileged = containers.filter((c) => c.securityContext?.privileged === true).length;
  const sysAdmin = containers.some((c) => arr(c.securityContext?.capabilities?.add).some((cap) => cap === 'SYS_ADMIN' || cap === 'ALL'));
  if (privileged > 0 || sysAdmin) {
    out.push({ kind: 'privileged', tag: 'priv', detail: privileged > 0 ? `${privileged} privileged container(s)` : 'a container adds SYS_ADMIN or ALL capabilities' });
  }
  const hostNs = [spec.hostNetwork === true ? 'network' : '', spec.hostPID === true ? 'PID' : '', spec.hostIPC === true ? 'IPC' : ''].filter((s) => s !== '');
  if (hostNs.length > 0) out.push({ kind: 'host-namespaces', tag: spec.hostNetwork === true ? 'hostNet' : 'hostNS', detail: `shares the node's ${hostNs.join(', ')} namespace` });
  const hostPaths = arr(spec.volumes).map((v) => v.hostPath?.path).filter((p): p is string => typeof p === 'string');
  if (hostPaths.length > 0) out.push({ kind: 'host-path', tag: 'hostPath', detail: `mounts node paths: ${hostPaths.join(', ')}` });
  const namespace = pod.metadata?.namespace ?? '';
  const sa = typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '' ? spec.serviceAccountName : 'default';
  const account = context.serviceAccounts?.get(`${namespace}/${sa}`) ?? null;
  // Without a mounted token (or a projected one for the API server) the pod cannot use its ServiceAccount's rights.
  const projected = arr(spec.volumes).some((v) => arr(v.projected?.sources).some((s) => s.serviceAccountToken !== undefined && (s.serviceAccountToken.audience ?? '') === ''));
  const hasToken = automountEffective(pod, account) || projected;
  const reach = context.reach?.get(`${namespace}/${sa}`);
  if (hasToken && reach !== undefined && reach.dangers.length > 0) {
    const where = reach.clusterWide ? 'cluster-wide' : `in ${reach.namespaces.join(', ')}`;
    out.push({ kind: 'sa-rbac', tag: 'SA-RBAC', detail: `ServiceAccount ${sa} can ${reach.dangers.join(', ')} (${where})` });
  }
  const clouds = cloudIdentities(pod, account);
  if (clouds.length > 0) out.push({ kind: 'cloud-identity', tag: 'cloud', detail: `cloud identity: ${clouds.map((c) => `${c.kind} ${c.name}`).join(', ')}` });
  const secrets = mountedSecrets(pod);
  if (secrets.length > 0) out.push({ kind: 'secrets', tag: `secrets:${secrets.length}`, detail: `reads Secrets: ${secrets.join(', ')}` });
  const outbound = context.outbound?.get(`${namespace}/${pod.metadata?.name ?? ''}`);
  if (outbound !== undefined && outbound > 0) out.push({ kind: 'outbound', tag: `out:${outbound}`, detail: `${outbound} outbound connection(s) in the captured evidence` });
  return out.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}
