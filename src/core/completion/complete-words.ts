/**
 * Shell completion, decided from the words typed so far: subcommands and flags from the command
 * table, and, where a namespace, pod or context goes, which list to fetch (the adapter fetches it).
 * Candidates are filtered to a safe alphabet, because shells may expand what they are given.
 */

/** What the completion needs to know about one command. */
export interface CompletionCommand {
  readonly path: readonly [string, string];
  readonly options: Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;
}

/** What to offer: fixed words, a list to fetch from the cluster or kubeconfig, or the shell's file names. */
export type CompletionRequest =
  | { readonly kind: 'words'; readonly values: readonly string[] }
  | { readonly kind: 'files' }
  | { readonly kind: 'contexts' }
  | { readonly kind: 'namespaces'; readonly suffix: '' | '/' }
  | { readonly kind: 'pods'; readonly namespace: string | null; readonly prefixNamespace: boolean };

/** Commands whose one argument is a pod (NAMESPACE/POD, or POD with -n). */
const POD_COMMANDS = new Set(['identities', 'isolate', 'release', 'revoke', 'capture pod']);
/** Flags whose value is a file or folder: left to the shell. */
const FILE_FLAGS = new Set(['kubeconfig', 'case', 'dir', 'output', 'sign-key', 'pubkey', 'token-file', 'bundle']);
/** Only these characters reach a shell as a candidate (Kubernetes names, contexts such as arn:aws:eks:…/name or user@cluster). */
const SAFE = /^[A-Za-z0-9._:@/+=-]{1,253}$/;

function flagNamed(command: CompletionCommand, word: string): [string, { type: 'string' | 'boolean' }] | null {
  const long = word.startsWith('--') ? word.slice(2) : null;
  for (const [name, spec] of Object.entries(command.options)) {
    if (name === long || (spec.short !== undefined && word === `-${spec.short}`)) return [name, spec];
  }
  return null;
}

function namespaceIn(words: readonly string[]): string | null {
  for (let i = 0; i < words.length - 1; i += 1) if (words[i] === '-n' || words[i] === '--namespace') return words[i + 1] ?? null;
  return null;
}

function podRequest(current: string, words: readonly string[]): CompletionRequest {
  if (current.includes('/')) return { kind: 'pods', namespace: current.slice(0, current.indexOf('/')), prefixNamespace: true };
  const namespace = namespaceIn(words);
  return namespace === null ? { kind: 'namespaces', suffix: '/' } : { kind: 'pods', namespace, prefixNamespace: false };
}

/**
 * Decides what to complete. `words` are the arguments after `kustody`, the last being the word under
 * the cursor (possibly empty).
 */
export function completionFor(words: readonly string[], commands: readonly CompletionCommand[]): CompletionRequest {
  const current = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  const first = before[0];
  if (first === undefined) {
    const ui = commands.find((c) => c.path[0] === 'ui');
    // Bare `kustody --context …` opens the UI, so a leading flag is one of the UI's.
    if (current.startsWith('-') && ui !== undefined) return { kind: 'words', values: [...Object.keys(ui.options).map((name) => `--${name}`), '-n', '--help', '--version'] };
    return { kind: 'words', values: [...new Set(commands.map((c) => c.path[0])), '--help', '--version'] };
  }
  const group = commands.filter((c) => c.path[0] === first);
  const needsSecond = group.some((c) => c.path[1] !== '');
  if (needsSecond && before.length === 1) return { kind: 'words', values: group.map((c) => c.path[1]) };
  // Bare `kustody --context …` is the UI with flags.
  const command = first.startsWith('-') ? commands.find((c) => c.path[0] === 'ui') : group.find((c) => c.path[1] === '' || c.path[1] === before[1]);
  if (command === undefined) return { kind: 'words', values: [] };
  const previous = before[before.length - 1] ?? '';
  const flag = flagNamed(command, previous);
  if (flag !== null && flag[1].type === 'string') {
    const [name] = flag;
    if (name === 'namespace') return { kind: 'namespaces', suffix: '' };
    if (name === 'context') return { kind: 'contexts' };
    if (name === 'target') return podRequest(current, before);
    return FILE_FLAGS.has(name) ? { kind: 'files' } : { kind: 'words', values: [] };
  }
  if (current.startsWith('-')) {
    const flags = Object.entries(command.options).flatMap(([name, spec]) => [`--${name}`, ...(spec.short === undefined ? [] : [`-${spec.short}`])]);
    return { kind: 'words', values: [...flags, '--json', '--help'] };
  }
  const name = command.path[1] === '' ? command.path[0] : `${command.path[0]} ${command.path[1]}`;
  if (POD_COMMANDS.has(name)) return podRequest(current, before);
  return { kind: 'files' };
}

/** The candidates that start with what was typed, in the safe alphabet, sorted and unique. */
export function filterCandidates(values: readonly string[], current: string): string[] {
  return [...new Set(values.filter((v) => v.startsWith(current) && SAFE.test(v)))].sort();
}
