/**
 * Runs a kubeconfig credential plugin the way client-go does, with bounds kubectl lacks: no stdin
 * (KUBERNETES_EXEC_INFO says non-interactive), a timeout, capped output, and the credential held in
 * memory only, refreshed when it expires. The client library's own exec runner is never used.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { execa } from 'execa';
import { redactSecrets } from '../../core/display/index.js';
import { KustodyError } from '../../core/errors.js';
import { parseExecCredential, type ExecCredential, type ExecPluginSpec } from '../../core/kube/exec-credential.js';

/** How long a plugin may take before kustody gives up (KUSTODY_EXEC_PLUGIN_TIMEOUT_MS overrides it). */
export const DEFAULT_PLUGIN_TIMEOUT_MS = 30_000;
const MAX_PLUGIN_OUTPUT = 1024 * 1024;
/** Refresh this long before the stated expiry, so a request never leaves with a credential about to lapse. */
const EXPIRY_MARGIN_MS = 10_000;

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Resolves a command as exec.LookPath does: a path is checked as is, a bare name searched on PATH (relative PATH entries skipped). */
export function lookPath(name: string, env: NodeJS.ProcessEnv): string | null {
  if (name.includes('/')) return isExecutableFile(name) ? normalize(name) : null;
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** The plugin's timeout for this environment. */
export function pluginTimeoutMs(env: NodeJS.ProcessEnv): number {
  const value = Number(env.KUSTODY_EXEC_PLUGIN_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_PLUGIN_TIMEOUT_MS;
}

function lastLine(text: string): string {
  const line = text.trim().split('\n').pop() ?? '';
  return redactSecrets(line).slice(0, 300);
}

/** Runs the plugin at `path` once and returns its checked credential. */
export async function runCredentialPlugin(path: string, spec: ExecPluginSpec, cluster: { server: string; caData?: string; skipTLSVerify: boolean; tlsServerName?: string }, env: NodeJS.ProcessEnv): Promise<ExecCredential> {
  const timeout = pluginTimeoutMs(env);
  const info = {
    apiVersion: spec.apiVersion, kind: 'ExecCredential',
    spec: { interactive: false, ...(spec.provideClusterInfo ? { cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData, 'insecure-skip-tls-verify': cluster.skipTLSVerify, 'tls-server-name': cluster.tlsServerName } } : {}) },
  };
  const pluginEnv: Record<string, string | undefined> = { ...env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const { name, value } of spec.env) pluginEnv[name] = value;
  const run = await execa(path, [...spec.args], {
    env: pluginEnv, extendEnv: false, stdin: 'ignore', timeout, maxBuffer: MAX_PLUGIN_OUTPUT, reject: false, forceKillAfterDelay: 1000,
  });
  if (run.timedOut) {
    throw new KustodyError('EXEC_PLUGIN_TIMEOUT', `The credential plugin ${path} did not answer within ${timeout / 1000} s.`, {
      nextStep: 'It may be waiting for a login prompt kustody cannot show: log in with kubectl once (kubectl get ns), then retry.',
    });
  }
  if (run.isMaxBuffer) throw new KustodyError('EXEC_PLUGIN_OUTPUT', `The credential plugin ${path} printed more than ${MAX_PLUGIN_OUTPUT / 1024} KiB.`, { nextStep: `Run ${path} by hand to see what it prints.` });
  if (run.exitCode !== 0) {
    const said = lastLine(String(run.stderr ?? ''));
    throw new KustodyError('EXEC_PLUGIN_FAILED', `The credential plugin ${path} failed (${run.exitCode === undefined ? (run.signal ?? 'did not start') : `exit ${run.exitCode}`})${said === '' ? '' : `: ${said}`}.`, {
      nextStep: `Run it by hand (${path}) or log in again with your cloud CLI, then retry.`,
    });
  }
  return parseExecCredential(String(run.stdout ?? ''), spec, Date.now());
}

/** Holds one plugin's credential and fetches a new one when it is about to expire. */
export class PluginCredentialSource {
  private current: ExecCredential | null = null;
  private pending: Promise<ExecCredential> | null = null;

  constructor(private readonly fetch: () => Promise<ExecCredential>) {}

  /** The current credential, fetching one first when none is held or it is about to expire. */
  async get(): Promise<ExecCredential> {
    const held = this.current;
    if (held !== null && (held.expiresAt === null || held.expiresAt - EXPIRY_MARGIN_MS > Date.now())) return held;
    this.pending ??= this.fetch().finally(() => {
      this.pending = null;
    });
    this.current = await this.pending;
    return this.current;
  }
}
