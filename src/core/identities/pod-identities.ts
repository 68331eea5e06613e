// The Kubernetes identities a pod holds, read from its spec and its ServiceAccount: the account,
// its projected tokens, image pull Secrets, and the Secrets it mounts or reads into env (names only).
import { listOf as list, textOf as text } from '../credentials/pod-spec.js';
import type { ContainerLike, Identity, PodLike, ServiceAccountLike } from './types.js';
import {
  atSourceValidity, copiedTokenMaxSeconds, DEFAULT_EXPIRATION_SECONDS, projectedTokenValidity, serviceAccountValidity,
} from './validity.js';

/** The ServiceAccount the pod runs as (`default` when the spec names none). */
export function serviceAccountName(pod: PodLike): string {
  return text(pod.spec?.serviceAccountName) ?? 'default';
}

/** Whether the API token is mounted: the pod's automountServiceAccountToken wins over the ServiceAccount's; both default to true. */
export function automountEffective(pod: PodLike, serviceAccount: ServiceAccountLike | null): boolean {
  const fromPod = pod.spec?.automountServiceAccountToken;
  if (typeof fromPod === 'boolean') return fromPod;
  const fromSa = serviceAccount?.automountServiceAccountToken;
  return typeof fromSa === 'boolean' ? fromSa : true;
}

/** Lists the ServiceAccount, projected tokens, image pull Secrets and used Secrets of a pod. */
export function podIdentities(pod: PodLike, serviceAccount: ServiceAccountLike | null): Identity[] {
  const saName = serviceAccountName(pod);
  const mounts = mountsByVolume(pod);
  const out: Identity[] = [{
    kind: 'service-account', name: saName,
    facts: {
      uid: text(serviceAccount?.metadata?.uid) ?? null,
      exists: serviceAccount !== null,
      automount_on_pod: boolOrNull(pod.spec?.automountServiceAccountToken),
      automount_on_service_account: boolOrNull(serviceAccount?.automountServiceAccountToken),
      api_token_mounted: automountEffective(pod, serviceAccount),
    },
    usedBy: ['pod spec serviceAccountName'], validity: serviceAccountValidity(), revokeWith: ['--rotate-sa', '--rbac'],
  }];
  for (const volume of list(pod.spec?.volumes)) {
    const volumeName = text(volume?.name) ?? '';
    for (const source of list(volume?.projected?.sources)) {
      const token = source?.serviceAccountToken;
      if (token !== undefined && token !== null) {
        const expirationSeconds = typeof token.expirationSeconds === 'number' && token.expirationSeconds > 0 ? token.expirationSeconds : DEFAULT_EXPIRATION_SECONDS;
        const audience = text(token.audience);
        out.push({
          kind: 'projected-token', name: volumeName,
          facts: {
            audience: audience ?? 'the API server (default audiences)', expiration_seconds: expirationSeconds, path: text(token.path) ?? null,
            copied_token_max_seconds: copiedTokenMaxSeconds(expirationSeconds, audience === undefined), service_account: saName,
          },
          usedBy: mounts.get(volumeName) ?? ['not mounted by any container'], validity: projectedTokenValidity(expirationSeconds, audience === undefined),
          revokeWith: ['--delete-pod', '--rotate-sa'],
        });
      }
      const secret = text(source?.secret?.name);
      if (secret !== undefined) out.push(secretIdentity('secret-volume', secret, { volume: volumeName }, mounts.get(volumeName) ?? []));
    }
    const secretName = text(volume?.secret?.secretName);
    if (secretName !== undefined) out.push(secretIdentity('secret-volume', secretName, { volume: volumeName }, mounts.get(volumeName) ?? []));
    const driver = text(volume?.csi?.driver);
    if (driver === 'secrets-store.csi.k8s.io') out.push(secretIdentity('secret-volume', volumeName, { volume: volumeName, csi_driver: driver }, mounts.get(volumeName) ?? []));
  }
  out.push(...envSecrets(pod), ...pullSecrets(pod, serviceAccount));
  return out;
}

function envSecrets(pod: PodLike): Identity[] {
  const uses = new Map<string, { keys: Set<string>; usedBy: string[] }>();
  const note = (secret: string, key: string | null, where: string) => {
    const entry = uses.get(secret) ?? { keys: new Set<string>(), usedBy: [] };
    if (key !== null) entry.keys.add(key);
    entry.usedBy.push(where);
    uses.set(secret, entry);
  };
  for (const container of allContainers(pod)) {
    const name = text(container.name) ?? '?';
    for (const variable of list(container.env)) {
      const ref = variable?.valueFrom?.secretKeyRef;
      const secret = text(ref?.name);
      if (secret !== undefined) note(secret, text(ref?.key) ?? null, `container ${name}: env ${text(variable.name) ?? '?'}`);
    }
    for (const source of list(container.envFrom)) {
      const secret = text(source?.secretRef?.name);
      if (secret !== undefined) note(secret, null, `container ${name}: envFrom${text(source.prefix) === undefined ? '' : ` (prefix ${String(source.prefix)})`}`);
    }
  }
  return [...uses].map(([secret, { keys, usedBy }]) => secretIdentity('secret-env', secret, { keys: [...keys].sort() }, usedBy));
}

function pullSecrets(pod: PodLike, serviceAccount: ServiceAccountLike | null): Identity[] {
  const found = new Map<string, string[]>();
  for (const [where, refs] of [['pod spec imagePullSecrets', pod.spec?.imagePullSecrets], ['ServiceAccount imagePullSecrets', serviceAccount?.imagePullSecrets]] as const) {
    for (const ref of list(refs)) {
      const name = text(ref?.name);
      if (name !== undefined) found.set(name, [...(found.get(name) ?? []), where]);
    }
  }
  return [...found].map(([name, usedBy]) => ({
    kind: 'image-pull-secret', name, facts: { secret: name }, usedBy, validity: atSourceValidity('The registry credential'), revokeWith: [],
  }));
}

function secretIdentity(kind: 'secret-volume' | 'secret-env', secret: string, facts: Identity['facts'], usedBy: readonly string[]): Identity {
  return { kind, name: secret, facts: { secret, ...facts }, usedBy, validity: atSourceValidity('The value'), revokeWith: [] };
}

/** Where each volume is mounted: `container web at /etc/shop`. */
function mountsByVolume(pod: PodLike): Map<string, string[]> {
  const mounts = new Map<string, string[]>();
  for (const container of allContainers(pod)) {
    for (const mount of list(container.volumeMounts)) {
      const volume = text(mount?.name);
      if (volume === undefined) continue;
      mounts.set(volume, [...(mounts.get(volume) ?? []), `container ${text(container.name) ?? '?'} at ${text(mount.mountPath) ?? '?'}`]);
    }
  }
  return mounts;
}

/** Regular, init and ephemeral containers, skipping anything that is not an object. */
export function allContainers(pod: PodLike): ContainerLike[] {
  return [...list(pod.spec?.initContainers), ...list(pod.spec?.containers), ...list(pod.spec?.ephemeralContainers)]
    .filter((container): container is ContainerLike => typeof container === 'object' && container !== null);
}

function boolOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}
