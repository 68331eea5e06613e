/** The collector and cut images a command uses: its flags first, then KUSTODY_COLLECTOR_IMAGE / KUSTODY_NETCUT_IMAGE, then the settings file. */
import type { CollectorImage } from '../adapters/kube/pod-collectors.js';
import { loadConfigSources } from '../adapters/system/config-file.js';
import { resolveCollectorImage, resolveNetcutImage, type ConfiguredImage } from '../core/config/kustody-config.js';

type Values = Record<string, string | boolean | undefined>;

function flagsOf(values: Values): { image?: string; pullPolicy?: string } {
  const image = values['collector-image'];
  const pullPolicy = values['collector-pull-policy'];
  return { image: typeof image === 'string' ? image : undefined, pullPolicy: typeof pullPolicy === 'string' ? pullPolicy : undefined };
}

// The settings file is read only when neither the flag nor the environment names the image, so a broken file never blocks an explicit choice.
function sourcesFor(values: Values, env: NodeJS.ProcessEnv, envName: string) {
  const explicit = typeof values['collector-image'] === 'string' || (env[envName] ?? '') !== '';
  return explicit ? { env, file: null } : loadConfigSources(env);
}

/** The image for the debug and node capture vantages, or undefined when none is configured. */
export function collectorImageOption(values: Values, env: NodeJS.ProcessEnv): (CollectorImage & { source: string }) | undefined {
  return asCollectorImage(resolveCollectorImage(flagsOf(values), sourcesFor(values, env, 'KUSTODY_COLLECTOR_IMAGE')));
}

/** The image for `isolate --cut-connections` (BusyBox, ss, conntrack), or undefined when none is configured. */
export function netcutImageOption(values: Values, env: NodeJS.ProcessEnv): (CollectorImage & { source: string }) | undefined {
  return asCollectorImage(resolveNetcutImage(flagsOf(values), sourcesFor(values, env, 'KUSTODY_NETCUT_IMAGE')));
}

function asCollectorImage(image: ConfiguredImage | undefined): (CollectorImage & { source: string }) | undefined {
  return image === undefined ? undefined : { ref: image.ref, pullPolicy: image.pullPolicy, source: image.source };
}
