/**
 * Finds the user's kuberc as kubectl 1.35 does ($KUBERC, else ~/.kube/kuberc; KUBERC=off disables it)
 * and reads its credential plugin policy. Unlike kubectl, which warns and carries on with no policy,
 * a kuberc that cannot be read or parsed stops kustody: a broken security setting must not fail open.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UnreadableInputError } from '../../core/errors.js';
import { DEFAULT_PLUGIN_POLICY, parseKubercPolicy, type PluginPolicy } from '../../core/kube/plugin-policy.js';
import { readBounded } from '../collect/bounded-read.js';

const MAX_KUBERC_BYTES = 1024 * 1024;

/** The kuberc path kubectl would read, whether naming it was explicit ($KUBERC), or null when KUBERC=off. */
export function kubercPath(env: NodeJS.ProcessEnv): { path: string; explicit: boolean } | null {
  const value = env.KUBERC;
  if (value === 'off') return null;
  if (value !== undefined && value !== '') return { path: resolve(value), explicit: true };
  return { path: join(env.HOME ?? homedir(), '.kube', 'kuberc'), explicit: false };
}

/** The credential plugin policy in force: the kuberc's, or kubectl's default (AllowAll) when it sets none. */
export function loadPluginPolicy(env: NodeJS.ProcessEnv): PluginPolicy {
  const where = kubercPath(env);
  if (where === null) return { ...DEFAULT_PLUGIN_POLICY, source: 'default (KUBERC=off)' };
  const read = readBounded(where.path, MAX_KUBERC_BYTES);
  if (read.error === 'ENOENT' && !where.explicit) return DEFAULT_PLUGIN_POLICY;
  if (read.error !== undefined) {
    throw new UnreadableInputError('KUBERC_UNREADABLE', `The kuberc ${where.path} could not be read (${read.error === 'ENOENT' ? 'it does not exist' : read.error}).`, 'Fix the path in KUBERC, or set KUBERC=off to use no kuberc.');
  }
  if (read.truncated) throw new UnreadableInputError('KUBERC_INVALID', `The kuberc ${where.path} is larger than 1 MiB.`, 'A kuberc is a few lines of preferences: check that it is the right file.');
  return parseKubercPolicy(Buffer.from(read.bytes).toString('utf8'), where.path) ?? DEFAULT_PLUGIN_POLICY;
}
