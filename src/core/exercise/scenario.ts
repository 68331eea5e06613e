/**
 * Parses and checks one exercise scenario file (exercises/<id>.yaml): YAML syntax, unknown keys,
 * types, objects the exercise may create, the attacker's identity and schedule, injects, hints and
 * scoring rules that name real objectives. Every problem names the file, line and column. Pure.
 */
import { isSeq, type Node } from 'yaml';
import { placeholdersIn } from './object-kinds.js';
import { readCall, readMeasure, readObject, readRules, readTime, isPlainName } from './scenario-parts.js';
import { TECHNIQUE_FRAMEWORKS, type AttackerAction, type Scenario, type ScenarioAttacker, type ScenarioHint, type ScenarioInject, type ScenarioObjective, type ScenarioProblem, type ScenarioTechnique, type ScenarioWorkload, type ScoringRule } from './scenario-types.js';
import { byPosition, parseYamlFile, readBoolean, readChoice, readInteger, readMap, readString, report, type ReadContext } from '../playbook/yaml-reader.js';

export * from './scenario-types.js';

const ID = /^[a-z][a-z0-9-]{0,62}$/;
const TOP_KEYS = ['id', 'title', 'summary', 'duration_minutes', 'techniques', 'objectives', 'expected_playbook', 'attacker', 'workloads', 'actions', 'injects', 'hints', 'facilitator_notes', 'scoring'] as const;
const ACTION_KEYS = ['id', 'at', 'description', 'technique', 'do', 'api_version', 'kind', 'name', 'all_namespaces', 'object'] as const;

/** The outcome of parsing: a scenario when there are no problems. */
export interface ScenarioParseResult {
  scenario: Scenario | null;
  problems: ScenarioProblem[];
}

/** Parses `text` (the content of `file`) as a scenario. */
export function parseScenario(text: string, file: string): ScenarioParseResult {
  const { ctx, root, ok } = parseYamlFile(text, file);
  if (!ok) return { scenario: null, problems: byPosition(ctx.problems) };
  const top = readMap(ctx, root, 'the scenario', TOP_KEYS, TOP_KEYS.filter((k) => k !== 'injects'));
  if (top === null) return { scenario: null, problems: byPosition(ctx.problems) };
  const value = (key: string): Node | null => top.get(key)?.value ?? null;
  const id = readString(ctx, top, 'id', 'the scenario');
  if (id !== null && !ID.test(id)) report(ctx, value('id'), `Scenario id "${id}" must be lower-case letters, digits and dashes, starting with a letter.`);
  const title = readString(ctx, top, 'title', 'the scenario');
  const summary = readString(ctx, top, 'summary', 'the scenario');
  const durationMinutes = readInteger(ctx, top, 'duration_minutes', 'the scenario', { min: 1, max: 24 * 60, fallback: 60 });
  const expectedPlaybook = readString(ctx, top, 'expected_playbook', 'the scenario');
  const facilitatorNotes = readString(ctx, top, 'facilitator_notes', 'the scenario');
  const techniques = readList(ctx, top, 'techniques', (node, n) => readTechnique(ctx, node, n));
  const objectives = readList(ctx, top, 'objectives', (node, n) => readObjective(ctx, node, n));
  const workloads = readList<ScenarioWorkload>(ctx, top, 'workloads', (node, n, done) => readWorkload(ctx, node, n, done));
  const attacker = top.has('attacker') ? readAttacker(ctx, value('attacker'), workloads) : null;
  const readyPods = workloads.filter((w) => w.waitReady && w.object.kind === 'Pod').map((w) => w.name);
  const actions = readList(ctx, top, 'actions', (node, n) => readAction(ctx, node, n, readyPods));
  const injects = readList(ctx, top, 'injects', (node, n) => readInject(ctx, node, n, readyPods));
  const hints = readList(ctx, top, 'hints', (node, n) => readHint(ctx, node, n));
  const scoring = readList(ctx, top, 'scoring', (node, n) => readScoring(ctx, node, n, objectives));
  for (const [what, list] of [['technique', techniques], ['objective', objectives], ['workload', workloads], ['action', actions], ['inject', injects], ['hint', hints], ['scoring rule', scoring]] as const) {
    const seen = new Set<string>();
    for (const item of list as Array<{ id?: string; name?: string }>) {
      const key = item.id ?? item.name ?? '';
      if (seen.has(key)) report(ctx, value(`${what === 'scoring rule' ? 'scoring' : `${what}s`}`), `The ${what} "${key}" is listed twice; ids must be unique.`);
      seen.add(key);
    }
  }
  if (ctx.problems.length > 0 || id === null || title === null || summary === null || expectedPlaybook === null || facilitatorNotes === null || attacker === null) {
    return { scenario: null, problems: byPosition(ctx.problems) };
  }
  return { scenario: { id, title, summary, durationMinutes, techniques, objectives, expectedPlaybook, attacker, workloads, actions, injects, hints, facilitatorNotes, scoring }, problems: [] };
}

function readList<T>(ctx: ReadContext, top: NonNullable<ReturnType<typeof readMap>>, key: string, read: (node: Node | null, number: number, done: T[]) => T | null): T[] {
  const entry = top.get(key);
  if (entry === undefined) return [];
  if (!isSeq(entry.value)) {
    report(ctx, entry.value ?? entry.key, `"${key}" must be a list.`);
    return [];
  }
  const items: T[] = [];
  for (const [index, node] of (entry.value.items as Array<Node | null>).entries()) {
    const item = read(node, index + 1, items);
    if (item !== null) items.push(item);
  }
  return items;
}

function readId(ctx: ReadContext, entries: NonNullable<ReturnType<typeof readMap>>, where: string): string | null {
  const id = readString(ctx, entries, 'id', where);
  if (id !== null && !ID.test(id)) report(ctx, entries.get('id')?.value, `The id "${id}" of ${where} must be lower-case letters, digits and dashes, starting with a letter.`);
  return id;
}

function readTechnique(ctx: ReadContext, node: Node | null, n: number): ScenarioTechnique | null {
  const where = `technique ${n}`;
  const e = readMap(ctx, node, where, ['framework', 'id', 'name'], ['framework', 'id', 'name']);
  if (e === null) return null;
  const framework = readChoice(ctx, e, 'framework', where, TECHNIQUE_FRAMEWORKS, null);
  const id = readString(ctx, e, 'id', where);
  const name = readString(ctx, e, 'name', where);
  if (framework === 'attack-containers' && id !== null && !/^T\d{4}(\.\d{3})?$/.test(id)) report(ctx, e.get('id')?.value, `ATT&CK technique ids look like T1552 or T1552.007, not "${id}".`);
  if (framework === 'threat-matrix-k8s' && id !== null && !/^MS-T[AE]?\d{4}$/.test(id)) report(ctx, e.get('id')?.value, `Threat Matrix for Kubernetes ids look like MS-TA9005 or MS-T9001, not "${id}".`);
  return framework === null || id === null || name === null ? null : { framework, id, name };
}

function readObjective(ctx: ReadContext, node: Node | null, n: number): ScenarioObjective | null {
  const e = readMap(ctx, node, `objective ${n}`, ['id', 'text', 'measure'], ['id', 'text', 'measure']);
  if (e === null) return null;
  const id = readId(ctx, e, `objective ${n}`);
  const text = readString(ctx, e, 'text', `objective ${n}`);
  const measure = e.has('measure') ? readMeasure(ctx, e.get('measure')?.value ?? null, `objective "${id ?? n}"`) : null;
  return id === null || text === null || measure === null ? null : { id, text, measure };
}

function readWorkload(ctx: ReadContext, node: Node | null, n: number, done: ScenarioWorkload[]): ScenarioWorkload | null {
  const where = `workload ${n}`;
  const e = readMap(ctx, node, where, ['name', 'description', 'wait_ready', 'object'], ['name', 'description', 'object']);
  if (e === null) return null;
  const name = readString(ctx, e, 'name', where);
  if (name !== null && !isPlainName(name)) report(ctx, e.get('name')?.value, `Workload name "${name}" must be lower-case letters, digits and dashes.`);
  const description = readString(ctx, e, 'description', where);
  const waitReady = readBoolean(ctx, e, 'wait_ready', where, false);
  const readyPods = done.filter((w) => w.waitReady && w.object.kind === 'Pod').map((w) => w.name);
  const object = e.has('object') ? readObject(ctx, e.get('object')?.value ?? null, where, readyPods) : null;
  if (object !== null && name !== null && (object.metadata as Record<string, unknown>).name !== name) report(ctx, e.get('object')?.value, `The object of workload "${name}" must be named ${name} (metadata.name).`);
  if (object !== null && waitReady && object.kind !== 'Pod') report(ctx, e.get('wait_ready')?.value, 'wait_ready applies to Pods only.');
  return name === null || description === null || object === null ? null : { name, description, waitReady, object };
}

function readAttacker(ctx: ReadContext, node: Node | null, workloads: ScenarioWorkload[]): ScenarioAttacker | null {
  const e = readMap(ctx, node, 'the attacker', ['service_account', 'bound_to_pod', 'rules'], ['service_account', 'bound_to_pod', 'rules']);
  if (e === null) return null;
  const serviceAccount = readString(ctx, e, 'service_account', 'the attacker');
  if (serviceAccount !== null && !isPlainName(serviceAccount)) report(ctx, e.get('service_account')?.value, 'The attacker\'s service_account must be a plain Kubernetes name.');
  const boundToPod = readString(ctx, e, 'bound_to_pod', 'the attacker');
  const pod = workloads.find((w) => w.name === boundToPod);
  if (boundToPod !== null && (pod === undefined || pod.object.kind !== 'Pod')) report(ctx, e.get('bound_to_pod')?.value, `bound_to_pod "${boundToPod}" must name a workload of kind Pod (the pod the token is stolen from).`);
  else if (pod !== undefined && ((pod.object.spec ?? {}) as Record<string, unknown>).serviceAccountName !== serviceAccount) report(ctx, e.get('bound_to_pod')?.value, `The pod "${boundToPod}" must run as the attacker's service account ${serviceAccount ?? ''} (spec.serviceAccountName): its token is the one stolen.`);
  const rules = e.has('rules') ? readRules(ctx, e.get('rules')?.value ?? null, 'the attacker') : [];
  return serviceAccount === null || boundToPod === null ? null : { serviceAccount, boundToPod, rules };
}

function readAction(ctx: ReadContext, node: Node | null, n: number, readyPods: readonly string[]): AttackerAction | null {
  const where = `action ${n}`;
  const e = readMap(ctx, node, where, ACTION_KEYS, ['id', 'at', 'description', 'do']);
  if (e === null) return null;
  const id = readId(ctx, e, where);
  const at = e.has('at') ? readTime(ctx, e.get('at')?.value ?? null, `action "${id ?? n}"`) : null;
  const description = readString(ctx, e, 'description', where);
  const technique = e.has('technique') ? readString(ctx, e, 'technique', where) : null;
  const call = readCall(ctx, e, node, `action "${id ?? n}"`, readyPods);
  const line = ctx.lines.linePos(node?.range?.[0] ?? 0).line;
  return id === null || at === null || description === null || call === null ? null : { ...call, id, at, description, technique, line };
}

function readInject(ctx: ReadContext, node: Node | null, n: number, readyPods: readonly string[]): ScenarioInject | null {
  const where = `inject ${n}`;
  const e = readMap(ctx, node, where, ['id', 'at', 'message', 'action'], ['id', 'at', 'message']);
  if (e === null) return null;
  const id = readId(ctx, e, where);
  const at = e.has('at') ? readTime(ctx, e.get('at')?.value ?? null, `inject "${id ?? n}"`) : null;
  const message = readString(ctx, e, 'message', where);
  for (const placeholder of placeholdersIn(message ?? '')) {
    if (placeholder !== 'namespace') report(ctx, e.get('message')?.value, `Messages may use \${{ namespace }} only, not \${{ ${placeholder} }}.`);
  }
  let action = null;
  if (e.has('action')) {
    const actionNode = e.get('action')?.value ?? null;
    const a = readMap(ctx, actionNode, `the action of inject "${id ?? n}"`, ['do', 'api_version', 'kind', 'name', 'all_namespaces', 'object'], ['do']);
    action = a === null ? null : readCall(ctx, a, actionNode, `inject "${id ?? n}"`, readyPods);
  }
  return id === null || at === null || message === null ? null : { id, at, message, action };
}

function readHint(ctx: ReadContext, node: Node | null, n: number): ScenarioHint | null {
  const e = readMap(ctx, node, `hint ${n}`, ['id', 'text', 'cost'], ['id', 'text', 'cost']);
  if (e === null) return null;
  const id = readId(ctx, e, `hint ${n}`);
  const text = readString(ctx, e, 'text', `hint ${n}`);
  const cost = readInteger(ctx, e, 'cost', `hint ${n}`, { min: 0, max: 1000, fallback: 0 });
  return id === null || text === null ? null : { id, text, cost };
}

function readScoring(ctx: ReadContext, node: Node | null, n: number, objectives: ScenarioObjective[]): ScoringRule | null {
  const where = `scoring rule ${n}`;
  const e = readMap(ctx, node, where, ['id', 'points', 'objective', 'measure'], ['id', 'points']);
  if (e === null) return null;
  const id = readId(ctx, e, where);
  const points = readInteger(ctx, e, 'points', where, { min: -1000, max: 1000, fallback: 0 });
  if (e.has('objective') === e.has('measure')) {
    report(ctx, node, `${where} needs exactly one of objective (an objective id) or measure.`);
    return null;
  }
  const objective = e.has('objective') ? readString(ctx, e, 'objective', where) : null;
  if (objective !== null && !objectives.some((o) => o.id === objective)) report(ctx, e.get('objective')?.value, `${where} names objective "${objective}", which the scenario does not list.`);
  const measure = e.has('measure') ? readMeasure(ctx, e.get('measure')?.value ?? null, where) : null;
  return id === null || (objective === null && measure === null) ? null : { id, points, objective, measure };
}
