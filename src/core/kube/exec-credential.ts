/**
 * What a kubeconfig credential plugin printed, checked the way client-go checks it: an ExecCredential
 * of the apiVersion the kubeconfig asked for, with a token or a client certificate and key, and an
 * expiry in the future. Output is the plugin's, so it is parsed defensively and never echoed.
 */
import { KustodyError } from '../errors.js';

/** A usable credential and when it stops being one (null: no expiry given). */
export interface ExecCredential {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  readonly expiresAt: number | null;
}

/** The plugin settings kustody uses from a kubeconfig user's `exec` block. */
export interface ExecPluginSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { name: string; value: string }[];
  readonly apiVersion: string;
  readonly installHint: string | null;
  readonly provideClusterInfo: boolean;
}

const API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

function pluginError(command: string, what: string): KustodyError {
  return new KustodyError('EXEC_PLUGIN_OUTPUT', `The credential plugin ${command} ${what}.`, { nextStep: `Run the plugin by hand (${command}) to see what it prints; log in again if it needs a fresh session.` });
}

/** Reads the `exec` block of a kubeconfig user; null when the user has none. */
export function execPluginSpec(user: Readonly<Record<string, unknown>>): ExecPluginSpec | null {
  const exec = user.exec;
  if (exec === undefined || exec === null) return null;
  const block = exec as Record<string, unknown>;
  if (typeof block !== 'object' || typeof block.command !== 'string' || block.command === '') {
    throw new KustodyError('EXEC_PLUGIN_CONFIG', 'The kubeconfig user\'s exec block names no command.', { kind: 'usage', nextStep: 'Fix the user\'s exec.command in the kubeconfig (kubectl config view).' });
  }
  const apiVersion = typeof block.apiVersion === 'string' ? block.apiVersion : '';
  if (!API_VERSIONS.includes(apiVersion)) {
    throw new KustodyError('EXEC_PLUGIN_CONFIG', `The kubeconfig user's exec block asks for apiVersion ${JSON.stringify(apiVersion.slice(0, 80))}, which kustody does not speak.`, { kind: 'usage', nextStep: `Use ${API_VERSIONS.join(' or ')} (client.authentication.k8s.io/v1alpha1 was removed from kubectl in 1.24).` });
  }
  const args = Array.isArray(block.args) ? block.args.filter((a): a is string => typeof a === 'string') : [];
  const env = Array.isArray(block.env)
    ? block.env.flatMap((e) => (typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string' && typeof (e as { value?: unknown }).value === 'string' ? [{ name: (e as { name: string }).name, value: (e as { value: string }).value }] : []))
    : [];
  return { command: block.command, args, env, apiVersion, installHint: typeof block.installHint === 'string' ? block.installHint : null, provideClusterInfo: block.provideClusterInfo === true };
}

/** Parses and checks a plugin's stdout; `now` is milliseconds since the epoch. */
export function parseExecCredential(stdout: string, spec: ExecPluginSpec, now: number): ExecCredential {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw pluginError(spec.command, 'did not print an ExecCredential (its output is not JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw pluginError(spec.command, 'did not print an ExecCredential (not a JSON object)');
  const object = parsed as Record<string, unknown>;
  if (object.kind !== 'ExecCredential') throw pluginError(spec.command, 'printed JSON that is not an ExecCredential');
  if (object.apiVersion !== spec.apiVersion) throw pluginError(spec.command, `printed an ExecCredential of apiVersion ${JSON.stringify(String(object.apiVersion).slice(0, 80))}, but the kubeconfig asked for ${spec.apiVersion}`);
  const status = object.status;
  if (typeof status !== 'object' || status === null) throw pluginError(spec.command, 'printed an ExecCredential with no status');
  const s = status as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof s[key] === 'string' && s[key] !== '' ? s[key] : undefined);
  const token = text('token');
  const clientCertificateData = text('clientCertificateData');
  const clientKeyData = text('clientKeyData');
  if (token === undefined && (clientCertificateData === undefined || clientKeyData === undefined)) {
    throw pluginError(spec.command, 'printed an ExecCredential with neither a token nor a client certificate and key');
  }
  if ((clientCertificateData === undefined) !== (clientKeyData === undefined)) throw pluginError(spec.command, 'printed a client certificate without its key (or a key without its certificate)');
  let expiresAt: number | null = null;
  if (s.expirationTimestamp !== undefined && s.expirationTimestamp !== null) {
    expiresAt = typeof s.expirationTimestamp === 'string' ? Date.parse(s.expirationTimestamp) : Number.NaN;
    if (Number.isNaN(expiresAt)) throw pluginError(spec.command, 'printed an ExecCredential whose expirationTimestamp is not a date');
    if (expiresAt <= now) throw pluginError(spec.command, `printed a credential that already expired (at ${new Date(expiresAt).toISOString()})`);
  }
  return { token, clientCertificateData, clientKeyData, expiresAt };
}
