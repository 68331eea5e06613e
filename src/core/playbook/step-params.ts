/** The typed `params` of each step action: which keys exist, their types, ranges and defaults. Pure. */
import type { Node } from 'yaml';
import { readBoolean, readChoice, readInteger, readMap, readString, readStringList, report, type Entries, type ReadContext } from './yaml-reader.js';
import type { StepAction, StepSpec } from './types.js';
import { SWEEP_DURATION } from '../sweep/since.js';

/** The `${{ … }}` expressions a command argv may use, and what each becomes. */
export const COMMAND_EXPRESSIONS = ['target.namespace', 'target.pod', 'case.id', 'case.dir'] as const;

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'fish', 'csh', 'tcsh', 'busybox', 'env', 'xargs', 'pwsh', 'powershell']);
const EXPRESSION = /\$\{\{\s*([^}]*?)\s*\}\}/g;

const PARAM_KEYS: Record<StepAction, readonly string[]> = {
  capture: ['via', 'scope', 'container', 'timeout_seconds'],
  isolate: ['detach', 'cordon', 'guard', 'cut_connections'],
  release: [],
  identities: [],
  audit: [],
  revoke: ['legacy_tokens', 'rbac', 'rotate_sa', 'delete_pod', 'cloud', 'verify_seconds'],
  sweep: ['since'],
  export: [],
  checklist: ['items'],
  command: ['argv', 'timeout_seconds'],
};

/** Reads and checks `params` for `action`; null `node` means the key was left out (defaults apply). */
export function readStepParams(ctx: ReadContext, action: StepAction, node: Node | null, present: boolean, where: string): StepSpec | null {
  const at = `params of ${where}`;
  const allowed = PARAM_KEYS[action];
  const required = action === 'command' ? ['argv'] : action === 'checklist' ? ['items'] : [];
  let entries: Entries;
  if (!present) {
    if (required.length > 0) {
      report(ctx, node, `${where.replace(/^step/, 'Step')} (${action}) needs params with ${required.join(', ')}.`);
      return null;
    }
    entries = new Map();
  } else {
    // `params: {}` and a bare `params:` both mean "defaults".
    const read = node === null ? new Map() : readMap(ctx, node, at, allowed, required);
    if (read === null) return null;
    entries = read;
  }
  switch (action) {
    case 'capture': {
      const container = readString(ctx, entries, 'container', at);
      if (container !== null && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(container)) report(ctx, entries.get('container')?.value, `"container" in ${at} must be a container name.`);
      return { action, params: {
        via: readChoice(ctx, entries, 'via', at, ['auto', 'exec', 'debug', 'node'] as const, 'auto') ?? 'auto',
        scope: readChoice(ctx, entries, 'scope', at, ['volatile', 'full'] as const, 'full') ?? 'full',
        container,
        timeoutSeconds: readInteger(ctx, entries, 'timeout_seconds', at, { min: 1, max: 3600, fallback: 120 }),
      } };
    }
    case 'isolate':
      return { action, params: { detach: readBoolean(ctx, entries, 'detach', at, false), cordon: readBoolean(ctx, entries, 'cordon', at, false), guard: readBoolean(ctx, entries, 'guard', at, false), cutConnections: readBoolean(ctx, entries, 'cut_connections', at, false) } };
    case 'revoke': {
      const params = {
        legacyTokens: readBoolean(ctx, entries, 'legacy_tokens', at, false), rbac: readBoolean(ctx, entries, 'rbac', at, false),
        rotateSa: readBoolean(ctx, entries, 'rotate_sa', at, false), deletePod: readBoolean(ctx, entries, 'delete_pod', at, false),
        cloud: readBoolean(ctx, entries, 'cloud', at, false), verifySeconds: readInteger(ctx, entries, 'verify_seconds', at, { min: 0, max: 3600, fallback: 90 }),
      };
      if (!params.legacyTokens && !params.rbac && !params.rotateSa && !params.deletePod && !params.cloud) report(ctx, node, `${where.replace(/^step/, 'Step')} revokes nothing: set at least one of legacy_tokens, rbac, rotate_sa, delete_pod, cloud to true.`);
      return { action, params };
    }
    case 'sweep': {
      const since = readString(ctx, entries, 'since', at) ?? '24h';
      if (!SWEEP_DURATION.test(since)) report(ctx, entries.get('since')?.value ?? node, `"since" in ${at} must be a duration before the step runs: 30m, 6h, 2d.`);
      return { action, params: { since } };
    }
    case 'checklist': {
      const items = readStringList(ctx, entries, 'items', at).items;
      if (entries.has('items') && items.length === 0) report(ctx, entries.get('items')?.value ?? node, `"items" in ${at} must list at least one item.`);
      return { action, params: { items } };
    }
    case 'command': {
      const argv = readStringList(ctx, entries, 'argv', at, checkArgvItem);
      const program = argv.items[0];
      if (entries.has('argv') && program === undefined) report(ctx, entries.get('argv')?.value ?? node, `"argv" in ${at} must name a program.`);
      if (program !== undefined) {
        const base = program.split('/').pop() ?? program;
        if (SHELLS.has(base)) report(ctx, argv.nodes[0], `${where.replace(/^step/, 'Step')} runs ${base}: command steps run one program without a shell, so a shell or env wrapper is not allowed.`);
        if (program.includes('${{')) report(ctx, argv.nodes[0], `The program of ${where} must be written out, not an expression.`);
      }
      return { action, params: { argv: argv.items, timeoutSeconds: readInteger(ctx, entries, 'timeout_seconds', at, { min: 1, max: 3600, fallback: 300 }) } };
    }
    case 'release':
    case 'identities':
    case 'audit':
    case 'export':
      return { action, params: {} };
  }
}

function checkArgvItem(item: string): string | null {
  for (const match of item.matchAll(EXPRESSION)) {
    const name = match[1] ?? '';
    if (!(COMMAND_EXPRESSIONS as readonly string[]).includes(name)) return `Unknown expression \${{ ${name} }} in argv; known: ${COMMAND_EXPRESSIONS.map((e) => `\${{ ${e} }}`).join(', ')}.`;
  }
  const rest = item.replace(EXPRESSION, '');
  if (rest.includes('${{') || rest.includes('}}')) return `Unbalanced \${{ … }} expression in argv item ${JSON.stringify(item.slice(0, 60))}.`;
  return null;
}

/** Fills the `${{ … }}` expressions of an argv (checked at parse time) with run values. */
export function expandArgv(argv: readonly string[], values: Record<(typeof COMMAND_EXPRESSIONS)[number], string>): string[] {
  return argv.map((item) => item.replace(EXPRESSION, (_all, name: string) => values[name as (typeof COMMAND_EXPRESSIONS)[number]] ?? ''));
}
