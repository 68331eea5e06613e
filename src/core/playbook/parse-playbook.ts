/**
 * Parses and checks one playbook file: YAML syntax, unknown keys, types, the danger each action
 * carries, confirmation/verify/undo for everything that changes the cluster, and the `needs` graph.
 * Every problem names the file, line and column. Pure: text in, playbook or problems out.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { checkNeeds } from './check-needs.js';
import { readStepParams } from './step-params.js';
import { STEP_ACTIONS, type Playbook, type PlaybookInput, type PlaybookProblem, type PlaybookStep, type StepAction, type StepDanger, type StepUndo } from './types.js';
import { byPosition, parseYamlFile, readBoolean, readChoice, readMap, readString, readStringList, report, type ReadContext } from './yaml-reader.js';

/** The danger each built-in action carries; `command` declares its own. */
export const ACTION_DANGER: Record<Exclude<StepAction, 'command'>, StepDanger> = {
  capture: 'observe', identities: 'observe', audit: 'observe', export: 'observe', checklist: 'observe', isolate: 'contain', release: 'contain', revoke: 'revoke', sweep: 'revoke',
};

const ID = /^[a-z][a-z0-9-]{0,62}$/;
const PLAYBOOK_KEYS = ['id', 'title', 'description', 'inputs', 'steps'] as const;
const STEP_KEYS = ['id', 'title', 'why', 'action', 'params', 'danger', 'confirm', 'verify', 'undo', 'needs'] as const;

/** The outcome of parsing: a playbook when there are no problems. */
export interface ParseResult {
  playbook: Playbook | null;
  problems: PlaybookProblem[];
}

/** Parses `text` (the content of `file`) as a playbook. */
export function parsePlaybook(text: string, file: string): ParseResult {
  const { ctx, root, ok } = parseYamlFile(text, file);
  if (!ok) return { playbook: null, problems: byPosition(ctx.problems) };
  const top = readMap(ctx, root, 'the playbook', PLAYBOOK_KEYS, ['id', 'title', 'description', 'steps']);
  if (top === null) return { playbook: null, problems: ctx.problems };
  const id = readString(ctx, top, 'id', 'the playbook');
  if (id !== null && !ID.test(id)) report(ctx, top.get('id')?.value, `Playbook id "${id}" must be lower-case letters, digits and dashes, starting with a letter.`);
  const title = readString(ctx, top, 'title', 'the playbook');
  const description = readString(ctx, top, 'description', 'the playbook');
  if (description !== null && !isSentence(description)) report(ctx, top.get('description')?.value, 'The description must be a full sentence: a capital letter first and a full stop at the end.');
  const inputs = readStringList(ctx, top, 'inputs', 'the playbook', (item) => (item === 'token' ? null : `Unknown input "${item}"; the only input is token (a leaked token given with --token-file).`)).items as PlaybookInput[];
  const steps = readSteps(ctx, top.get('steps')?.value ?? null, top.has('steps'));
  if (ctx.problems.length > 0 || id === null || title === null || description === null) return { playbook: null, problems: byPosition(ctx.problems) };
  return { playbook: { id, title, description: description.trim(), inputs, steps }, problems: [] };
}

function isSentence(text: string): boolean {
  const t = text.trim();
  return /^[A-Z]/.test(t) && /[.!?]$/.test(t) && t.split(/\s+/).length >= 4;
}

function readSteps(ctx: ReadContext, node: Node | null, present: boolean): PlaybookStep[] {
  if (!present) return [];
  if (!isSeq(node)) {
    report(ctx, node, '"steps" must be a list of steps.');
    return [];
  }
  const items = node.items as Array<Node | null>;
  if (items.length === 0) report(ctx, node, '"steps" is empty: a playbook needs at least one step.');
  const steps: PlaybookStep[] = [];
  const needNodes = new Map<string, Node | null>();
  for (const [index, item] of items.entries()) {
    const step = readStep(ctx, item, index + 1, needNodes);
    if (step === null) continue;
    if (steps.some((s) => s.id === step.id)) report(ctx, item, `Step id "${step.id}" is used twice; step ids must be unique.`);
    steps.push(step);
  }
  checkNeeds(ctx, steps, needNodes);
  return steps;
}

function readStep(ctx: ReadContext, node: Node | null, number: number, needNodes: Map<string, Node | null>): PlaybookStep | null {
  const entries = readMap(ctx, node, stepLabel(node, number), STEP_KEYS, ['id', 'title', 'why', 'action', 'danger']);
  if (entries === null) return null;
  const id = readString(ctx, entries, 'id', `step ${number}`);
  if (id !== null && !ID.test(id)) report(ctx, entries.get('id')?.value, `Step id "${id}" must be lower-case letters, digits and dashes, starting with a letter.`);
  const where = `step "${id ?? number}"`;
  const Where = `Step "${id ?? number}"`;
  const title = readString(ctx, entries, 'title', where);
  const why = readString(ctx, entries, 'why', where);
  const action = readAction(ctx, entries.get('action')?.value ?? null, where);
  const danger = readChoice(ctx, entries, 'danger', where, ['observe', 'contain', 'revoke'] as const, null);
  if (action !== null && action !== 'command' && danger !== null && ACTION_DANGER[action] !== danger) {
    report(ctx, entries.get('danger')?.value, `${Where} is ${/^[aeiou]/.test(action) ? 'an' : 'a'} ${action} step, whose danger is ${ACTION_DANGER[action]}, not ${danger}.`);
  }
  const mutates = danger !== null && danger !== 'observe';
  const confirm = readBoolean(ctx, entries, 'confirm', where, false);
  if (mutates && !confirm) report(ctx, entries.get('confirm')?.value ?? node, `${Where} is a ${danger} step: it needs confirm: true (the responder types the pod's name before it is applied).`);
  const verify = readString(ctx, entries, 'verify', where);
  if (mutates && !entries.has('verify')) report(ctx, node, `${Where} is a ${danger} step: it needs verify (how kustody proves it took effect).`);
  const undo = readUndo(ctx, entries.get('undo')?.value ?? null, entries.has('undo'), where);
  if (mutates && !entries.has('undo')) report(ctx, node, `${Where} is a ${danger} step: it needs undo ({action: …} or {reason: "why it cannot be undone"}).`);
  const needs = readStringList(ctx, entries, 'needs', where);
  if (id !== null) needNodes.set(id, entries.get('needs')?.value ?? null);
  const spec = action === null ? null : readStepParams(ctx, action, entries.get('params')?.value ?? null, entries.has('params'), where);
  if (id === null || title === null || why === null || danger === null || spec === null) return null;
  const line = ctx.lines.linePos(node?.range?.[0] ?? 0).line;
  return { ...spec, id, title, why, danger, confirm, verify, undo, needs: needs.items, line };
}

/** `step "id"` when the step has a readable id, else `step N`, for messages about the step as a whole. */
function stepLabel(node: Node | null, number: number): string {
  const id = isMap(node) ? node.get('id') : undefined;
  return typeof id === 'string' && id !== '' ? `step "${id}"` : `step ${number}`;
}

function readAction(ctx: ReadContext, node: Node | null, where: string): StepAction | null {
  if (node === null) return null;
  const value = isScalar(node) ? node.value : undefined;
  const found = STEP_ACTIONS.find((a) => a === value);
  if (found === undefined) report(ctx, node, `Unknown action ${JSON.stringify(String(value ?? '')).slice(0, 60)} in ${where}; known actions: ${STEP_ACTIONS.join(', ')}.`);
  return found ?? null;
}

function readUndo(ctx: ReadContext, node: Node | null, present: boolean, where: string): StepUndo | null {
  if (!present) return null;
  const entries = readMap(ctx, node, `undo of ${where}`, ['action', 'reason'], []);
  if (entries === null) return null;
  if (entries.size !== 1) {
    report(ctx, node, `undo of ${where} needs exactly one of action (a kustody action that reverts it) or reason (why it can only be documented).`);
    return null;
  }
  if (entries.has('action')) {
    const action = readChoice(ctx, entries, 'action', `undo of ${where}`, STEP_ACTIONS, null);
    return action === null ? null : { action };
  }
  const reason = readString(ctx, entries, 'reason', `undo of ${where}`);
  return reason === null ? null : { reason };
}
