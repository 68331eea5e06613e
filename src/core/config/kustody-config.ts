/**
 * kustody's own settings file (`$XDG_CONFIG_HOME/kustody/config.yaml`, default
 * `~/.config/kustody/config.yaml`) and how its values combine with flags and the environment: flag >
 * env > file. Pure: parsing and precedence only; the file is read by adapters/system/config-file.ts.
 */
import { parseDocument } from 'yaml';
import { UnreadableInputError, UsageError } from '../errors.js';

/** How the node gets an image. */
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** A trusted image and where its setting came from. */
export interface ConfiguredImage {
  readonly ref: string;
  readonly pullPolicy: PullPolicy;
  /** `--collector-image`, `KUSTODY_COLLECTOR_IMAGE`, or the file's path and key. */
  readonly source: string;
}

/** What the settings file may say; every key optional. */
export interface KustodyConfigFile {
  readonly collectorImage?: string;
  readonly collectorPullPolicy?: PullPolicy;
  readonly netcutImage?: string;
  readonly netcutPullPolicy?: PullPolicy;
}

const KEYS = ['collectorImage', 'collectorPullPolicy', 'netcutImage', 'netcutPullPolicy'] as const;
const POLICIES: readonly string[] = ['Always', 'IfNotPresent', 'Never'];
/** An image reference as a container runtime accepts it: [registry[:port]/]path[:tag][@sha256:hex], no spaces or controls. */
const IMAGE_REF = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

/** True when `ref` is a well-formed image reference of at most 512 characters. */
export function isImageRef(ref: string): boolean {
  return ref.length <= 512 && IMAGE_REF.test(ref);
}

function bad(path: string, line: number | null, why: string): UnreadableInputError {
  return new UnreadableInputError('CONFIG_INVALID', `The kustody settings file ${path}${line === null ? '' : `, line ${line},`} is not valid: ${why}.`, `Fix or remove ${path}: it may set only ${KEYS.join(', ')} (see docs/collector-image.md).`);
}

/**
 * Parses the settings file's text; refuses anything but a mapping of the known keys with well-formed values, naming the line.
 *
 * @example parseKustodyConfig('collectorImage: reg.example/kc@sha256:…\n', '/home/r/.config/kustody/config.yaml').collectorImage
 */
export function parseKustodyConfig(text: string, path: string): KustodyConfigFile {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 0 } as Parameters<typeof parseDocument>[1]);
  const error = doc.errors[0];
  if (error !== undefined) throw bad(path, error.linePos?.[0]?.line ?? null, (error.message.split('\n')[0] ?? 'YAML syntax error').replace(/ at line \d+, column \d+:?$/, ''));
  const lineOf = (key: string): number | null => {
    const node = doc.get(key, true) as { range?: [number, number] } | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? null : text.slice(0, offset).split('\n').length;
  };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 0 });
  } catch {
    throw bad(path, null, 'it uses YAML aliases, which it does not need');
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(path, null, 'it is not a mapping of settings');
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!(KEYS as readonly string[]).includes(key)) throw bad(path, lineOf(key), `unknown setting ${JSON.stringify(key.slice(0, 40))}`);
    if (typeof raw !== 'string') throw bad(path, lineOf(key), `${key} must be a string`);
    if (key.endsWith('Image') && !isImageRef(raw)) throw bad(path, lineOf(key), `${key} is not an image reference (REGISTRY/NAME@sha256:DIGEST)`);
    if (key.endsWith('PullPolicy') && !POLICIES.includes(raw)) throw bad(path, lineOf(key), `${key} must be Always, IfNotPresent or Never`);
    out[key] = raw;
  }
  return out as KustodyConfigFile;
}

/** The settings as found: the environment, and the file's content (or null when there is none). */
export interface ConfigSources {
  readonly env: NodeJS.ProcessEnv;
  readonly file: { readonly path: string; readonly config: KustodyConfigFile } | null;
}

function policyOf(value: string | boolean | undefined, where: string): PullPolicy {
  const policy = value ?? 'IfNotPresent';
  if (typeof policy !== 'string' || !POLICIES.includes(policy)) throw new UsageError(`${where} must be Always, IfNotPresent or Never.`);
  return policy as PullPolicy;
}

function pick(kind: 'collector' | 'netcut', flags: { image?: string; pullPolicy?: string; flagName: string }, sources: ConfigSources): ConfiguredImage | undefined {
  const envName = `KUSTODY_${kind.toUpperCase()}_IMAGE`;
  const envPolicy = `KUSTODY_${kind.toUpperCase()}_PULL_POLICY`;
  if (flags.image !== undefined) {
    if (!isImageRef(flags.image)) throw new UsageError(`${flags.flagName} ${JSON.stringify(flags.image.slice(0, 80))} is not an image reference.`, 'Name the image as REGISTRY/NAME@sha256:DIGEST (kustody collector image --print-digest prints the digest).');
    return { ref: flags.image, pullPolicy: policyOf(flags.pullPolicy, `${flags.flagName.replace('image', 'pull-policy')}`), source: flags.flagName };
  }
  const fromEnv = sources.env[envName];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isImageRef(fromEnv)) throw new UsageError(`${envName} ${JSON.stringify(fromEnv.slice(0, 80))} is not an image reference.`, `Set ${envName} to REGISTRY/NAME@sha256:DIGEST, or unset it.`);
    return { ref: fromEnv, pullPolicy: policyOf(flags.pullPolicy ?? (sources.env[envPolicy] || undefined), flags.pullPolicy !== undefined ? flags.flagName.replace('image', 'pull-policy') : envPolicy), source: envName };
  }
  const file = sources.file;
  const ref = file?.config[`${kind}Image`];
  if (file === null || ref === undefined) return undefined;
  return { ref, pullPolicy: flags.pullPolicy !== undefined ? policyOf(flags.pullPolicy, flags.flagName.replace('image', 'pull-policy')) : file.config[`${kind}PullPolicy`] ?? 'IfNotPresent', source: `${file.path} (${kind}Image)` };
}

/** The collector image for the debug and node vantages: `--collector-image` > KUSTODY_COLLECTOR_IMAGE > the file's collectorImage. */
export function resolveCollectorImage(flags: { image?: string; pullPolicy?: string }, sources: ConfigSources): ConfiguredImage | undefined {
  return pick('collector', { ...flags, flagName: '--collector-image' }, sources);
}

/** The node image for cutting connections (BusyBox, ss, conntrack): `--collector-image` on isolate > KUSTODY_NETCUT_IMAGE > the file's netcutImage. */
export function resolveNetcutImage(flags: { image?: string; pullPolicy?: string }, sources: ConfigSources): ConfiguredImage | undefined {
  return pick('netcut', { ...flags, flagName: '--collector-image' }, sources);
}
