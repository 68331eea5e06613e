/**
 * kubectl's kubeconfig rules, decided without touching the disk: merging the files of a KUBECONFIG
 * list (the first file to set a cluster, user or context name wins, whole; current-context comes from
 * the first file that names one), resolving relative paths against the file that wrote them, and
 * picking the cluster, user and namespace for --context/--cluster/--user/--namespace.
 */
import { isAbsolute, join } from 'node:path';
import { UnreadableInputError } from '../errors.js';

/** One kubeconfig file as read and parsed (YAML or JSON), with where it came from. */
export interface KubeconfigDocument {
  readonly path: string;
  readonly dir: string;
  readonly doc: unknown;
}

/** A named cluster, user or context with the file that defined it. */
export interface NamedEntry {
  readonly name: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly origin: string;
}

/** The merged view of every kubeconfig file, as `kubectl config view --merge` shows it. */
export interface MergedKubeconfig {
  readonly files: readonly string[];
  readonly clusters: ReadonlyMap<string, NamedEntry>;
  readonly users: ReadonlyMap<string, NamedEntry>;
  readonly contexts: ReadonlyMap<string, NamedEntry>;
  readonly currentContext: string | null;
}

/** The flags that override the kubeconfig, as kubectl names them. */
export interface KubeOverrides {
  readonly context?: string;
  readonly cluster?: string;
  readonly user?: string;
  readonly namespace?: string;
}

/** What one invocation connects with: the chosen context, cluster, user and default namespace. */
export interface ClusterAccess {
  readonly context: string;
  readonly cluster: NamedEntry;
  readonly user: NamedEntry | null;
  readonly namespace: string;
}

const LISTS = [['clusters', 'cluster'], ['users', 'user'], ['contexts', 'context']] as const;
const CLUSTER_PATHS = ['certificate-authority'] as const;
const USER_PATHS = ['client-certificate', 'client-key', 'tokenFile'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badFile(path: string, what: string): UnreadableInputError {
  return new UnreadableInputError('KUBECONFIG_INVALID', `The kubeconfig ${path} is not valid: ${what}.`, `Fix or remove ${path} (kubectl config view --kubeconfig ${path} shows how kubectl reads it).`);
}

function resolveIn(dir: string, value: unknown): unknown {
  return typeof value === 'string' && value !== '' && !isAbsolute(value) ? join(dir, value) : value;
}

/** Resolves a file's relative paths against its own folder, as kubectl does when it loads each file. */
function withAbsolutePaths(list: 'clusters' | 'users' | 'contexts', fields: Record<string, unknown>, dir: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...fields };
  if (list === 'clusters') for (const key of CLUSTER_PATHS) copy[key] = resolveIn(dir, copy[key]);
  if (list === 'users') {
    for (const key of USER_PATHS) copy[key] = resolveIn(dir, copy[key]);
    const exec = copy.exec;
    // A command with a slash is a path relative to the kubeconfig; a bare name is looked up on PATH.
    if (isRecord(exec) && typeof exec.command === 'string' && exec.command.includes('/')) copy.exec = { ...exec, command: resolveIn(dir, exec.command) };
  }
  for (const key of Object.keys(copy)) if (copy[key] === undefined) delete copy[key];
  return copy;
}

function entriesOf(file: KubeconfigDocument, list: 'clusters' | 'users' | 'contexts', field: string): NamedEntry[] {
  const doc = file.doc as Record<string, unknown>;
  const raw = doc[list];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badFile(file.path, `${list} is not a list`);
  const seen = new Set<string>();
  return raw.map((item, index) => {
    if (!isRecord(item) || typeof item.name !== 'string' || item.name === '') throw badFile(file.path, `${list}[${index}] has no name`);
    if (seen.has(item.name)) throw badFile(file.path, `${list} names ${JSON.stringify(item.name.slice(0, 80))} twice`);
    seen.add(item.name);
    const fields = item[field] ?? {};
    if (!isRecord(fields)) throw badFile(file.path, `${list}[${index}].${field} is not a mapping`);
    return { name: item.name, fields: withAbsolutePaths(list, fields, file.dir), origin: file.path };
  });
}

/** Merges kubeconfig files in KUBECONFIG order: the first to define a name wins, whole; current-context from the first that sets one. */
export function mergeKubeconfigs(files: readonly KubeconfigDocument[]): MergedKubeconfig {
  const maps = { clusters: new Map<string, NamedEntry>(), users: new Map<string, NamedEntry>(), contexts: new Map<string, NamedEntry>() };
  let currentContext: string | null = null;
  for (const file of files) {
    // An empty file is an empty config to kubectl.
    if (file.doc === null || file.doc === undefined) continue;
    if (!isRecord(file.doc)) throw badFile(file.path, 'it is not a mapping');
    for (const [list, field] of LISTS) {
      for (const entry of entriesOf(file, list, field)) if (!maps[list].has(entry.name)) maps[list].set(entry.name, entry);
    }
    const current = file.doc['current-context'];
    if (currentContext === null && typeof current === 'string' && current !== '') currentContext = current;
  }
  return { files: files.map((f) => f.path), ...maps, currentContext };
}

function stringField(entry: NamedEntry | undefined, key: string): string | undefined {
  const value = entry?.fields[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function quoted(name: string): string {
  return JSON.stringify(name.slice(0, 120));
}

/** Picks the context, cluster, user and namespace, refusing with the next step when the kubeconfig does not name them. */
export function selectClusterAccess(merged: MergedKubeconfig, overrides: KubeOverrides): ClusterAccess {
  const where = merged.files.join(', ');
  const contextName = overrides.context ?? merged.currentContext ?? '';
  const context = contextName === '' ? undefined : merged.contexts.get(contextName);
  if (contextName !== '' && context === undefined) {
    throw new UnreadableInputError('KUBE_CONTEXT', `No context named ${quoted(contextName)} in the kubeconfig (${where}).`, 'List the contexts with `kubectl config get-contexts` and pass one with --context NAME.');
  }
  const clusterName = overrides.cluster ?? stringField(context, 'cluster');
  if (clusterName === undefined) {
    throw new UnreadableInputError('KUBE_CONTEXT', `The kubeconfig (${where}) names no current context.`, 'Pick one with --context NAME (`kubectl config get-contexts` lists them) or set it with `kubectl config use-context NAME`.');
  }
  const cluster = merged.clusters.get(clusterName);
  if (cluster === undefined) {
    throw new UnreadableInputError('KUBE_CONTEXT', `${contextName === '' ? 'The' : `Context ${quoted(contextName)} names a`} cluster ${quoted(clusterName)} that no kubeconfig file defines (${where}).`, 'Fix the context (kubectl config view) or pass --cluster NAME.');
  }
  if (stringField(cluster, 'server') === undefined) {
    throw new UnreadableInputError('KUBE_CONTEXT', `Cluster ${quoted(clusterName)} in ${cluster.origin} has no server address.`, 'Set it with `kubectl config set-cluster NAME --server https://…`.');
  }
  const userName = overrides.user ?? stringField(context, 'user');
  const user = userName === undefined ? null : merged.users.get(userName);
  if (userName !== undefined && user === undefined) {
    throw new UnreadableInputError('KUBE_USER', `${contextName === '' ? 'The' : `Context ${quoted(contextName)} names a`} user ${quoted(userName)} that no kubeconfig file defines (${where}).`, 'Fix the context\'s user (kubectl config view), pass --user NAME, or merge the file that defines it into KUBECONFIG.');
  }
  return { context: contextName, cluster, user: user ?? null, namespace: overrides.namespace ?? stringField(context, 'namespace') ?? 'default' };
}
