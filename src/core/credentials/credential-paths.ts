// Where a container's credentials live on disk (SEC-1): the default token path, the pod spec's Secret,
// projected and secrets-store CSI volumes as this container mounts them, and files that well-known
// cloud variables name. Paths are inside the container; the capture reads them through its own
// no-follow reader, so nothing here touches a disk.
import { posix } from 'node:path';
import { findContainer, listOf, textOf, type PodSpecLike, type VolumeLike } from './pod-spec.js';
import type { CredentialKind, EnvPair } from './types.js';

/** Where the kubelet puts a pod's ServiceAccount token unless automounting is off. */
export const DEFAULT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The variables that name a credential file, and the kind of file each names. */
export const CREDENTIAL_FILE_VARIABLES: Readonly<Record<string, CredentialKind>> = {
  AWS_WEB_IDENTITY_TOKEN_FILE: 'aws-web-identity-token',
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: 'aws-pod-identity-token',
  GOOGLE_APPLICATION_CREDENTIALS: 'gcp-credentials-file',
  AZURE_FEDERATED_TOKEN_FILE: 'azure-federated-token',
};

/** A path a capture should read, what kind of credential it holds and what named it. */
export interface CredentialPath {
  readonly path: string;
  readonly kind: CredentialKind;
  /**
   * True when the path is a mount of a whole Secret: read each file in it. Kubelet-managed Secret
   * volumes hold `key -> ..data/key` symlinks, so read through `..data/` rather than following links.
   */
  readonly directory: boolean;
  /** What named the path, e.g. `default`, `volume:kube-api-access-x`, `env:AWS_WEB_IDENTITY_TOKEN_FILE`. */
  readonly sources: readonly string[];
  readonly secretName?: string;
  readonly key?: string;
  readonly audience?: string;
}

// A higher rank wins when two sources name the same path: the more specific kind says more.
const RANK: Partial<Record<CredentialKind, number>> = { 'secret-file': 1, 'projected-token': 2, 'serviceaccount-token': 3 };
const rank = (kind: CredentialKind): number => RANK[kind] ?? 4;

type Entry = Omit<CredentialPath, 'path' | 'sources'> & { readonly rel: string };

/** Lists the credential paths a capture of this container should read, sorted by path; `environ` adds paths the live process names. */
export function credentialPaths(spec: PodSpecLike | undefined, containerName: string, environ: readonly EnvPair[] = []): CredentialPath[] {
  const found = new Map<string, CredentialPath>();
  const add = (candidate: CredentialPath): void => {
    const before = found.get(candidate.path);
    if (before === undefined) found.set(candidate.path, candidate);
    else {
      const [low, high] = rank(before.kind) > rank(candidate.kind) ? [candidate, before] : [before, candidate];
      found.set(candidate.path, { ...low, ...high, sources: [...new Set([...before.sources, ...candidate.sources])] });
    }
  };
  add({ path: DEFAULT_TOKEN_PATH, kind: 'serviceaccount-token', directory: false, sources: ['default'] });
  const container = findContainer(spec, containerName);
  const volumes = new Map(listOf(spec?.volumes).flatMap((volume) => (textOf(volume?.name) ? [[volume.name, volume] as const] : [])));
  for (const mount of listOf(container?.volumeMounts)) {
    const volume = volumes.get(textOf(mount?.name) ?? '');
    const mountPath = containerPath(mount?.mountPath);
    if (volume === undefined || mountPath === undefined) continue;
    for (const entry of volumeEntries(volume)) {
      const mapped = throughSubPath(mountPath, textOf(mount.subPath), entry.rel);
      if (mapped === undefined) continue;
      const { rel, ...rest } = entry;
      const kind = mapped === DEFAULT_TOKEN_PATH && rest.kind === 'projected-token' ? 'serviceaccount-token' : rest.kind;
      // A subPath into a whole Secret names one of its keys (Secret keys hold no "/"), so the mount is that one file.
      const subPath = textOf(mount.subPath);
      const single = rel === '' && subPath !== undefined ? { directory: false, key: rest.key ?? subPath } : {};
      add({ ...rest, ...single, kind, path: mapped, sources: [`volume:${String(volume.name)}`] });
    }
  }
  const named = [
    ...listOf(container?.env).map((variable) => [variable?.name, variable?.value] as const),
    ...environ.map((pair) => [pair.name, pair.value] as const),
  ];
  for (const [name, value] of named) {
    const kind = typeof name === 'string' && Object.hasOwn(CREDENTIAL_FILE_VARIABLES, name) ? CREDENTIAL_FILE_VARIABLES[name] : undefined;
    const path = containerPath(typeof value === 'string' ? value : value instanceof Uint8Array ? new TextDecoder().decode(value) : undefined);
    if (kind !== undefined && path !== undefined) add({ path, kind, directory: false, sources: [`env:${String(name)}`] });
  }
  const all = [...found.values()];
  return all.map((entry) => withHolder(all, entry)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Finds the credential path a file was read from: the same path, or the deepest directory holding it; `key` is then the name below it. */
export function matchCredentialPath(paths: readonly CredentialPath[], filePath: string): CredentialPath | undefined {
  const path = containerPath(filePath);
  if (path === undefined) return undefined;
  const exact = paths.find((candidate) => candidate.path === path);
  if (exact !== undefined) return exact;
  const holders = paths.filter((candidate) => candidate.directory && path.startsWith(candidate.path === '/' ? '/' : `${candidate.path}/`));
  const holder = holders.sort((a, b) => b.path.length - a.path.length)[0];
  if (holder === undefined) return undefined;
  const below = path.slice(holder.path.length).replace(/^\/+/, '').replace(/^\.\.data\//, '');
  return { ...holder, path, directory: false, key: holder.key ?? below };
}

// A file a variable names inside a mounted Secret (GOOGLE_APPLICATION_CREDENTIALS in a Secret volume)
// takes the Secret's name and its key from the directory holding it.
function withHolder(all: readonly CredentialPath[], entry: CredentialPath): CredentialPath {
  if (entry.directory || entry.secretName !== undefined) return entry;
  const holder = matchCredentialPath(all.filter((candidate) => candidate.directory), entry.path);
  if (holder?.secretName === undefined) return entry;
  return { ...entry, secretName: holder.secretName, key: entry.key ?? holder.key, sources: [...entry.sources, ...holder.sources] };
}

/** Normalises an absolute container path (no NUL, at most 4096 characters); anything else is not a path. */
export function containerPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/') || value.includes('\0') || value.length > 4096) return undefined;
  const normal = posix.normalize(value);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}

function volumeEntries(volume: VolumeLike): Entry[] {
  const secretItems = (secretName: string | undefined, items: readonly { key?: string; path?: string }[] | undefined): Entry[] => {
    const listed = listOf(items).filter((item) => textOf(item?.path) !== undefined);
    if (listed.length === 0) return [{ rel: '', kind: 'secret-file', directory: true, ...optional({ secretName }) }];
    return listed.map((item) => ({ rel: item.path ?? '', kind: 'secret-file', directory: false, ...optional({ secretName, key: textOf(item.key) }) }));
  };
  if (volume.secret !== undefined && volume.secret !== null) return secretItems(textOf(volume.secret.secretName), volume.secret.items);
  if (textOf(volume.csi?.driver) === 'secrets-store.csi.k8s.io') return [{ rel: '', kind: 'secret-file', directory: true }];
  return listOf(volume.projected?.sources).flatMap((source): Entry[] => {
    const token = source?.serviceAccountToken;
    const tokenPath = textOf(token?.path);
    if (tokenPath !== undefined) return [{ rel: tokenPath, kind: 'projected-token', directory: false, ...optional({ audience: textOf(token?.audience) }) }];
    if (source?.secret !== undefined && source.secret !== null) return secretItems(textOf(source.secret.name), source.secret.items);
    return [];
  });
}

// A mount with a subPath shows only that part of the volume, at the mount path itself.
function throughSubPath(mountPath: string, subPath: string | undefined, rel: string): string | undefined {
  if (subPath === undefined) return containerPath(posix.join(mountPath, rel));
  const sub = posix.normalize(subPath).replace(/\/+$/, '');
  if (rel === '' || rel === sub) return mountPath;
  return rel.startsWith(`${sub}/`) ? containerPath(posix.join(mountPath, rel.slice(sub.length))) : undefined;
}

function optional(fields: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}
