/**
 * Readers for the parts of a scenario file: times, measures, attacker calls, Kubernetes objects and
 * RBAC rules. Each records its problems with file, line and column. Pure.
 */
import { isMap, type Node } from 'yaml';
import { knownKind, placeholderProblem, placeholdersIn, stringsIn } from './object-kinds.js';
import { MEASURE_KINDS, SCENARIO_EVENTS, type AttackerCall, type AttackerRule, type Measure, type MeasureKind, type ScenarioTime } from './scenario-types.js';
import { readBoolean, readChoice, readInteger, readMap, readString, readStringList, report, type Entries, type ReadContext } from '../playbook/yaml-reader.js';

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_MINUTE = 24 * 60;

/** `{minute: N}` or `{event: NAME}`. */
export function readTime(ctx: ReadContext, node: Node | null, where: string): ScenarioTime | null {
  const entries = readMap(ctx, node, `"at" of ${where}`, ['minute', 'event'], []);
  if (entries === null) return null;
  if (entries.size !== 1) {
    report(ctx, node, `"at" of ${where} needs exactly one of minute (minutes after the start) or event (${SCENARIO_EVENTS.join(', ')}).`);
    return null;
  }
  if (entries.has('minute')) return { minute: readInteger(ctx, entries, 'minute', `"at" of ${where}`, { min: 0, max: MAX_MINUTE, fallback: 0 }) };
  const event = readChoice(ctx, entries, 'event', `"at" of ${where}`, SCENARIO_EVENTS, null);
  return event === null ? null : { event };
}

/** A measure: `{kind: K, …the parameters K takes}`. */
export function readMeasure(ctx: ReadContext, node: Node | null, where: string): Measure | null {
  const kinds = Object.keys(MEASURE_KINDS) as MeasureKind[];
  const first = readMap(ctx, node, `measure of ${where}`, ['kind', 'pod', 'minutes', 'service_account', 'object_kind', 'name'], ['kind']);
  if (first === null) return null;
  const kind = readChoice(ctx, first, 'kind', `measure of ${where}`, kinds, null);
  if (kind === null) return null;
  const takes: readonly string[] = MEASURE_KINDS[kind];
  const measure: Measure = { kind };
  for (const [key, entry] of first) {
    if (key === 'kind') continue;
    if (!takes.includes(key)) {
      report(ctx, entry.key, `A ${kind} measure takes ${takes.length === 0 ? 'no parameters' : takes.join(', ')}, not ${key}.`);
      continue;
    }
    if (key === 'minutes') measure.minutes = readInteger(ctx, first, 'minutes', `measure of ${where}`, { min: 1, max: MAX_MINUTE, fallback: 1 });
    else {
      const value = readString(ctx, first, key, `measure of ${where}`);
      if (value !== null) (measure as unknown as Record<string, string>)[key] = value;
    }
  }
  for (const key of takes) if (key !== 'minutes' && !first.has(key)) report(ctx, node, `A ${kind} measure needs ${key}.`);
  return measure;
}

/** An attacker API call: `do: list|get|create` with its fields. */
export function readCall(ctx: ReadContext, entries: Entries, node: Node | null, where: string, readyPods: readonly string[]): AttackerCall | null {
  const verb = readChoice(ctx, entries, 'do', where, ['list', 'get', 'create'] as const, null);
  if (verb === null) return null;
  const extra = (keys: readonly string[]) => {
    for (const key of ['api_version', 'kind', 'name', 'all_namespaces', 'object']) {
      if (entries.has(key) && !keys.includes(key)) report(ctx, entries.get(key)?.key, `A ${verb} action does not take ${key}.`);
    }
  };
  if (verb === 'create') {
    extra(['object']);
    if (!entries.has('object')) {
      report(ctx, node, `The create action of ${where} needs object (the Kubernetes object the attacker creates).`);
      return null;
    }
    const object = readObject(ctx, entries.get('object')?.value ?? null, where, readyPods);
    return object === null ? null : { do: 'create', object };
  }
  extra(verb === 'list' ? ['api_version', 'kind', 'all_namespaces'] : ['api_version', 'kind', 'name']);
  const apiVersion = readString(ctx, entries, 'api_version', where) ?? (entries.has('api_version') ? null : 'v1');
  const kind = readString(ctx, entries, 'kind', where);
  if (!entries.has('kind')) report(ctx, node, `The ${verb} action of ${where} needs kind.`);
  if (apiVersion === null || kind === null) return null;
  if (knownKind(apiVersion, kind) === undefined) {
    report(ctx, entries.get('kind')?.value, `${apiVersion} ${kind} is not a kind scenarios know; see exercises/README.md.`);
    return null;
  }
  if (verb === 'list') return { do: 'list', apiVersion, kind, allNamespaces: readBoolean(ctx, entries, 'all_namespaces', where, false) };
  const name = readString(ctx, entries, 'name', where);
  if (!entries.has('name')) report(ctx, node, `The get action of ${where} needs name.`);
  return name === null ? null : { do: 'get', apiVersion, kind, name };
}

/**
 * A Kubernetes object a scenario creates: a known kind, a plain name, no namespace of its own (the
 * exercise puts it in its namespace), cluster-scoped names made unique with ${{ namespace }}, and
 * only known placeholders.
 */
export function readObject(ctx: ReadContext, node: Node | null, where: string, earlierPods: readonly string[]): Record<string, unknown> | null {
  if (!isMap(node)) {
    report(ctx, node, `The object of ${where} must be a mapping (a Kubernetes manifest).`);
    return null;
  }
  const object = node.toJSON() as Record<string, unknown>;
  const at = (key: string): Node | null => (node.get(key, true) as Node | undefined) ?? node;
  const apiVersion = object.apiVersion;
  const kind = object.kind;
  const known = typeof apiVersion === 'string' && typeof kind === 'string' ? knownKind(apiVersion, kind) : undefined;
  if (known === undefined || known.kind === 'Namespace') {
    report(ctx, at('kind'), `The object of ${where} has apiVersion/kind ${String(apiVersion)}/${String(kind)}, which scenarios cannot create (see exercises/README.md for the list).`);
    return null;
  }
  const metadataNode = node.get('metadata', true) as Node | undefined;
  const metadata = object.metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    report(ctx, metadataNode ?? node, `The object of ${where} needs metadata with a name.`);
    return null;
  }
  const meta = metadata as Record<string, unknown>;
  const name = meta.name;
  const plainName = typeof name === 'string' ? name.replace(/\$\{\{\s*namespace\s*\}\}/g, 'ns') : '';
  if (typeof name !== 'string' || !NAME.test(plainName)) report(ctx, metadataNode ?? node, `The object of ${where} needs metadata.name: lower-case letters, digits and dashes.`);
  else if (!known.namespaced && !name.includes('${{ namespace }}')) report(ctx, metadataNode ?? node, `${known.kind} is cluster-scoped: its name must contain \${{ namespace }} so two exercises never collide.`);
  if (meta.namespace !== undefined) report(ctx, metadataNode ?? node, `The object of ${where} must not set metadata.namespace: the exercise puts it in its own namespace.`);
  for (const text of stringsIn(object)) {
    for (const placeholder of placeholdersIn(text)) {
      const problem = placeholderProblem(placeholder, earlierPods);
      if (problem !== null) report(ctx, node, problem);
    }
  }
  return object;
}

/** RBAC rules for the attacker's Role: `{api_groups, resources, verbs}` each a list. */
export function readRules(ctx: ReadContext, node: Node | null, where: string): AttackerRule[] {
  if (node === null || !('items' in node) || isMap(node)) {
    report(ctx, node, `"rules" of ${where} must be a list of {api_groups, resources, verbs}.`);
    return [];
  }
  const rules: AttackerRule[] = [];
  for (const item of (node as { items: Array<Node | null> }).items) {
    const entries = readMap(ctx, item, `a rule of ${where}`, ['api_groups', 'resources', 'verbs'], ['api_groups', 'resources', 'verbs']);
    if (entries === null) continue;
    const groups = readEmptyAllowedList(ctx, entries.get('api_groups')?.value ?? null, where);
    const resources = readStringList(ctx, entries, 'resources', `a rule of ${where}`).items;
    const verbs = readStringList(ctx, entries, 'verbs', `a rule of ${where}`, (v) => (v === '*' ? 'The attacker gets named verbs, not "*".' : null)).items;
    if (resources.includes('*')) report(ctx, entries.get('resources')?.value, 'The attacker gets named resources, not "*".');
    rules.push({ apiGroups: groups, resources, verbs });
  }
  return rules;
}

/** api_groups items may be "" (the core group). */
function readEmptyAllowedList(ctx: ReadContext, node: Node | null, where: string): string[] {
  const value = node === null ? null : (node.toJSON() as unknown);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    report(ctx, node, `api_groups of a rule of ${where} must be a list of API group names ("" is the core group).`);
    return [];
  }
  return value as string[];
}

/** Whether a string is a plain Kubernetes name. */
export function isPlainName(text: string): boolean {
  return NAME.test(text);
}
