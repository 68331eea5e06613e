/**
 * Turns the chosen kubeconfig cluster and user into the client library's objects, and describes the
 * credential for the start screen and the custody log. A credential plugin is decided here (kuberc
 * policy, or --allow-exec-plugin) and, when allowed, run by kustody's own bounded runner.
 */
import type { Cluster, KubeConfig, User } from '@kubernetes/client-node';
import { redactSecrets } from '../../core/display/index.js';
import { KustodyError, UnreadableInputError } from '../../core/errors.js';
import { execPluginSpec, type ExecPluginSpec } from '../../core/kube/exec-credential.js';
import type { NamedEntry } from '../../core/kube/kubeconfig-merge.js';
import { decidePlugin, type PluginPolicy } from '../../core/kube/plugin-policy.js';
import { readBounded } from '../collect/bounded-read.js';
import { PluginCredentialSource, lookPath, runCredentialPlugin } from './exec-plugin.js';
import { loadPluginPolicy } from './kuberc-file.js';

/** Where the credential comes from, as shown on the start screen and recorded in the custody log. */
export interface CredentialSource {
  readonly kind: 'token' | 'token-file' | 'client-certificate' | 'basic-auth' | 'oidc' | 'exec-plugin' | 'none';
  /** For exec-plugin: the program run, its arguments (secrets redacted) and the rule that allowed it. */
  readonly plugin?: { readonly command: string; readonly path: string; readonly args: readonly string[]; readonly allowedBy: string };
}

const PLUGIN_MARKER = 'kustody-exec-plugin';

function text(fields: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = fields[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The client library's cluster object for a kubeconfig cluster entry. */
export function clientCluster(entry: NamedEntry): Cluster {
  const f = entry.fields;
  return {
    name: entry.name, server: (text(f, 'server') ?? '').replace(/\/$/, ''), caData: text(f, 'certificate-authority-data'), caFile: text(f, 'certificate-authority'),
    skipTLSVerify: f['insecure-skip-tls-verify'] === true, tlsServerName: text(f, 'tls-server-name'), proxyUrl: text(f, 'proxy-url'),
  };
}

function readTokenFile(path: string): string {
  const read = readBounded(path, 64 * 1024);
  if (read.error !== undefined || read.truncated) throw new UnreadableInputError('KUBE_TOKEN_FILE', `The kubeconfig's tokenFile ${path} could not be read (${read.error ?? 'larger than 64 KiB'}).`, 'Fix the user\'s tokenFile in the kubeconfig.');
  return Buffer.from(read.bytes).toString('utf8').trim();
}

function refuseUnsupported(entry: NamedEntry): void {
  const f = entry.fields;
  const provider = f['auth-provider'] as { name?: unknown } | undefined;
  if (provider !== undefined && provider !== null && provider.name !== 'oidc') {
    throw new KustodyError('AUTH_PROVIDER_UNSUPPORTED', `The kubeconfig user ${entry.name} uses the ${String(provider.name).slice(0, 40)} auth-provider, which kubectl removed in 1.26.`, {
      kind: 'usage', nextStep: 'Switch to the credential plugin (gke-gcloud-auth-plugin, kubelogin convert-kubeconfig) as kubectl now requires.',
    });
  }
  for (const key of ['as-groups', 'as-uid', 'as-user-extra']) {
    if (f[key] !== undefined) throw new KustodyError('IMPERSONATION_UNSUPPORTED', `The kubeconfig user ${entry.name} sets ${key}, which kustody cannot apply (only \`as\` is supported).`, { kind: 'usage', nextStep: 'Use a kubeconfig user without group or uid impersonation.' });
  }
}

function refused(entry: NamedEntry, spec: ExecPluginSpec, reason: string, policy: PluginPolicy | null): KustodyError {
  const notFound = /not found|cannot be resolved/.test(reason);
  const hint = spec.installHint === null ? '' : ` Install hint from the kubeconfig: ${spec.installHint.slice(0, 300)}`;
  const nextStep = notFound
    ? `Install it or put it on PATH (kubectl would fail the same way).${hint}`
    : `Allow it in ${policy?.source ?? '~/.kube/kuberc'} (credentialPluginAllowlist: - name: ${spec.command}) if you trust it, or pass --allow-exec-plugin for this run.`;
  return new KustodyError(notFound ? 'EXEC_PLUGIN_NOT_FOUND' : 'EXEC_PLUGIN_REFUSED', `The kubeconfig user ${entry.name} gets its credentials from a plugin: ${reason}.`, { kind: 'usage', nextStep });
}

/**
 * Builds the client library's user for a kubeconfig user entry. A credential plugin is checked against
 * the kuberc policy (or allowed by --allow-exec-plugin), run once now so a failure is reported before
 * anything else happens, and then refreshed on expiry by an authenticator added to `config`.
 */
export async function clientUser(entry: NamedEntry | null, cluster: Cluster, config: KubeConfig, allowExecPlugin: boolean, env: NodeJS.ProcessEnv): Promise<{ user: User; credential: CredentialSource }> {
  if (entry === null) return { user: { name: 'anonymous' }, credential: { kind: 'none' } };
  refuseUnsupported(entry);
  const f = entry.fields;
  const base = { name: entry.name, impersonateUser: text(f, 'as') };
  const spec = execPluginSpec(f);
  if (spec !== null) {
    if (f.interactiveMode === 'Always' || (f.exec as { interactiveMode?: unknown }).interactiveMode === 'Always') {
      throw new KustodyError('EXEC_PLUGIN_INTERACTIVE', `The credential plugin of kubeconfig user ${entry.name} asks for an interactive login (interactiveMode: Always), which kustody cannot provide.`, { kind: 'usage', nextStep: 'Log in with kubectl first (kubectl get ns) if the plugin caches its session, or use a non-interactive kubeconfig user.' });
    }
    const policy = allowExecPlugin ? null : loadPluginPolicy(env);
    const decision = policy === null
      ? (() => { const path = lookPath(spec.command, env); return path === null ? { allowed: false as const, reason: `plugin ${JSON.stringify(spec.command)} was not found (not on PATH, or not an executable file)` } : { allowed: true as const, path }; })()
      : decidePlugin(policy, spec.command, (name) => lookPath(name, env));
    if (!decision.allowed) throw refused(entry, spec, decision.reason, policy);
    const source = new PluginCredentialSource(() => runCredentialPlugin(decision.path, spec, cluster, env));
    await source.get();
    config.addAuthenticator({
      isAuthProvider: (user: User) => (user.authProvider as { name?: unknown } | undefined)?.name === PLUGIN_MARKER,
      applyAuthentication: async (_user: User, opts: { headers?: Record<string, unknown>; cert?: unknown; key?: unknown }) => {
        const credential = await source.get();
        if (credential.clientCertificateData !== undefined) {
          opts.cert = credential.clientCertificateData;
          opts.key = credential.clientKeyData;
        }
        if (credential.token !== undefined) opts.headers = { ...(opts.headers ?? {}), Authorization: `Bearer ${credential.token}` };
      },
    } as Parameters<KubeConfig['addAuthenticator']>[0]);
    const allowedBy = policy === null ? '--allow-exec-plugin' : `${policy.type} (${policy.source})`;
    return {
      user: { ...base, authProvider: { name: PLUGIN_MARKER, config: {} } },
      credential: { kind: 'exec-plugin', plugin: { command: spec.command, path: decision.path, args: spec.args.map((a) => redactSecrets(a).slice(0, 200)), allowedBy } },
    };
  }
  const provider = f['auth-provider'];
  if (provider !== undefined && provider !== null) return { user: { ...base, authProvider: provider }, credential: { kind: 'oidc' } };
  const token = text(f, 'token') ?? (text(f, 'tokenFile') === undefined ? undefined : readTokenFile(text(f, 'tokenFile') ?? ''));
  const user: User = {
    ...base, token, certData: text(f, 'client-certificate-data'), certFile: text(f, 'client-certificate'), keyData: text(f, 'client-key-data'), keyFile: text(f, 'client-key'),
    username: text(f, 'username'), password: text(f, 'password'),
  };
  const kind: CredentialSource['kind'] = text(f, 'token') !== undefined ? 'token' : token !== undefined ? 'token-file'
    : user.certData !== undefined || user.certFile !== undefined ? 'client-certificate' : user.username !== undefined ? 'basic-auth' : 'none';
  return { user, credential: { kind } };
}

/** One line saying where the credential comes from, for the start screen and help output. */
export function describeCredential(credential: CredentialSource): string {
  if (credential.plugin === undefined) return credential.kind;
  const { path, args, allowedBy } = credential.plugin;
  return `exec plugin ${[path, ...args].join(' ').slice(0, 300)} (allowed by ${allowedBy})`;
}
