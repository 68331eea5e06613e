/**
 * The user's own rule for kubeconfig credential plugins, as kubectl 1.35 reads it from kuberc
 * (`credentialPluginPolicy: AllowAll | DenyAll | Allowlist`, `credentialPluginAllowlist: [{name}]`),
 * and the decision for one plugin command. No policy means kubectl's default: the plugin runs.
 */
import { isAbsolute, normalize } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { UnreadableInputError } from '../errors.js';

/** A credential plugin policy and where it came from (a kuberc path, or the default). */
export interface PluginPolicy {
  readonly type: 'AllowAll' | 'DenyAll' | 'Allowlist';
  readonly allowlist: readonly string[];
  readonly source: string;
}

/** kubectl's behaviour with no kuberc policy: every plugin may run. */
export const DEFAULT_PLUGIN_POLICY: PluginPolicy = { type: 'AllowAll', allowlist: [], source: 'default (no kuberc policy)' };

/** The outcome for one plugin: run it (from this path), or refuse with kubectl's reason. */
export type PluginDecision = { readonly allowed: true; readonly path: string } | { readonly allowed: false; readonly reason: string };

const KUBERC_VERSIONS = ['kubectl.config.k8s.io/v1beta1', 'kubectl.config.k8s.io/v1alpha1'];

function bad(path: string, line: number | null, what: string): UnreadableInputError {
  const at = line === null ? path : `${path} line ${line}`;
  return new UnreadableInputError('KUBERC_INVALID', `The kuberc ${at} is not valid: ${what}.`, `Fix ${path} (see https://kubernetes.io/docs/reference/kubectl/kuberc/), or set KUBERC=off to ignore it.`);
}

/** Parses a kuberc's credential plugin policy; null when it sets none. Refuses a malformed file, naming the file and line. */
export function parseKubercPolicy(text: string, path: string): PluginPolicy | null {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) return null;
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) throw bad(path, error.linePos?.[0]?.line ?? null, (error.message.split('\n')[0] ?? 'YAML syntax error').replace(/ at line \d+, column \d+:?$/, ''));
  }
  const line = (doc: (typeof docs)[number], key: string | readonly unknown[]): number | null => {
    const node = doc.getIn(typeof key === 'string' ? [key] : key, true) as { range?: [number, number] } | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? null : text.slice(0, offset).split('\n').length;
  };
  for (const doc of docs) {
    const value = doc.toJS({ maxAliasCount: 50 }) as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw bad(path, null, 'it is not a mapping');
    const pref = value as Record<string, unknown>;
    if (typeof pref.apiVersion !== 'string' || !KUBERC_VERSIONS.includes(pref.apiVersion)) throw bad(path, line(doc, 'apiVersion'), `apiVersion must be one of ${KUBERC_VERSIONS.join(', ')}`);
    if (pref.kind !== 'Preference') throw bad(path, line(doc, 'kind'), 'kind must be Preference');
    return policyOf(pref, path, (key) => line(doc, key));
  }
  return null;
}

function policyOf(pref: Record<string, unknown>, path: string, line: (key: string | readonly unknown[]) => number | null): PluginPolicy | null {
  const type = pref.credentialPluginPolicy ?? '';
  const rawList = pref.credentialPluginAllowlist;
  const at = (key: string | readonly unknown[]) => line(key);
  if (type !== '' && type !== 'AllowAll' && type !== 'DenyAll' && type !== 'Allowlist') throw bad(path, at('credentialPluginPolicy'), `unknown credentialPluginPolicy ${JSON.stringify(String(type).slice(0, 40))} (AllowAll, DenyAll or Allowlist)`);
  if (rawList !== undefined && rawList !== null && type !== 'Allowlist') throw bad(path, at('credentialPluginAllowlist'), `credentialPluginAllowlist is set but credentialPluginPolicy is ${JSON.stringify(type)}, not "Allowlist"`);
  if (type === '') return null;
  if (type !== 'Allowlist') return { type, allowlist: [], source: path };
  if (!Array.isArray(rawList)) throw bad(path, at('credentialPluginPolicy'), 'credentialPluginPolicy is "Allowlist" but credentialPluginAllowlist is not a list');
  if (rawList.length === 0) throw bad(path, at('credentialPluginAllowlist'), 'credentialPluginAllowlist is empty; use credentialPluginPolicy: DenyAll instead');
  const allowlist = rawList.map((entry, index) => {
    const name = typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : undefined;
    const here = at(['credentialPluginAllowlist', index]);
    if (typeof name !== 'string' || name === '') throw bad(path, here, `credentialPluginAllowlist entry ${index + 1} has no name`);
    if (name.includes('/') && !isAbsolute(name)) throw bad(path, here, `credentialPluginAllowlist entry ${JSON.stringify(name.slice(0, 120))} is a relative path; name a program on PATH or give its absolute path`);
    if (normalize(name) !== name) throw bad(path, here, `credentialPluginAllowlist entry ${JSON.stringify(name.slice(0, 120))} is not a normalized path (${JSON.stringify(normalize(name).slice(0, 120))})`);
    return name;
  });
  return { type, allowlist, source: path };
}

/**
 * Decides whether a plugin command may run, as client-go does: DenyAll refuses; Allowlist allows a
 * command equal to an entry, or whose PATH resolution equals an entry's. `lookPath` resolves a bare
 * name on PATH (a path is returned as is when it is an executable file) or returns null.
 */
export function decidePlugin(policy: PluginPolicy, command: string, lookPath: (name: string) => string | null): PluginDecision {
  const configured = normalize(command);
  const resolved = lookPath(configured);
  if (policy.type === 'DenyAll') return { allowed: false, reason: `plugin ${JSON.stringify(configured)} not allowed: policy set to "DenyAll"` };
  if (policy.type === 'AllowAll') {
    return resolved === null ? { allowed: false, reason: `plugin ${JSON.stringify(configured)} was not found (not on PATH, or not an executable file)` } : { allowed: true, path: resolved };
  }
  if (resolved === null) return { allowed: false, reason: `plugin path ${JSON.stringify(configured)} cannot be resolved for credential plugin allowlist check (not on PATH, or not an executable file)` };
  if (policy.allowlist.includes(configured) || policy.allowlist.includes(resolved)) return { allowed: true, path: resolved };
  if (policy.allowlist.some((entry) => lookPath(entry) === resolved)) return { allowed: true, path: resolved };
  return { allowed: false, reason: `plugin path ${JSON.stringify(resolved)} is not permitted by the credential plugin allowlist` };
}
