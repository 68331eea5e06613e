/**
 * Finds and reads the kubeconfig files kubectl would read: --kubeconfig FILE, else every file in
 * $KUBECONFIG (missing ones skipped, as kubectl does), else ~/.kube/config. Each file is read bounded
 * and parsed as YAML with aliases capped; the merge itself is core/kube/kubeconfig-merge.
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { UnreadableInputError } from '../../core/errors.js';
import { mergeKubeconfigs, type KubeconfigDocument, type MergedKubeconfig } from '../../core/kube/kubeconfig-merge.js';
import { readBounded } from '../collect/bounded-read.js';

/** Real kubeconfigs are a few KiB; a cloud account with hundreds of clusters stays well under this. */
export const MAX_KUBECONFIG_BYTES = 4 * 1024 * 1024;

/** The file list kubectl would consider, and whether a missing file is an error (only for --kubeconfig). */
export function kubeconfigPaths(explicit: string | undefined, env: NodeJS.ProcessEnv): { paths: string[]; explicit: boolean } {
  if (explicit !== undefined) return { paths: [resolve(explicit)], explicit: true };
  const list = env.KUBECONFIG;
  if (list !== undefined && list !== '') {
    const unique = [...new Set(list.split(':').filter((p) => p !== '').map((p) => resolve(p)))];
    return { paths: unique, explicit: false };
  }
  return { paths: [join(env.HOME ?? homedir(), '.kube', 'config')], explicit: false };
}

function noKubeconfig(): UnreadableInputError {
  return new UnreadableInputError('NO_KUBECONFIG', 'No kubeconfig found (looked in $KUBECONFIG, ~/.kube/config).',
    'Pass --kubeconfig FILE, set KUBECONFIG, or get one from your cluster (e.g. `aws eks update-kubeconfig`, `gcloud container clusters get-credentials`, `az aks get-credentials`); `kubectl config view` should show it.');
}

/** Reads and parses one kubeconfig file; null when it does not exist. */
function readKubeconfigFile(path: string): KubeconfigDocument | null {
  const read = readBounded(path, MAX_KUBECONFIG_BYTES);
  if (read.error === 'ENOENT' || read.error === 'ENOTDIR') return null;
  if (read.error === 'not a regular file') throw new UnreadableInputError('KUBECONFIG_UNREADABLE', `The kubeconfig ${path} is not a regular file (a directory?).`, 'KUBECONFIG lists files separated by ":"; name the file inside that folder, e.g. DIR/config.');
  if (read.error !== undefined) throw new UnreadableInputError('KUBECONFIG_UNREADABLE', `The kubeconfig ${path} could not be read (${read.error}).`, 'Check its permissions, or pass --kubeconfig FILE.');
  if (read.truncated) throw new UnreadableInputError('KUBECONFIG_TOO_LARGE', `The kubeconfig ${path} is larger than ${MAX_KUBECONFIG_BYTES / 1024 / 1024} MiB; kustody does not read it (kubeconfigs are normally a few KiB).`, 'Check that KUBECONFIG names the right file; `kubectl config view --minify --flatten > small.kubeconfig` writes just the context you need.');
  const text = Buffer.from(read.bytes).toString('utf8');
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false });
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0]?.line;
    throw new UnreadableInputError('KUBECONFIG_INVALID', `The kubeconfig ${path}${line === undefined ? '' : ` line ${line}`} is not valid YAML: ${(error.message.split('\n')[0] ?? 'syntax error').replace(/ at line \d+, column \d+:?$/, '')}.`, `Fix ${path}; kubectl config view --kubeconfig ${path} shows how kubectl reads it.`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new UnreadableInputError('KUBECONFIG_INVALID', `The kubeconfig ${path} could not be parsed: ${(e as Error).message.slice(0, 200)}.`, `Fix ${path}.`);
  }
  return { path, dir: dirname(path), doc: value };
}

/** Reads every kubeconfig file kubectl would and merges them with kubectl's rules; exit 2 when there is none. */
export function loadKubeconfig(explicit: string | undefined, env: NodeJS.ProcessEnv): MergedKubeconfig {
  const { paths, explicit: isExplicit } = kubeconfigPaths(explicit, env);
  const docs: KubeconfigDocument[] = [];
  for (const path of paths) {
    const doc = readKubeconfigFile(path);
    if (doc === null && isExplicit) throw new UnreadableInputError('KUBECONFIG_UNREADABLE', `The kubeconfig ${path} does not exist.`, 'Pass --kubeconfig with an existing file, or leave it out to use $KUBECONFIG or ~/.kube/config.');
    if (doc !== null) docs.push(doc);
  }
  if (docs.length === 0) throw noKubeconfig();
  return mergeKubeconfigs(docs);
}
