/**
 * Why an object found by a sweep matters: what it runs, what it grants, what it intercepts. Pure.
 * Objects are attacker-shaped JSON: fields are read with optional chaining and every value is turned
 * into text with String(), so an unexpected type yields odd text, never an exception.
 */
import type { ScannedObject, Severity } from './types.js';

/** The risk of one object: reasons, severity, ATT&CK for Containers techniques, and whether a Deployment rolled out a new template in the window. */
export interface ObjectRisk {
  reasons: string[];
  severity: Severity;
  techniques: string[];
  rolledOutSince: boolean;
}

const POWERFUL_ROLES = new Set(['cluster-admin', 'admin', 'edit', 'system:masters']);

/** Reads the risk of an object (unknown fields are ignored: the object is attacker-shaped). */
export function riskOf(scanned: ScannedObject, all: readonly ScannedObject[], since: number): ObjectRisk {
  const o = scanned.object as Record<string, any>;
  switch (scanned.kind) {
    case 'CronJob': return { ...podRisk(o.spec?.jobTemplate?.spec?.template?.spec, 'high', ['T1053.007'], `runs on schedule "${String(o.spec?.schedule ?? '?')}"`), rolledOutSince: false };
    case 'Job': return { ...podRisk(o.spec?.template?.spec, 'medium', ['T1053.007'], 'runs once'), rolledOutSince: false };
    case 'DaemonSet': return { ...podRisk(o.spec?.template?.spec, 'high', ['T1610'], 'runs on every node'), rolledOutSince: false };
    case 'Deployment': return deploymentRisk(o, all, since);
    case 'Pod': {
      const risk = podRisk(o.spec, 'medium', ['T1610'], '');
      return { ...risk, reasons: risk.reasons.filter((r) => r !== ''), rolledOutSince: false };
    }
    case 'ServiceAccount': return { reasons: ['a new identity: tokens minted for it authenticate until it is deleted'], severity: 'medium', techniques: [], rolledOutSince: false };
    case 'Secret': {
      const sa = (o.metadata?.annotations ?? {})['kubernetes.io/service-account.name'];
      return typeof sa === 'string' ? { reasons: [`a long-lived token Secret for ServiceAccount ${sa}`], severity: 'high', techniques: ['T1552.007'], rolledOutSince: false } : { reasons: [], severity: 'low', techniques: [], rolledOutSince: false };
    }
    case 'RoleBinding':
    case 'ClusterRoleBinding': return bindingRisk(scanned.kind, o);
    case 'ValidatingWebhookConfiguration':
    case 'MutatingWebhookConfiguration': {
      const targets = (Array.isArray(o.webhooks) ? o.webhooks : []).map((w: any) => w?.clientConfig?.url ?? (w?.clientConfig?.service ? `service ${w.clientConfig.service.namespace}/${w.clientConfig.service.name}` : '?'));
      const mutating = scanned.kind.startsWith('Mutating');
      return { reasons: [`sends admission requests${mutating ? ' (and may rewrite objects)' : ''} to ${targets.join(', ') || 'nowhere'}`], severity: mutating ? 'critical' : 'high', techniques: [], rolledOutSince: false };
    }
    default: return { reasons: [`an admission policy object (${scanned.kind}) that can ${scanned.kind.startsWith('Mutating') ? 'rewrite' : 'refuse'} requests cluster-wide`], severity: 'high', techniques: [], rolledOutSince: false };
  }
}

function podRisk(spec: any, base: Severity, techniques: string[], what: string): Omit<ObjectRisk, 'rolledOutSince'> {
  const reasons: string[] = what === '' ? [] : [what];
  const escape: string[] = [];
  if (spec?.hostPID === true) escape.push('hostPID');
  if (spec?.hostNetwork === true) escape.push('hostNetwork');
  if (spec?.hostIPC === true) escape.push('hostIPC');
  const containers = [...list(spec?.initContainers), ...list(spec?.containers), ...list(spec?.ephemeralContainers)];
  if (containers.some((c) => c?.securityContext?.privileged === true)) escape.push('privileged container');
  const hostPaths = list(spec?.volumes).filter((v) => v?.hostPath !== undefined).map((v) => String(v.hostPath?.path ?? '?'));
  if (hostPaths.length > 0) escape.push(`hostPath ${hostPaths.join(', ')}`);
  const images = [...new Set(containers.map((c) => String(c?.image ?? '?')))];
  if (images.length > 0 && what !== '') reasons.push(`images ${images.join(', ')}`);
  if (escape.length > 0) reasons.push(`can reach the node: ${escape.join(', ')}`);
  if (spec?.serviceAccountName !== undefined && what !== '') reasons.push(`runs as ServiceAccount ${String(spec.serviceAccountName)}`);
  return { reasons, severity: escape.length > 0 ? 'critical' : base, techniques: escape.length > 0 ? [...techniques, 'T1611'] : techniques };
}

function deploymentRisk(o: any, all: readonly ScannedObject[], since: number): ObjectRisk {
  const base = podRisk(o.spec?.template?.spec, 'medium', ['T1610'], 'a Deployment');
  const uid = o.metadata?.uid;
  const sets = all.filter((s) => s.kind === 'ReplicaSet' && list((s.object as any).metadata?.ownerReferences).some((r) => r?.uid === uid))
    .map((s) => s.object as any).sort((a, b) => Date.parse(a.metadata?.creationTimestamp) - Date.parse(b.metadata?.creationTimestamp));
  const fresh = sets.filter((s) => Date.parse(s.metadata?.creationTimestamp) >= since);
  const older = sets.filter((s) => Date.parse(s.metadata?.creationTimestamp) < since);
  if (fresh.length === 0 || older.length === 0) return { ...base, rolledOutSince: false };
  const images = (rs: any) => list(rs.spec?.template?.spec?.containers).map((c) => String(c?.image ?? '?')).join(', ');
  const before = images(older[older.length - 1]);
  const after = images(fresh[fresh.length - 1]);
  const reason = before === after ? `rolled out a new pod template in the window (images unchanged: ${after})` : `rolled out new images in the window: ${after} (before: ${before})`;
  return { ...base, reasons: [reason, ...base.reasons], severity: before === after ? 'medium' : 'high', rolledOutSince: true };
}

function bindingRisk(kind: string, o: any): ObjectRisk {
  const role = `${String(o.roleRef?.kind ?? '?')} ${String(o.roleRef?.name ?? '?')}`;
  const subjects = list(o.subjects).map((s) => `${String(s?.kind ?? '?')} ${s?.namespace ? `${String(s.namespace)}/` : ''}${String(s?.name ?? '?')}`);
  const powerful = POWERFUL_ROLES.has(String(o.roleRef?.name));
  return {
    reasons: [`grants ${role} to ${subjects.join(', ') || 'nobody'}${kind === 'ClusterRoleBinding' ? ' in every namespace' : ''}`],
    severity: kind === 'ClusterRoleBinding' ? (powerful ? 'critical' : 'high') : powerful ? 'high' : 'medium',
    techniques: ['T1098.006'], rolledOutSince: false,
  };
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}
