/**
 * `kustody completion bash|zsh|fish` prints a completion script; the script calls the hidden
 * `kustody __complete WORDS…`, which prints candidates: subcommands and flags, contexts from the
 * kubeconfig, and namespaces and pods from the cluster when it answers within a short timeout.
 */
import { escapeUntrusted, trusted } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { completionFor, filterCandidates, type CompletionCommand, type CompletionRequest } from '../core/completion/complete-words.js';
import { COMPLETION_SHELLS, completionScript } from '../core/completion/shell-scripts.js';
import type { Command } from './command.js';
import { kubeOptionsFromFlags } from './kube-options.js';
import { COMMAND_ENTRIES } from './registry.js';

/** How long completion waits for the cluster: a TAB must not hang the shell. */
const CLUSTER_TIMEOUT_MS = 2000;

/** `kustody completion SHELL`. */
export const completionCommand: Command = {
  path: ['completion', ''],
  usage: 'kustody completion bash|zsh|fish',
  summary: 'print a shell completion script (subcommands, flags, contexts, namespaces and pods)',
  help: [
    'bash: source <(kustody completion bash)     (or save it in /etc/bash_completion.d/kustody)',
    'zsh:  source <(kustody completion zsh)      (or save it as _kustody in a folder on $fpath)',
    'fish: kustody completion fish | source      (or save it in ~/.config/fish/completions/kustody.fish)',
    'Namespaces and pods come from the cluster of the current context (or the -n/--context on the line) when it answers within 2 s.',
  ].join('\n'),
  options: {},
  positionals: { min: 1, max: 1 },
  async run(args, { io }) {
    const shell = args.positionals[0] as (typeof COMPLETION_SHELLS)[number];
    if (!(COMPLETION_SHELLS as readonly string[]).includes(shell)) throw new UsageError(`There is no completion for ${JSON.stringify((args.positionals[0] ?? '').slice(0, 20))}.`, 'Pass bash, zsh or fish.');
    for (const line of completionScript(shell).trimEnd().split('\n')) io.out(escapeUntrusted(line));
    return 0;
  },
};

function withTimeout<T>(promise: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), CLUSTER_TIMEOUT_MS);
  });
  return Promise.race([promise.catch(() => null), timeout]).finally(() => clearTimeout(timer));
}

/** The flags typed on the line, for connecting the way the finished command would. */
function flagsOnLine(words: readonly string[]): Record<string, string | boolean | undefined> {
  const values: Record<string, string | boolean | undefined> = {};
  for (let i = 0; i < words.length - 1; i += 1) {
    const word = words[i] ?? '';
    const name = word === '-n' ? 'namespace' : word.startsWith('--') ? word.slice(2) : null;
    if (name !== null && ['kubeconfig', 'context', 'cluster', 'user', 'namespace'].includes(name)) values[name] = words[i + 1];
    if (word === '--allow-exec-plugin') values['allow-exec-plugin'] = true;
  }
  return values;
}

async function fetchList(request: CompletionRequest, words: readonly string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  if (request.kind === 'words') return [...request.values];
  if (request.kind === 'files') return [];
  const options = kubeOptionsFromFlags(flagsOnLine(words));
  if (request.kind === 'contexts') {
    const { loadKubeconfig } = await import('../adapters/kube/kubeconfig-files.js');
    return [...loadKubeconfig(options.kubeconfig, env).contexts.keys()];
  }
  const { connectKube } = await import('../adapters/kube/kube-client.js');
  const quickEnv = { ...env, KUSTODY_EXEC_PLUGIN_TIMEOUT_MS: String(CLUSTER_TIMEOUT_MS) };
  const names = await withTimeout((async () => {
    const kube = await connectKube(options, quickEnv);
    if (request.kind === 'namespaces') return (await kube.core.listNamespace({ limit: 500 })).items.map((n) => `${n.metadata?.name ?? ''}${request.suffix}`);
    const namespace = request.namespace ?? kube.namespace;
    const pods = (await kube.core.listNamespacedPod({ namespace, limit: 500 })).items.map((p) => p.metadata?.name ?? '');
    return request.prefixNamespace ? pods.map((p) => `${namespace}/${p}`) : pods;
  })());
  return names ?? [];
}

/** `kustody __complete WORDS…` (hidden): candidates for the last word, one per line. */
export const completeCommand: Command = {
  path: ['__complete', ''],
  usage: 'kustody __complete WORDS...',
  summary: 'completion candidates for the shell scripts (internal)',
  help: 'Called by the scripts `kustody completion` prints; prints one candidate per line.',
  options: {},
  positionals: { min: 0, max: 200 },
  async run(args, { io, env }) {
    const words = args.positionals.length === 0 ? [''] : args.positionals;
    // Only the command on the line is loaded (for its flags): loading all of them would slow every TAB.
    const head = words[0] ?? '';
    const group = words.length === 1 && !head.startsWith('-') ? null : head.startsWith('-') ? 'ui' : head;
    const commands: CompletionCommand[] = await Promise.all(COMMAND_ENTRIES.filter((e) => e.hidden !== true).map(async (e) => {
      if (e.path[0] !== group) return { path: e.path, options: {} };
      return { path: e.path, options: (await e.load()).options as CompletionCommand['options'] };
    }));
    const request = completionFor(words, commands);
    // kubectl runs `kubectl_complete-kustody` and reads cobra's format: candidates, then `:directive` (0 files, 4 no files).
    const cobra = env.KUSTODY_COMPLETE_FORMAT === 'cobra';
    if (request.kind === 'files') {
      io.out(cobra ? trusted(':0') : trusted(':files'));
      return 0;
    }
    const current = words[words.length - 1] ?? '';
    // filterCandidates keeps only a safe alphabet, so what is printed cannot carry escapes or shell syntax.
    for (const candidate of filterCandidates(await fetchList(request, words, env), current)) io.out(escapeUntrusted(candidate));
    if (cobra) io.out(trusted(':4'));
    return 0;
  },
};
