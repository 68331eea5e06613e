/**
 * Finds and reads kustody's settings file: `$XDG_CONFIG_HOME/kustody/config.yaml` when XDG_CONFIG_HOME
 * is an absolute path (the XDG spec ignores a relative one), else `~/.config/kustody/config.yaml`.
 * Read like any untrusted file: a regular file only (never a FIFO or device), at most 64 KiB.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { UnreadableInputError } from '../../core/errors.js';
import { parseKustodyConfig, type ConfigSources } from '../../core/config/kustody-config.js';
import { readBounded } from '../collect/bounded-read.js';

const MAX_CONFIG_BYTES = 64 * 1024;

/** Where kustody looks for its settings file. */
export function configFilePath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'kustody', 'config.yaml');
}

/** The environment and the settings file (null when it does not exist); a file that exists but cannot be used stops kustody, naming it. */
export function loadConfigSources(env: NodeJS.ProcessEnv): ConfigSources {
  const path = configFilePath(env);
  const read = readBounded(path, MAX_CONFIG_BYTES);
  if (read.error === 'ENOENT') return { env, file: null };
  if (read.error !== undefined) throw new UnreadableInputError('CONFIG_UNREADABLE', `The kustody settings file ${path} could not be read (${read.error}).`, `Make ${path} a readable regular file, or remove it.`);
  if (read.truncated) throw new UnreadableInputError('CONFIG_INVALID', `The kustody settings file ${path} is larger than 64 KiB.`, `It holds a few lines of settings: check that ${path} is the right file.`);
  const text = Buffer.from(read.bytes).toString('utf8');
  if (text.includes('\uFFFD')) throw new UnreadableInputError('CONFIG_INVALID', `The kustody settings file ${path} is not UTF-8 text.`, `Fix or remove ${path}.`);
  return { env, file: { path, config: parseKustodyConfig(text, path) } };
}
