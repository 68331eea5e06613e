// Application Secrets the pod used cannot be revoked from Kubernetes: the credential lives at its source
// (a database, an API provider, a vault). kustody lists them as "rotate at the source" items and can run a
// responder-supplied hook per Secret, substituting {placeholders} into separate argv elements, never a shell.
import { UsageError } from '../errors.js';
import type { PlannedCommand } from './planned-command.js';
import { checkCaseId, checkNamespace, checkObjectName, checkSecretKey } from './safe-values.js';

/** Where a container reads a Secret: a volume mount path, an env var, or every key through `envFrom`. */
export interface SecretUseSite {
  readonly container: string;
  readonly via: 'volume' | 'env' | 'envFrom';
  /** The mount path, the env var name, or the `envFrom` prefix. */
  readonly target: string;
}

/** One application Secret a pod uses: its name, the keys read (empty when the pod reads all of them), and where. */
export interface AppSecretUse {
  readonly namespace: string;
  readonly secret: string;
  readonly keys: readonly string[];
  readonly usedBy: readonly SecretUseSite[];
}

/** A "rotate at the source" item: a validated Secret with the keys and sites the pod read it from, and advice. */
export interface RotateItem extends AppSecretUse {
  readonly advice: string;
}

/** The placeholders a rotation hook template may use. */
export const HOOK_PLACEHOLDERS = ['namespace', 'secret', 'key', 'pod', 'case'] as const;
type Placeholder = (typeof HOOK_PLACEHOLDERS)[number];
/** One piece of a hook argument: literal text, or a placeholder filled in per Secret. */
export type HookTemplatePart = { readonly text: string } | { readonly placeholder: Placeholder };
type Part = HookTemplatePart;

/** A parsed rotation hook: the program and, per argument, its literal and placeholder parts. */
export interface RotateHookTemplate {
  readonly program: string;
  readonly args: readonly (readonly Part[])[];
  readonly usesKey: boolean;
}

/** Validates and merges the Secrets a pod uses into sorted "rotate at the source" items (one per Secret). */
export function listRotateAtSource(uses: readonly AppSecretUse[]): RotateItem[] {
  const merged = new Map<string, { namespace: string; secret: string; keys: Set<string>; all: boolean; usedBy: SecretUseSite[] }>();
  for (const use of uses) {
    const namespace = checkNamespace(use.namespace);
    const secret = checkObjectName('Secret name', use.secret);
    const entry = merged.get(`${namespace}/${secret}`) ?? { namespace, secret, keys: new Set<string>(), all: false, usedBy: [] };
    for (const key of use.keys) entry.keys.add(checkSecretKey(key));
    entry.all ||= use.keys.length === 0;
    entry.usedBy.push(...use.usedBy);
    merged.set(`${namespace}/${secret}`, entry);
  }
  return [...merged.values()]
    .sort((a, b) => (a.namespace === b.namespace ? a.secret.localeCompare(b.secret) : a.namespace.localeCompare(b.namespace)))
    .map((entry) => {
      const keys = entry.all ? [] : [...entry.keys].sort();
      const read = keys.length === 0 ? 'every key' : `keys ${keys.join(', ')}`;
      const advice =
        `Rotate ${read} of Secret ${entry.namespace}/${entry.secret} where the credential is issued (database, API ` +
        'provider, vault), then update the Secret: editing or deleting the Secret alone does not revoke a copy the attacker took.';
      return { namespace: entry.namespace, secret: entry.secret, keys, usedBy: entry.usedBy, advice };
    });
}

function splitTemplateArg(arg: string, index: number): Part[] {
  const parts: Part[] = [];
  for (const match of arg.matchAll(/\{\{|\}\}|\{([^{}]*)\}|[{}]|[^{}]+/g)) {
    const token = match[0];
    if (token === '{{' || token === '}}') parts.push({ text: token[0] ?? '' });
    else if (token === '{' || token === '}') throw hookError(`argument ${index} has an unmatched "${token}" (write {{ or }} for a literal brace)`);
    else if (match[1] === undefined) parts.push({ text: token });
    else if ((HOOK_PLACEHOLDERS as readonly string[]).includes(match[1])) parts.push({ placeholder: match[1] as Placeholder });
    else throw hookError(`argument ${index} uses unknown placeholder {${match[1]}}; known: ${HOOK_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`);
  }
  return parts;
}

function hookError(problem: string): UsageError {
  return new UsageError(
    `rotate hook template: ${problem}`,
    'Give the hook as a JSON array of strings, e.g. ["/usr/local/bin/rotate", "{namespace}", "{secret}", "{key}"].',
  );
}

/** Parses a rotation hook template given on the command line as a JSON array of strings; unknown placeholders are an error. */
export function parseRotateHookTemplate(json: string): RotateHookTemplate {
  if (json.length > 65_536) throw hookError('longer than 64 KiB');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw hookError('not valid JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 64) throw hookError('not an array of 1 to 64 strings');
  const strings = parsed.map((item: unknown, index) => {
    if (typeof item !== 'string' || item.length > 4096 || item.includes('\0')) throw hookError(`argument ${index} is not a string of at most 4096 characters without NUL`);
    return item;
  });
  const [program = '', ...rest] = strings;
  if (program === '' || /[{}]/.test(program) || (program.includes('/') && !program.startsWith('/'))) {
    throw hookError('the program (first element) must be an absolute path or a bare name, without placeholders');
  }
  const args = rest.map((arg, index) => splitTemplateArg(arg, index + 1));
  return { program, args, usesKey: args.some((parts) => parts.some((part) => 'placeholder' in part && part.placeholder === 'key')) };
}

/** Builds one hook command per Secret (per key when the template uses {key}); each placeholder fills part of one argv element. */
export function buildRotateHookCommands(
  template: RotateHookTemplate,
  items: readonly RotateItem[],
  context: { readonly caseId: string; readonly pod: string },
): PlannedCommand[] {
  const caseId = checkCaseId(context.caseId);
  const pod = checkObjectName('pod name', context.pod);
  const commands: PlannedCommand[] = [];
  for (const item of items) {
    const keys = template.usesKey ? (item.keys.length > 0 ? item.keys : ['<key>']) : [null];
    for (const key of keys) {
      const values: Record<Placeholder, string> = {
        namespace: checkNamespace(item.namespace),
        secret: checkObjectName('Secret name', item.secret),
        key: key === null || key === '<key>' ? '<key>' : checkSecretKey(key),
        pod,
        case: caseId,
      };
      const args = template.args.map((parts) => parts.map((part) => ('text' in part ? part.text : values[part.placeholder])).join(''));
      const argv = [template.program, ...args];
      const what = key === null ? `Secret ${values.namespace}/${values.secret}` : `key ${key} of Secret ${values.namespace}/${values.secret}`;
      commands.push({
        id: `rotate-hook:${values.namespace}/${values.secret}${key === null ? '' : `:${key}`}`,
        argv,
        explanation: `Run the responder's rotation hook for ${what}.`,
        mutates: true,
        remains: 'Copies the attacker took stay usable until the source revokes them; the pod keeps the old value until it restarts.',
        undo: null,
        // Only kustody's own marker counts: a literal <word> in the responder's template is just text.
        placeholders: key === '<key>' ? ['<key>'] : [],
        after: null,
      });
    }
  }
  return commands;
}
